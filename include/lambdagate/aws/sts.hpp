#pragma once
// STS (reference/aws-protocols.md §2) as pure functions: endpoints, the AssumeRoleWithWebIdentity
// and AssumeRole requests (awsQuery, form-encoded POST), and the XML responses, success and
// error shapes, with each error code classified as retryable or not.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

// Where STS is: AWS_ENDPOINT_URL_STS, else `settings_uri` (Settings
// serviceAccountCredentials.uri; a bare host means https://host), else AWS_ENDPOINT_URL, else
// https://sts.<region>.amazonaws.com — or the global https://sts.amazonaws.com for the legacy
// regions when AWS_STS_REGIONAL_ENDPOINTS=legacy. nullopt with `error` set when malformed.
std::optional<http::Endpoint> sts_endpoint(std::string_view region, std::string_view settings_uri, EnvLookup env,
                                           std::string* error);

// Whether `name` is a valid RoleSessionName: 2–64 characters of [A-Za-z0-9_+=,.@-]. The caller
// supplies the name; config validation can use this to report a bad one at load time.
bool valid_role_session_name(std::string_view name);

// Form body for AssumeRoleWithWebIdentity (unsigned: the token authenticates).
std::string assume_role_with_web_identity_body(std::string_view role_arn, std::string_view session_name,
                                               std::string_view web_identity_token,
                                               std::optional<std::chrono::seconds> duration = std::nullopt);
// Form body for AssumeRole (the caller signs it with SigV4, service "sts").
std::string assume_role_body(std::string_view role_arn, std::string_view session_name,
                             std::optional<std::chrono::seconds> duration = std::nullopt);

struct StsError {
  std::string code;     // e.g. "Throttling", "AccessDenied"; "" when the body was not STS XML
  std::string message;  // STS's message (never contains the token or keys we sent)
  unsigned http_status = 0;
  bool retryable = false;
};

// Whether an STS error code is worth retrying (Throttling, IDPCommunicationError,
// InvalidIdentityToken, 5xx; not AccessDenied, validation errors, expired tokens...).
bool is_retryable_sts_error(std::string_view code, unsigned http_status);

struct AssumedRole {
  Credentials credentials;  // expiration always set
  std::string assumed_role_arn;
};

using StsResult = std::variant<AssumedRole, StsError>;

// Parses an STS response (either operation): 200 with <Credentials>, or <ErrorResponse>.
// Malformed XML or missing fields → StsError (retryable for 5xx, else not).
StsResult parse_sts_response(const http::ClientResponse& response);

}  // namespace lambdagate::aws
