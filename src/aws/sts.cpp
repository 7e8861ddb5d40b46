// STS as pure functions (reference/aws-protocols.md §2): endpoints, request bodies, and the XML
// answers of AssumeRoleWithWebIdentity and AssumeRole, parsed with a real XML parser.
#include "lambdagate/aws/sts.hpp"

#include <algorithm>
#include <array>
#include <pugixml.hpp>

#include "iso8601.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/ascii.hpp"

namespace lambdagate::aws {

namespace {

constexpr std::string_view kStsVersion = "2011-06-15";
constexpr std::string_view kGlobalStsUrl = "https://sts.amazonaws.com";
// STS messages are short; anything longer is not worth carrying into a status line.
constexpr std::size_t kMaxMessage = 300;

// Regions that AWS_STS_REGIONAL_ENDPOINTS=legacy sends to the global endpoint (botocore
// `_LEGACY_STS_REGIONS` plus the aws-global pseudo-region).
constexpr std::array<std::string_view, 16> kLegacyStsRegions = {
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
    "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",  "sa-east-1",
    "us-east-1",      "us-east-2",  "us-west-1",      "us-west-2"};

std::string lower(std::string_view s) { return core::to_lower_ascii(s); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The SDKs treat a variable set to "" as unset.
std::optional<std::string> non_empty_env(EnvLookup env, const char* name) {
  auto value = env(name);
  if (!value) return std::nullopt;
  const std::string_view trimmed = trim(*value);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

// Region names go into a host name: only what real regions use, so a typo cannot redirect us.
bool valid_region(std::string_view region) {
  return !region.empty() && region.size() <= 64 && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<http::Endpoint> endpoint_from_url(std::string_view url, std::string_view what,
                                                std::string* error) {
  std::string why;
  auto endpoint = http::parse_endpoint(url, &why);
  // The URL itself is not repeated: it could carry user info.
  if (!endpoint && error) *error = std::string(what) + " is not a valid endpoint URL: " + why;
  return endpoint;
}

void append_param(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) body.push_back('&');
  body.append(name).push_back('=');
  // awsQuery bodies are encoded like botocore's percent_encode: everything but A-Z a-z 0-9 -._~.
  body.append(sigv4::uri_encode(value, /*keep_slash=*/false));
}

std::string base_body(std::string_view action, std::string_view role_arn, std::string_view session_name) {
  std::string body;
  append_param(body, "Action", action);
  append_param(body, "Version", kStsVersion);
  append_param(body, "RoleArn", role_arn);
  append_param(body, "RoleSessionName", session_name);
  return body;
}

// ---- XML -------------------------------------------------------------------------------------

// STS qualifies nothing today, but a proxy or a future answer may prefix names ("sts:Code"):
// elements are matched by local name, whatever their namespace.
std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && local_name(node) == name) return node;
  }
  return {};
}

// The first child element whose local name ends with `suffix` ("…Result").
pugi::xml_node child_with_suffix(const pugi::xml_node& parent, std::string_view suffix) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && local_name(node).ends_with(suffix)) return node;
  }
  return {};
}

std::string text(const pugi::xml_node& node) { return std::string(trim(node.text().get())); }

// Control characters and overlong text never reach a status line or a log.
std::string safe_message(std::string_view message) {
  std::string out;
  out.reserve(std::min(message.size(), kMaxMessage));
  for (char c : trim(message)) {
    if (out.size() >= kMaxMessage) {
      out.append("...");
      break;
    }
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  return out;
}

std::string status_text(unsigned status) { return "HTTP " + std::to_string(status); }

StsError failure(std::string code, std::string message, unsigned status) {
  StsError error;
  error.retryable = is_retryable_sts_error(code, status);
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = status;
  return error;
}

// <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse>, or the EC2-style
// <Response><Errors><Error/></Errors></Response> that some AWS front ends send.
std::optional<StsError> parse_error(const pugi::xml_node& root, unsigned status) {
  pugi::xml_node error;
  if (local_name(root) == "ErrorResponse") {
    error = child(root, "Error");
  } else if (local_name(root) == "Response") {
    error = child(child(root, "Errors"), "Error");
  } else if (local_name(root) == "Error") {
    error = root;
  }
  if (!error) return std::nullopt;
  // Codes are identifiers: anything else in there is not a code we can act on.
  std::string code = text(child(error, "Code"));
  if (code.size() > 128 || !std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
               c == '_' || c == '-';
      })) {
    code.clear();
  }
  std::string message = safe_message(text(child(error, "Message")));
  if (message.empty()) message = code.empty() ? "STS error without a code" : code;
  return failure(std::move(code), std::move(message), status);
}

}  // namespace

