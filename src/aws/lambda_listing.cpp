// ListFunctions / ListAliases for function discovery (reference/aws-protocols.md §5).
#include "lambdagate/aws/lambda_listing.hpp"

#include <nlohmann/json.hpp>

#include "lambdagate/aws/lambda_api.hpp"
#include "quoting.hpp"

namespace lambdagate::aws {

namespace {

constexpr std::string_view kFunctionsPath = "/2015-03-31/functions/";

std::string marker_query(std::string_view marker) {
  std::string out = "Marker=";
  out.append(sigv4::uri_encode(marker, /*keep_slash=*/false));
  return out;
}

}  // namespace

std::string list_functions_path() { return std::string(kFunctionsPath); }

std::string list_functions_query(std::string_view marker) {
  std::string query = "FunctionVersion=ALL";
  if (!marker.empty()) {
    query.push_back('&');
    query.append(marker_query(marker));
  }
  return query;
}

std::string list_aliases_path(std::string_view function_name) {
  std::string path(kFunctionsPath);
  path.append(sigv4::uri_encode(function_name, /*keep_slash=*/false));
  path.append("/aliases");
  return path;
}

std::string list_aliases_query(std::string_view marker) {
  return marker.empty() ? std::string() : marker_query(marker);
}

core::Error classify_listing_error(const http::ClientResponse& response, std::string_view operation) {
  using core::ErrorKind;
  const std::string type = aws_error_type(response);
  const std::string status = "HTTP " + std::to_string(response.status);
  const std::string cause = type.empty() ? status : type + " (" + status + ")";
  const std::string op(operation);
  core::Error error;
  if (response.status == 429) {
    error = {ErrorKind::LambdaThrottled, "Lambda throttled " + op + ": " + cause};
  } else if (response.status >= 500 && response.status <= 599) {
    error = {ErrorKind::UpstreamUnavailable, "Lambda failed " + op + ": " + cause};
  } else if (response.status >= 400 && response.status <= 499) {
    error = {ErrorKind::LambdaRejected, "Lambda rejected " + op + ": " + cause};
  } else {
    error = {ErrorKind::UpstreamUnavailable, "Lambda answered " + op + " with unexpected " + status};
  }
  error.upstream_status = response.status;
  return error;
}

LambdaListingClient::LambdaListingClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                                         std::shared_ptr<const CredentialsSource> credentials,
                                         const core::Clock& clock)
    : caller_(http, std::move(endpoint), std::move(region), std::move(credentials), clock) {}

core::Task<std::variant<http::ClientResponse, core::Error>> LambdaListingClient::get(
    const std::string& path, const std::string& query, const std::string& what, core::Deadline deadline) {
  SigningRequest signing;
  signing.method = "GET";
  signing.path = path;
  signing.query = query;
  const std::string no_body;
  auto prepared = co_await caller_.sign(signing, no_body, what, deadline);
  if (auto* error = std::get_if<core::Error>(&prepared)) co_return std::move(*error);
  http::ClientRequest& wire = std::get<http::ClientRequest>(prepared);

  http::ClientResult result = co_await caller_.http().send(caller_.endpoint(), std::move(wire), deadline);
  if (auto* failure = std::get_if<http::ClientError>(&result)) co_return transport_error(*failure, what);
  auto& response = std::get<http::ClientResponse>(result);
  if (response.status < 200 || response.status > 299) co_return classify_listing_error(response, what);
  co_return std::move(response);
}

core::Task<ListResult<FunctionVersionInfo>> LambdaListingClient::list_functions_page(
    std::string marker, core::Deadline deadline) {
  std::string path = list_functions_path();
  std::string query = list_functions_query(marker);
  std::string what = "ListFunctions";
  auto answer = co_await get(path, query, what, deadline);
  if (auto* error = std::get_if<core::Error>(&answer)) co_return std::move(*error);
  auto parsed = parse_list_functions(std::get<http::ClientResponse>(answer).body);
  if (auto* problem = std::get_if<ListParseError>(&parsed)) {
    co_return core::Error{core::ErrorKind::UpstreamUnavailable, std::move(problem->message)};
  }
  co_return std::move(std::get<ListPage<FunctionVersionInfo>>(parsed));
}

core::Task<ListResult<AliasInfo>> LambdaListingClient::list_aliases_page(
    std::string function_name, std::string marker, core::Deadline deadline) {
  std::string path = list_aliases_path(function_name);
  std::string query = list_aliases_query(marker);
  std::string what = "ListAliases for " + in_quotes(function_name);
  auto answer = co_await get(path, query, what, deadline);
  if (auto* error = std::get_if<core::Error>(&answer)) co_return std::move(*error);
  auto parsed = parse_list_aliases(std::get<http::ClientResponse>(answer).body);
  if (auto* problem = std::get_if<ListParseError>(&parsed)) {
    core::Error error{core::ErrorKind::UpstreamUnavailable, std::move(problem->message)};
    co_return error;
  }
  co_return std::move(std::get<ListPage<AliasInfo>>(parsed));
}

}  // namespace lambdagate::aws
