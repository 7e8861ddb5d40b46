// The Lambda Invoke protocol as pure functions (reference/aws-protocols.md §3).
#include "lambdagate/aws/lambda_api.hpp"

#include "quoting.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "lambdagate/aws/sigv4.hpp"

namespace lambdagate::aws {

namespace {

constexpr std::size_t kMaxFunctionNameForm = 256;  // whole FunctionName, ARN included
constexpr std::size_t kMaxFunctionName = 64;
constexpr std::size_t kMaxQualifier = 128;
constexpr std::size_t kMaxErrorType = 128;

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_name_char(char c) { return is_alnum(c) || c == '-' || c == '_'; }

bool all_of(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = s.find(sep, pos);
    parts.push_back(s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return parts;
}

std::optional<std::string> check_bare_name(std::string_view name) {
  if (name.empty()) return "the function name part is empty";
  if (name.size() > kMaxFunctionName) return "the function name is longer than 64 characters";
  if (!all_of(name, is_name_char)) return "the function name may hold only letters, digits, '-' and '_'";
  return std::nullopt;
}

std::optional<std::string> check_qualifier(std::string_view qualifier) {
  if (qualifier == "$LATEST" || qualifier == "$LATEST.PUBLISHED") return std::nullopt;
  if (qualifier.empty()) return "the qualifier after ':' is empty";
  if (qualifier.size() > kMaxQualifier) return "the qualifier is longer than 128 characters";
  if (!all_of(qualifier, is_name_char)) {
    return "the qualifier must be $LATEST, a version or an alias (letters, digits, '-' and '_')";
  }
  return std::nullopt;
}

std::optional<std::string> check_account(std::string_view account) {
  if (account.size() != 12 || !all_of(account, [](char c) { return c >= '0' && c <= '9'; })) {
    return "the account id must be 12 digits";
  }
  return std::nullopt;
}

// `<name>[:<qualifier>]` given as split parts.
std::optional<std::string> check_name_and_qualifier(const std::vector<std::string_view>& parts,
                                                    std::size_t first) {
  if (auto e = check_bare_name(parts[first])) return e;
  if (parts.size() > first + 1) return check_qualifier(parts[first + 1]);
  return std::nullopt;
}

// The part of an error code a client may see: AWS codes are identifiers, so anything past the
// first character that is not one (a URL, JSON, a message) is cut off.
std::string safe_error_type(std::string_view raw) {
  if (const auto colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (const auto hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  const auto end = std::find_if(raw.begin(), raw.end(),
                                [](char c) { return !(is_alnum(c) || c == '.' || c == '_' || c == '-'); });
  raw = raw.substr(0, static_cast<std::size_t>(end - raw.begin()));
  return std::string(raw.substr(0, kMaxErrorType));
}

bool valid_region(std::string_view region) {
  return !region.empty() &&
         all_of(region, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::optional<std::string> non_empty_env(EnvLookup env, const char* name) {
  auto value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}


}  // namespace

std::string resolve_function_name(std::string_view name, std::string_view account_id,
                                  std::string_view region) {
  // Full and partial ARNs already name their account: they go as written.
  const bool qualified = name.starts_with("arn:") || name.find(":function:") != std::string_view::npos;
  if (account_id.empty() || qualified) return std::string(name);
  std::string arn = "arn:";
  arn.append(partition_for_region(region)).append(":lambda:").append(region).push_back(':');
  arn.append(account_id).append(":function:").append(name);
  return arn;
}

std::optional<std::string> validate_function_name(std::string_view name) {
  std::optional<std::string> problem;
  if (name.empty()) {
    problem = "it is empty";
  } else if (name.size() > kMaxFunctionNameForm) {
    problem = "it is longer than 256 characters";
  } else {
    const auto parts = split(name, ':');
    if (parts[0] == "arn") {
      // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
      if (parts.size() < 7 || parts.size() > 8) {
        problem = "an ARN must read arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]";
      } else if (!parts[1].starts_with("aws") ||
                 !all_of(parts[1], [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; })) {
        problem = "the ARN partition must be aws, aws-cn, aws-us-gov, …";
      } else if (parts[2] != "lambda") {
        problem = "the ARN is not a Lambda ARN";
      } else if (!valid_region(parts[3])) {
        problem = "the ARN region is invalid";
      } else if (auto e = check_account(parts[4])) {
        problem = std::move(e);
      } else if (parts[5] != "function") {
        problem = "the ARN resource type must be 'function'";
      } else {
        problem = check_name_and_qualifier(parts, 6);
      }
    } else if (parts.size() >= 3 && parts[1] == "function") {
      // <account>:function:<name>[:<qualifier>]
      if (parts.size() > 4) {
        problem = "a partial ARN must read <account>:function:<name>[:<qualifier>]";
      } else if (auto e = check_account(parts[0])) {
        problem = std::move(e);
      } else {
        problem = check_name_and_qualifier(parts, 2);
      }
    } else if (parts.size() > 2) {
      problem = "expected <name>, <name>:<qualifier>, a partial ARN or a full ARN";
    } else {
      problem = check_name_and_qualifier(parts, 0);
    }
  }
  if (!problem) return std::nullopt;
  return "invalid Lambda function name " + in_quotes(name) + ": " + *problem;
}

namespace {

// prefix + the encoded function name + suffix, in one string sized up front (an ARN encodes its
// ':' as three bytes each).
std::string function_path(std::string_view prefix, std::string_view function_name, std::string_view suffix) {
  std::string path;
  path.reserve(prefix.size() + function_name.size() + 16 + suffix.size());
  path.append(prefix);
  sigv4::append_uri_encoded(path, function_name, false);
  path.append(suffix);
  return path;
}

}  // namespace

std::string invoke_path(std::string_view function_name) {
  return function_path("/2015-03-31/functions/", function_name, "/invocations");
}

std::string invoke_stream_path(std::string_view function_name) {
  return function_path("/2021-11-15/functions/", function_name, "/response-streaming-invocations");
}

std::string invoke_query(std::string_view qualifier) {
  if (qualifier.empty()) return {};
  std::string query;
  query.reserve(10 + qualifier.size() + 8);
  query.append("Qualifier=");
  sigv4::append_uri_encoded(query, qualifier, false);
  return query;
}

std::string partition_for_region(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

std::string default_lambda_url(std::string_view region) {
  std::string url = "https://lambda.";
  url.append(region).append(".amazonaws.com");
  if (partition_for_region(region) == "aws-cn") url.append(".cn");
  return url;
}

std::optional<http::Endpoint> lambda_endpoint(std::string_view region, EnvLookup env, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<http::Endpoint> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (env == nullptr) env = &process_env;
  // The service-specific override wins over the general one, as in the SDKs.
  for (const char* variable : {"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"}) {
    if (auto url = non_empty_env(env, variable)) {
      std::string why;
      auto endpoint = http::parse_endpoint(*url, &why);
      // The URL itself is not repeated: it could carry user info.
      if (!endpoint) return fail(std::string(variable) + " is not a valid endpoint URL: " + why);
      return endpoint;
    }
  }
  if (region.empty()) return fail("no AWS region for Lambda (set the Upstream's region or AWS_REGION)");
  if (!valid_region(region)) return fail("invalid AWS region '" + std::string(region) + "'");
  std::string why;
  auto endpoint = http::parse_endpoint(default_lambda_url(region), &why);
  if (!endpoint)
    return fail("cannot build the Lambda endpoint for region '" + std::string(region) + "': " + why);
  return endpoint;
}

std::string aws_error_type(const http::ClientResponse& response) {
  if (auto header = response.header("x-amzn-ErrorType"); header && !header->empty()) {
    return safe_error_type(*header);
  }
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return {};
  for (const char* key : {"code", "Code", "__type"}) {
    const auto it = body.find(key);
    if (it != body.end() && it->is_string()) {
      auto type = safe_error_type(it->get_ref<const std::string&>());
      if (!type.empty()) return type;
    }
  }
  return {};
}

namespace {

// The error kind and the operator's message for a non-2xx Invoke answer.
core::Error classify_by_status(unsigned http_status, const std::string& type, const std::string& status,
                               const std::string& cause, const std::string& name) {
  using core::ErrorKind;
  if (http_status == 429) {
    return {ErrorKind::LambdaThrottled, "Lambda throttled the call to " + name + ": " + cause};
  }
  if (http_status >= 500 && http_status <= 599) {
    return {ErrorKind::UpstreamUnavailable, "Lambda failed the call to " + name + ": " +
                                                (type.empty() ? status : type + " (" + status + ")")};
  }
  if (type == "InvalidRequestContentException") {
    return {ErrorKind::InvalidPayload, "Lambda rejected the payload for " + name + ": " + type};
  }
  if (http_status == 413 || type == "RequestTooLargeException" ||
      type == "SerializedRequestEntityTooLargeException") {
    return {ErrorKind::PayloadTooLarge, "the payload is too large for " + name + ": " + cause};
  }
  if (http_status >= 400 && http_status <= 499) {
    return {ErrorKind::LambdaRejected, "Lambda rejected the call to " + name + ": " + cause};
  }
  return {ErrorKind::UpstreamUnavailable,
          "Lambda answered the call to " + name + " with unexpected " + status};
}

}  // namespace

core::Error classify_invoke_error(const http::ClientResponse& response, std::string_view function_name) {
  const std::string type = aws_error_type(response);
  const std::string status = "HTTP " + std::to_string(response.status);
  // Lambda's error type when it sent one, else the status: enough to act on, nothing raw.
  const std::string cause = type.empty() ? status : type;
  core::Error error = classify_by_status(response.status, type, status, cause, in_quotes(function_name));
  error.upstream_error_type = type;
  return error;
}

}  // namespace lambdagate::aws