std::optional<http::Endpoint> sts_endpoint(std::string_view region, std::string_view settings_uri,
                                           EnvLookup env, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<http::Endpoint> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (env == nullptr) env = &process_env;
  const auto ignore = non_empty_env(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  const bool use_env_urls = !(ignore && lower(*ignore) == "true");

  if (use_env_urls) {
    if (auto url = non_empty_env(env, "AWS_ENDPOINT_URL_STS")) {
      return endpoint_from_url(*url, "AWS_ENDPOINT_URL_STS", error);
    }
  }
  if (const std::string_view uri = trim(settings_uri); !uri.empty()) {
    // Gloo's Helm chart writes a bare host (sts.<region>.amazonaws.com): that means https.
    std::string url;
    if (uri.find("://") == std::string_view::npos) url = "https://";
    url.append(uri);
    return endpoint_from_url(url, "serviceAccountCredentials.uri", error);
  }
  if (use_env_urls) {
    if (auto url = non_empty_env(env, "AWS_ENDPOINT_URL"))
      return endpoint_from_url(*url, "AWS_ENDPOINT_URL", error);
  }

  bool legacy = false;
  if (auto mode = non_empty_env(env, "AWS_STS_REGIONAL_ENDPOINTS")) {
    const std::string value = lower(*mode);
    // As botocore: an unknown value is a configuration error, not silently "regional".
    if (value != "regional" && value != "legacy") {
      return fail("AWS_STS_REGIONAL_ENDPOINTS must be 'regional' or 'legacy'");
    }
    legacy = value == "legacy";
  }
  if (region.empty())
    return fail("no AWS region for STS (set serviceAccountCredentials.region or AWS_REGION)");
  if (!valid_region(region)) return fail("invalid AWS region '" + std::string(region) + "' for STS");

  const bool global = region == "aws-global" ||
                      (legacy && std::find(kLegacyStsRegions.begin(), kLegacyStsRegions.end(), region) !=
                                     kLegacyStsRegions.end());
  std::string url;
  if (global) {
    url = kGlobalStsUrl;
  } else {
    url = "https://sts.";
    url.append(region).append(".amazonaws.com");
    if (region.starts_with("cn-")) url.append(".cn");
  }
  return endpoint_from_url(url, "the STS endpoint for region '" + std::string(region) + "'", error);
}

bool valid_role_session_name(std::string_view name) {
  return name.size() >= 2 && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
         });
}

std::string assume_role_with_web_identity_body(std::string_view role_arn, std::string_view session_name,
                                               std::string_view web_identity_token,
                                               std::optional<std::chrono::seconds> duration) {
  std::string body = base_body("AssumeRoleWithWebIdentity", role_arn, session_name);
  append_param(body, "WebIdentityToken", web_identity_token);
  if (duration) append_param(body, "DurationSeconds", std::to_string(duration->count()));
  return body;
}

std::string assume_role_body(std::string_view role_arn, std::string_view session_name,
                             std::optional<std::chrono::seconds> duration) {
  std::string body = base_body("AssumeRole", role_arn, session_name);
  if (duration) append_param(body, "DurationSeconds", std::to_string(duration->count()));
  return body;
}

bool is_retryable_sts_error(std::string_view code, unsigned http_status) {
  if (http_status >= 500 || http_status == 429) return true;
  // The standard retry mode's transient and throttling codes, plus STS's own special cases:
  // IDPCommunicationError (botocore) and InvalidIdentityToken (Go v2, transient after the issuer
  // rotates its keys). ExpiredTokenException is left out: retrying the same token cannot help.
  static constexpr std::string_view kRetryable[] = {"Throttling",
                                                    "ThrottlingException",
                                                    "ThrottledException",
                                                    "RequestThrottledException",
                                                    "TooManyRequestsException",
                                                    "RequestLimitExceeded",
                                                    "RequestThrottled",
                                                    "SlowDown",
                                                    "BandwidthLimitExceeded",
                                                    "LimitExceededException",
                                                    "RequestTimeout",
                                                    "RequestTimeoutException",
                                                    "PriorRequestNotComplete",
                                                    "IDPCommunicationError",
                                                    "InvalidIdentityToken",
                                                    "InternalFailure",
                                                    "InternalError",
                                                    "ServiceUnavailable"};
  return std::find(std::begin(kRetryable), std::end(kRetryable), code) != std::end(kRetryable);
}

StsResult parse_sts_response(const http::ClientResponse& response) {
  const unsigned status = response.status;
  pugi::xml_document doc;
  // pugixml expands no external entities and fetches nothing: a hostile body is just bytes.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(response.body.data(), response.body.size(), pugi::parse_default, pugi::encoding_auto);
  const pugi::xml_node root = doc.document_element();
  if (!parsed || !root) {
    return failure("", "STS answered " + status_text(status) + " with a body that is not XML", status);
  }
  if (auto error = parse_error(root, status)) return *error;
  if (status < 200 || status > 299) {
    // An HTML error page from a load balancer or proxy, say: only the status is worth keeping.
    return failure("", "STS answered " + status_text(status) + " without an STS error", status);
  }

  const pugi::xml_node result = child_with_suffix(root, "Result");
  const pugi::xml_node credentials = child(result, "Credentials");
  if (!local_name(root).ends_with("Response") || !result || !credentials) {
    return failure("", "STS answered " + status_text(status) + " without Credentials", status);
  }
  AssumedRole out;
  out.credentials.access_key_id = text(child(credentials, "AccessKeyId"));
  out.credentials.secret_access_key = text(child(credentials, "SecretAccessKey"));
  out.credentials.session_token = text(child(credentials, "SessionToken"));
  const std::string expiration = text(child(credentials, "Expiration"));
  for (auto [value, name] :
       {std::pair<const std::string*, std::string_view>{&out.credentials.access_key_id, "AccessKeyId"},
        {&out.credentials.secret_access_key, "SecretAccessKey"},
        {&out.credentials.session_token, "SessionToken"},
        {&expiration, "Expiration"}}) {
    if (value->empty()) {
      return failure("", "STS response is missing Credentials/" + std::string(name), status);
    }
  }
  out.credentials.expiration = parse_iso8601(expiration);
  if (!out.credentials.expiration) {
    // The value is a timestamp, not a secret, but it is outside bytes: keep it short.
    return failure("",
                   "STS response has an invalid Expiration '" + safe_message(expiration.substr(0, 40)) + "'",
                   status);
  }
  out.assumed_role_arn = text(child(child(result, "AssumedRoleUser"), "Arn"));
  return out;
}

}  // namespace lambdagate::aws
