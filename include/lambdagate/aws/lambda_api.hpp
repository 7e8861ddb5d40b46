#pragma once
// The Lambda Invoke wire protocol as pure functions (reference/aws-protocols.md §3):
// function-name forms, request paths, endpoints, and how an Invoke response is classified.
#include <optional>
#include <string>
#include <string_view>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

// The FunctionName the Invoke API gets: `name` as written (name, name:alias, partial or full ARN);
// when `account_id` is set and `name` is a plain name (or name:qualifier), the full ARN
// arn:<partition>:lambda:<region>:<account_id>:function:<name>.
std::string resolve_function_name(std::string_view name, std::string_view account_id,
                                  std::string_view region);

// Checks a FunctionName against Lambda's accepted forms; returns a message when invalid.
std::optional<std::string> validate_function_name(std::string_view name);

// "/2015-03-31/functions/<UriEncode(function_name)>/invocations" (':' → %3A, '$' → %24).
std::string invoke_path(std::string_view function_name);
// "/2021-11-15/functions/<UriEncode(function_name)>/response-streaming-invocations"
// (InvokeWithResponseStream, reference/aws-protocols.md §4).
std::string invoke_stream_path(std::string_view function_name);
// "Qualifier=<UriEncode(qualifier)>", or "" when qualifier is empty.
std::string invoke_query(std::string_view qualifier);

// "aws", "aws-cn" or "aws-us-gov" from the region name.
std::string partition_for_region(std::string_view region);
// https://lambda.<region>.amazonaws.com (".amazonaws.com.cn" in China).
std::string default_lambda_url(std::string_view region);

// The Lambda endpoint: AWS_ENDPOINT_URL_LAMBDA, else AWS_ENDPOINT_URL, else the default for the
// region. nullopt with `error` set when an override is malformed.
std::optional<http::Endpoint> lambda_endpoint(std::string_view region, EnvLookup env,
                                              std::string* error);

// The error code of a failed AWS REST-JSON response: the x-amzn-ErrorType header (text before
// the first ':' and after any '#'), else "code"/"Code"/"__type" in the JSON body; "" if none.
std::string aws_error_type(const http::ClientResponse& response);

// Maps a non-2xx Invoke response to the client-facing error (DESIGN.md §4):
// 429 → LambdaThrottled; 5xx → UpstreamUnavailable; InvalidRequestContentException and
// RequestTooLargeException → InvalidPayload / PayloadTooLarge; other 4xx → LambdaRejected
// naming Lambda's error type. The message never carries Lambda's raw body.
core::Error classify_invoke_error(const http::ClientResponse& response, std::string_view function_name);

}  // namespace lambdagate::aws
