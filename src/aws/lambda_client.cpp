// AwsLambdaClient: one signed Invoke over the worker's HttpClient (reference/aws-protocols.md §3).
#include "lambdagate/aws/lambda_client.hpp"

#include "quoting.hpp"

#include <algorithm>
#include <cctype>

#include "lambdagate/aws/lambda_api.hpp"

namespace lambdagate::aws {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Headers the client owns: an extra header must not redirect, re-type or re-frame the signed
// request, nor smuggle a signature of its own (the signer replaces those anyway).
bool is_reserved_header(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "host",       "content-type",         "x-amz-invocation-type", "x-amz-log-type",    "authorization",
      "x-amz-date", "x-amz-security-token", "content-length",        "transfer-encoding", "connection"};
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view r) { return iequals(r, name); });
}

std::string_view invocation_type_name(InvocationType type) {
  switch (type) {
    case InvocationType::RequestResponse:
      return "RequestResponse";
    case InvocationType::Event:
      return "Event";
  }
  return "RequestResponse";
}


}  // namespace

AwsLambdaClient::AwsLambdaClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                                 std::shared_ptr<const CredentialsSource> credentials,
                                 const core::Clock& clock)
    : http_(http),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      credentials_(std::move(credentials)),
      clock_(clock),
      signer_("lambda", region_) {}

namespace {

// Retry-After in delta seconds (Lambda's form); anything else is ignored.
std::optional<std::chrono::milliseconds> parse_retry_after_seconds(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty() || value.size() > 6) return std::nullopt;
  unsigned seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + static_cast<unsigned>(c - '0');
  }
  return std::chrono::milliseconds(std::chrono::seconds(seconds));
}

}  // namespace

boost::asio::awaitable<InvokeResult> AwsLambdaClient::invoke(const InvokeRequest& request,
                                                             core::Deadline deadline) {
  core::SystemTime now = clock_.system_now();
  // Never an unsigned request: without credentials nothing goes on the wire. Right after start
  // the first fetch may still be in flight; then (and only then) the request waits for it.
  std::shared_ptr<const Credentials> credentials = credentials_ ? credentials_->current(now) : nullptr;
  if (!credentials && credentials_) {
    credentials = co_await credentials_->wait_for_credentials(deadline);
    now = clock_.system_now();
  }
  if (!credentials) {
    co_return core::Error{core::ErrorKind::CredentialsUnavailable,
                          "no usable AWS credentials for the call to " + in_quotes(request.function_name)};
  }

  http::ClientRequest wire;
  wire.method = "POST";
  wire.body = request.payload;

  SigningRequest signing;
  signing.method = wire.method;
  signing.path = endpoint_.base_path + invoke_path(request.function_name);
  signing.query = invoke_query(request.qualifier);
  signing.payload = wire.body;
  signing.headers.reserve(request.extra_headers.size() + 7);
  signing.headers.emplace_back("host", endpoint_.host_header());
  signing.headers.emplace_back("content-type", "application/json");
  signing.headers.emplace_back("x-amz-invocation-type", invocation_type_name(request.invocation_type));
  signing.headers.emplace_back("x-amz-log-type", "None");
  for (const auto& header : request.extra_headers) {
    if (!is_reserved_header(header.first)) signing.headers.push_back(header);
  }
  // The path is signed exactly as it goes on the wire, so an encoded ':' (%3A) is signed as %253A.
  signer_.sign(signing, *credentials, now);

  wire.target = std::move(signing.path);
  if (!signing.query.empty()) {
    wire.target.push_back('?');
    wire.target.append(signing.query);
  }
  wire.headers = std::move(signing.headers);

  http::ClientResult result = co_await http_.send(endpoint_, std::move(wire), deadline);

  if (auto* failure = std::get_if<http::ClientError>(&result)) {
    // The transport's message may name addresses and system errors: the client gets the kind only.
    core::Error error;
    if (failure->kind == http::ClientErrorKind::Timeout) {
      error.kind = core::ErrorKind::UpstreamTimeout;
      error.message = "Lambda did not answer the call to " + in_quotes(request.function_name) + " in time";
      error.transport = core::TransportFailure::Timeout;
    } else {
      error.kind = core::ErrorKind::UpstreamUnavailable;
      error.message = "could not reach Lambda for the call to " + in_quotes(request.function_name) + ": " +
                      std::string(http::to_string(failure->kind));
      error.transport = failure->kind == http::ClientErrorKind::ConnectFailed ? core::TransportFailure::ConnectFailure
                        : failure->kind == http::ClientErrorKind::Reset       ? core::TransportFailure::Reset
                                                                              : core::TransportFailure::Other;
    }
    co_return error;
  }

  auto& response = std::get<http::ClientResponse>(result);
  if (response.status < 200 || response.status > 299) {
    core::Error error = classify_invoke_error(response, request.function_name);
    error.upstream_status = response.status;
    if (auto value = response.header("retry-after")) error.retry_after = parse_retry_after_seconds(*value);
    co_return error;
  }
  InvokeResponse out;
  out.status = response.status;
  if (auto value = response.header("x-amz-function-error")) out.function_error = std::string(*value);
  if (auto value = response.header("x-amz-executed-version")) out.executed_version = std::string(*value);
  out.payload = std::move(response.body);
  co_return out;
}

}  // namespace lambdagate::aws
