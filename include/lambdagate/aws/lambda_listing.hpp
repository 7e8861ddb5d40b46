#pragma once
// Lambda's listing calls for function discovery (reference/aws-protocols.md §5): ListFunctions
// with FunctionVersion=ALL and ListAliases, one page per call. The wire format is parsed by pure
// functions; LambdaListingClient signs and sends one page request, like AwsLambdaClient does an
// Invoke, and never sends an unsigned one.
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/signed_caller.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

// One entry of ListFunctions(FunctionVersion=ALL): one version of one function.
struct FunctionVersionInfo {
  std::string function_name;  // FunctionName, e.g. "uppercase"
  std::string version;        // Version: "$LATEST" or a published version number, e.g. "3"
  std::string function_arn;   // FunctionArn (qualified for published versions)
  bool operator==(const FunctionVersionInfo&) const = default;
};

// One entry of ListAliases.
struct AliasInfo {
  std::string name;              // Name, e.g. "live"
  std::string function_version;  // FunctionVersion the alias points at, e.g. "3" or "$LATEST"
  std::string alias_arn;         // AliasArn
  bool operator==(const AliasInfo&) const = default;
};

// One page of a listing; `next_marker` empty when it was the last page.
template <class T>
struct ListPage {
  std::vector<T> items;
  std::string next_marker;
};

// A page, or why the call failed: kind LambdaThrottled for 429 (TooManyRequestsException),
// UpstreamUnavailable for 5xx, transport failures and unreadable bodies, UpstreamTimeout for the
// deadline, LambdaRejected for other 4xx (naming Lambda's error type, e.g. AccessDeniedException),
// CredentialsUnavailable when there were no credentials to sign with. upstream_status is set when
// Lambda answered.
template <class T>
using ListResult = std::variant<ListPage<T>, core::Error>;

// Why a 200 body could not be read; never quotes the body.
struct ListParseError {
  std::string message;
};
template <class T>
using ParsedPage = std::variant<ListPage<T>, ListParseError>;

// {"Functions":[{"FunctionName","Version","FunctionArn",...}...],"NextMarker":"..."|null}.
// Entries without FunctionName are an error; a missing Version counts as "$LATEST".
ParsedPage<FunctionVersionInfo> parse_list_functions(std::string_view json);
// {"Aliases":[{"Name","FunctionVersion","AliasArn",...}...],"NextMarker":"..."|null}.
ParsedPage<AliasInfo> parse_list_aliases(std::string_view json);

// "/2015-03-31/functions/" and "FunctionVersion=ALL[&Marker=<UriEncode(marker)>]" (already in
// canonical order: F < M).
std::string list_functions_path();
std::string list_functions_query(std::string_view marker);
// "/2015-03-31/functions/<UriEncode(name)>/aliases" and "[Marker=<UriEncode(marker)>]".
std::string list_aliases_path(std::string_view function_name);
std::string list_aliases_query(std::string_view marker);

// Maps a non-2xx listing response to an error naming the operation and Lambda's error type
// (never its raw body): 429 → LambdaThrottled, 5xx → UpstreamUnavailable, other 4xx →
// LambdaRejected.
core::Error classify_listing_error(const http::ClientResponse& response, std::string_view operation);

// The listing calls of one Upstream's discovery: its own signer for ("lambda", region), the
// Upstream's credentials, and an HttpClient. Not thread-safe (the signer caches its key): one per
// discoverer, used on the control thread.
class LambdaListingClient {
 public:
  LambdaListingClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                      std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock);

  // GET /2015-03-31/functions/?FunctionVersion=ALL[&Marker=marker]; marker empty = first page.
  core::Task<ListResult<FunctionVersionInfo>> list_functions_page(std::string marker,
                                                                  core::Deadline deadline);
  // GET /2015-03-31/functions/{function_name}/aliases[?Marker=marker].
  core::Task<ListResult<AliasInfo>> list_aliases_page(std::string function_name,
                                                      std::string marker,
                                                      core::Deadline deadline);

 private:
  // Signs and sends one GET; the 2xx response, or the error for a failed call. `what` names the
  // call in messages. References: only ever co_awaited at once by the two calls above.
  core::Task<std::variant<http::ClientResponse, core::Error>> get(const std::string& path,
                                                                  const std::string& query,
                                                                  const std::string& what,
                                                                  core::Deadline deadline);

  SignedCaller caller_;
};

}  // namespace lambdagate::aws
