#include "lambdagate/aws/signed_caller.hpp"

#include <chrono>

#include "lambdagate/http/wire_request.hpp"

namespace lambdagate::aws {

SignedCaller::SignedCaller(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                           std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock)
    : http_(http),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      clock_(clock),
      host_(endpoint_.host_header()),
      signer_("lambda", region_) {}

core::Task<std::variant<http::ClientRequest, core::Error>> SignedCaller::sign(
    SigningRequest& request, const std::string& body, std::string_view what, core::Deadline deadline) {
  if (auto wire = sign_now(request, body)) co_return std::move(*wire);
  co_return co_await wait_and_sign(request, body, what, deadline);
}

std::shared_ptr<const Credentials> SignedCaller::credentials_at(core::SystemTime now) const {
  return credentials_ ? credentials_->current(now) : nullptr;
}

std::optional<http::ClientRequest> SignedCaller::sign_now(SigningRequest& request, const std::string& body) {
  const core::SystemTime now = clock_.system_now();
  std::shared_ptr<const Credentials> credentials = credentials_at(now);
  if (!credentials) return std::nullopt;
  return signed_request(request, body, *credentials, now);
}

core::Task<std::variant<http::ClientRequest, core::Error>> SignedCaller::wait_and_sign(
    SigningRequest& request, const std::string& body, std::string_view what, core::Deadline deadline) {
  std::shared_ptr<const Credentials> credentials;
  if (credentials_) credentials = co_await credentials_->wait_for_credentials(deadline);
  if (!credentials) {
    co_return core::Error{core::ErrorKind::CredentialsUnavailable,
                          "no usable AWS credentials for " + std::string(what)};
  }
  co_return signed_request(request, body, *credentials, clock_.system_now());
}

namespace {

constexpr std::size_t kSignatureHexDigits = 64;

}  // namespace

std::optional<std::variant<http::WireRequest, http::ClientError>> SignedCaller::sign_wire_now(
    SigningRequest& signing, const std::string& body) {
  const core::SystemTime now = clock_.system_now();
  std::shared_ptr<const Credentials> credentials = credentials_at(now);
  if (!credentials) return std::nullopt;
  http::ClientRequest request = signed_request(signing, body, *credentials, now);
  // The signature ends the Authorization value, the signer's last header; to_wire puts
  // Content-Length after it (always, for a POST). The head is kept only when it has that shape.
  std::string tail;
  if (const auto& [name, value] = request.headers.back();
      name == "authorization" && value.size() > kSignatureHexDigits) {
    tail.assign(value, value.size() - kSignatureHexDigits).append("\r\n");
    http::append_content_length(tail, body.size());
  }
  std::variant<http::WireRequest, http::ClientError> wire = http::to_wire(std::move(request));
  const auto* made = std::get_if<http::WireRequest>(&wire);
  if (made && !tail.empty() && made->head.ends_with(tail)) {
    repeat_head_.assign(made->head, 0, made->head.size() - tail.size());
  }
  return wire;
}

std::optional<http::WireRequest> SignedCaller::repeat(const std::string& body) {
  if (repeat_head_.empty()) return std::nullopt;
  // Only the second counts here, so the coarse clock will do (core/clock.hpp), unless the next
  // second may have begun within the tick it can be behind: then the precise clock decides.
  using std::chrono::floor, std::chrono::seconds;
  core::SystemTime now = clock_.system_coarse();
  if (floor<seconds>(now + clock_.coarse_tick()) != floor<seconds>(now)) now = clock_.system_now();
  std::shared_ptr<const Credentials> credentials = credentials_at(now);
  if (!credentials) return std::nullopt;
  const std::optional<std::string_view> signature = signer_.sign_repeat(body, *credentials, now);
  if (!signature) return std::nullopt;
  http::WireRequest wire;
  // Room for the signature, its line end and "Content-Length: <up to 20 digits>\r\n\r\n".
  wire.head.reserve(repeat_head_.size() + signature->size() + 2 + 40);
  wire.head.append(repeat_head_).append(*signature).append("\r\n");
  http::append_content_length(wire.head, body.size());
  wire.body = body;
  return wire;
}

http::ClientRequest SignedCaller::signed_request(SigningRequest& request, const std::string& body,
                                                 const Credentials& credentials, core::SystemTime now) {
  repeat_head_.clear();  // the signer's last request is about to be another
  http::ClientRequest wire;
  wire.method = request.method;
  wire.body = body;
  request.payload = wire.body;
  // The path is signed exactly as it goes on the wire, so an encoded ':' (%3A) is signed as %253A.
  if (!endpoint_.base_path.empty()) request.path.insert(0, endpoint_.base_path);
  // Room for host and the signer's x-amz-date, token and authorization: one allocation at most.
  request.headers.reserve(request.headers.size() + 4);
  // Last, not first: the signer sorts the names anyway, and the HTTP client sends them in any
  // order, so nothing before it has to move.
  request.headers.emplace_back("host", host_);
  signer_.sign(request, credentials, now);

  wire.target = std::move(request.path);
  if (!request.query.empty()) {
    wire.target.push_back('?');
    wire.target.append(request.query);
  }
  wire.headers = std::move(request.headers);
  return wire;
}

core::Error transport_error(const http::ClientError& failure, std::string_view what) {
  core::Error error;
  if (failure.kind == http::ClientErrorKind::Timeout) {
    error.kind = core::ErrorKind::UpstreamTimeout;
    error.message = "Lambda did not answer " + std::string(what) + " in time";
    if (!failure.message.empty()) error.message += " (" + failure.message + ")";
    error.transport = core::TransportFailure::Timeout;
  } else {
    error.kind = core::ErrorKind::UpstreamUnavailable;
    // The client's HTTP error names the endpoint and, for TLS, OpenSSL's reason: for the log
    // (the gateway gives the client the route and logical function only).
    error.message =
        "could not reach Lambda for " + std::string(what) + ": " + std::string(http::to_string(failure.kind));
    if (!failure.message.empty()) error.message += " (" + failure.message + ")";
    error.transport = failure.kind == http::ClientErrorKind::ConnectFailed ? core::TransportFailure::ConnectFailure
                      : failure.kind == http::ClientErrorKind::Reset       ? core::TransportFailure::Reset
                                                                           : core::TransportFailure::Other;
  }
  return error;
}

}  // namespace lambdagate::aws
