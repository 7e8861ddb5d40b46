#include "lambdagate/aws/signed_caller.hpp"

namespace lambdagate::aws {

SignedCaller::SignedCaller(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                           std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock)
    : http_(http),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      clock_(clock),
      signer_("lambda", region_) {}

boost::asio::awaitable<std::variant<http::ClientRequest, core::Error>> SignedCaller::sign(
    const SigningRequest& request, const std::string& body, std::string_view what, core::Deadline deadline) {
  core::SystemTime now = clock_.system_now();
  std::shared_ptr<const Credentials> credentials = credentials_ ? credentials_->current(now) : nullptr;
  if (!credentials && credentials_) {
    credentials = co_await credentials_->wait_for_credentials(deadline);
    now = clock_.system_now();
  }
  if (!credentials) {
    co_return core::Error{core::ErrorKind::CredentialsUnavailable,
                          "no usable AWS credentials for " + std::string(what)};
  }

  http::ClientRequest wire;
  wire.method = request.method;
  wire.body = body;
  SigningRequest signing;
  signing.method = request.method;
  signing.path = endpoint_.base_path + request.path;
  signing.query = request.query;
  signing.payload = wire.body;
  signing.headers.reserve(request.headers.size() + 4);
  signing.headers.emplace_back("host", endpoint_.host_header());
  signing.headers.insert(signing.headers.end(), request.headers.begin(), request.headers.end());
  // The path is signed exactly as it goes on the wire, so an encoded ':' (%3A) is signed as %253A.
  signer_.sign(signing, *credentials, now);

  wire.target = std::move(signing.path);
  if (!signing.query.empty()) {
    wire.target.push_back('?');
    wire.target.append(signing.query);
  }
  wire.headers = std::move(signing.headers);
  co_return wire;
}

core::Error transport_error(const http::ClientError& failure, std::string_view what) {
  core::Error error;
  if (failure.kind == http::ClientErrorKind::Timeout) {
    error.kind = core::ErrorKind::UpstreamTimeout;
    error.message = "Lambda did not answer " + std::string(what) + " in time";
    error.transport = core::TransportFailure::Timeout;
  } else {
    error.kind = core::ErrorKind::UpstreamUnavailable;
    error.message =
        "could not reach Lambda for " + std::string(what) + ": " + std::string(http::to_string(failure.kind));
    error.transport = failure.kind == http::ClientErrorKind::ConnectFailed ? core::TransportFailure::ConnectFailure
                      : failure.kind == http::ClientErrorKind::Reset       ? core::TransportFailure::Reset
                                                                           : core::TransportFailure::Other;
  }
  return error;
}

}  // namespace lambdagate::aws
