// libFuzzer target for SigV4 canonicalisation (src/aws/sigv4.cpp): the request target and headers
// a client sent reach the signer (the Lambda path embeds the function name; a discovery listing
// its marker; headers can be forwarded), so the canonical URI, query string and headers must
// hold up to any bytes.
//
// Input: [flags]method\ntarget\n[name:value\n]...\n\n[payload]. flags bit 0: normalise the path
// (every service but S3); bit 1: temporary credentials (a session token); bit 2: the signer's
// second moves on by a day (its cached date, scope and key must follow).
//
// Checked, beyond "no crash, no sanitizer report":
// - sign() on a long-lived signer (its buffers and caches carried from input to input) and
//   sign_traced() on a fresh one give the same Authorization and leave the same headers;
// - the traced canonical request, string to sign and signature equal the pure steps of sigv4::
//   over the request as signed (the fast path never diverges from them);
// - the canonical query string is sorted and the canonical URI is within the unreserved set,
//   '/' and '%XX';
// - exactly one authorization and x-amz-date are left on the request.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdagate/aws/sigv4.hpp"

namespace aws = lambdagate::aws;
namespace sigv4 = lambdagate::aws::sigv4;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::string_view next_line(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

std::size_t count(const aws::HeaderList& headers, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; }));
}

bool canonical_uri_charset(std::string_view uri) {
  for (std::size_t i = 0; i < uri.size(); ++i) {
    const char c = uri[i];
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (unreserved) continue;
    if (c != '%' || i + 2 >= uri.size()) return false;
    i += 2;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const bool normalize = flags & 0x01u;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t blank = rest.find("\n\n");
  const std::string_view payload =
      blank == std::string_view::npos ? std::string_view{} : rest.substr(blank + 2);
  if (blank != std::string_view::npos) rest = rest.substr(0, blank);

  aws::SigningRequest request;
  request.method = std::string(next_line(rest));
  const std::string_view target = next_line(rest);
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.headers.emplace_back("host", "lambda.us-east-1.amazonaws.com");
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    const std::size_t colon = line.find(':');
    request.headers.emplace_back(
        std::string(line.substr(0, colon)),
        colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }
  request.payload = payload;

  const aws::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     (flags & 0x02u) ? "IQoJb3JpZ2luX2VjEXAMPLETOKEN" : "", std::nullopt};
  const lambdagate::core::SystemTime now(std::chrono::seconds((flags & 0x04u) ? 1795086000 : 1795000000));

  // One signer per normalisation setting, kept from input to input like a worker's.
  static aws::SigV4Signer normalizing("lambda", "us-east-1", true);
  static aws::SigV4Signer raw("lambda", "us-east-1", false);
  aws::SigningRequest fast_request = request;
  const std::string authorization((normalize ? normalizing : raw).sign(fast_request, credentials, now));

  aws::SigV4Signer fresh("lambda", "us-east-1", normalize);
  aws::SigningRequest traced_request = request;
  const aws::SigningResult traced = fresh.sign_traced(traced_request, credentials, now);
  check(traced.authorization == authorization);
  check(traced_request.headers == fast_request.headers);
  check(count(fast_request.headers, "authorization") == 1 && count(fast_request.headers, "x-amz-date") == 1);

  // The pure steps over the request as signed, without its authorization.
  aws::HeaderList as_signed = fast_request.headers;
  std::erase_if(as_signed, [](const auto& h) { return h.first == "authorization"; });
  const std::string uri = sigv4::canonical_uri(request.path, normalize);
  const std::string query = sigv4::canonical_query_string(request.query);
  const std::string canonical = sigv4::canonical_request(
      request.method, uri, query, sigv4::canonical_headers(as_signed), sigv4::sha256_hex(payload));
  check(traced.canonical_request == canonical);
  const std::string amz_date = sigv4::format_amz_date(now);
  const std::string scope = sigv4::credential_scope(amz_date.substr(0, 8), "us-east-1", "lambda");
  const std::string to_sign = sigv4::string_to_sign(amz_date, scope, canonical);
  check(traced.string_to_sign == to_sign);
  const std::string key =
      sigv4::derive_signing_key(credentials.secret_access_key, amz_date.substr(0, 8), "us-east-1", "lambda");
  check(traced.signature == sigv4::signature_hex(key, to_sign));

  check(canonical_uri_charset(uri));
  std::vector<std::pair<std::string_view, std::string_view>> pairs;  // (name, value)
  for (std::string_view q = query; !q.empty();) {
    const std::size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const std::size_t equals = pair.find('=');
    pairs.emplace_back(pair.substr(0, equals),
                       equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1));
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
  }
  check(std::is_sorted(pairs.begin(), pairs.end()));
  return 0;
}
