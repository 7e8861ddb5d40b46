// libFuzzer target for the STS response parser (src/aws/sts.cpp, parse_sts_response): the XML an
// STS endpoint, or whatever answers in its place (a proxy, a captive portal), sends back to
// AssumeRoleWithWebIdentity and AssumeRole.
//
// Input: [status][body]. The status byte picks 200, 400, 403, 429, 500 or 503.
//
// Checked, beyond "no crash, no sanitizer report":
// - credentials come only from a 2xx answer, with every field non-empty and an expiration;
// - an error's code is an identifier of at most 128 characters (or empty), its message is
//   non-empty, bounded and free of control characters, its status the answer's, and it is
//   retryable exactly when is_retryable_sts_error says so.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "lambdagate/aws/sts.hpp"

namespace aws = lambdagate::aws;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_identifier(const std::string& code) {
  for (char c : code) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return code.size() <= 128;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr unsigned kStatuses[] = {200, 400, 403, 429, 500, 503};
  lambdagate::http::ClientResponse response;
  response.status = kStatuses[data[0] % std::size(kStatuses)];
  response.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  const aws::StsResult result = aws::parse_sts_response(response);
  if (const auto* role = std::get_if<aws::AssumedRole>(&result)) {
    check(response.status >= 200 && response.status <= 299);
    check(!role->credentials.access_key_id.empty() && !role->credentials.secret_access_key.empty() &&
          !role->credentials.session_token.empty() && role->credentials.expiration.has_value());
    return 0;
  }
  const auto& error = std::get<aws::StsError>(result);
  check(error.http_status == response.status);
  check(is_identifier(error.code));
  check(!error.message.empty() && error.message.size() <= 400);
  for (char c : error.message) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  check(error.retryable == aws::is_retryable_sts_error(error.code, response.status));
  return 0;
}
