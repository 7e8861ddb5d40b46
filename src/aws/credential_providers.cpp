// Network credential providers: web identity (IRSA), AssumeRole chaining, container credentials
// (EKS Pod Identity). Each fetch reads its token file afresh and is bounded by a timeout; error
// messages name files and endpoints, never a token or a key.
#include "lambdagate/aws/credential_providers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>
#include <variant>

#include "iso8601.hpp"
#include "lambdagate/core/ascii.hpp"
#include "quoting.hpp"

namespace lambdagate::aws {

namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";
// STS accepts web-identity tokens up to 20,000 characters; anything far larger is not a token.
constexpr std::size_t kMaxTokenFileBytes = 64 * 1024;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}


// Reads a token file whole and trims it (kubelet writes no newline, but hand-made files often end
// with one). Returns nullopt with `error` set — naming the file, never quoting it — when the file
// is missing, unreadable, empty or implausibly large.
std::optional<std::string> read_token_file(const std::string& path, std::string_view what,
                                           std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = "cannot read the " + std::string(what) + " token file " + in_quotes(path) + ": " +
            std::strerror(errno);
    return std::nullopt;
  }
  std::string content(kMaxTokenFileBytes + 1, '\0');
  const std::size_t n = std::fread(content.data(), 1, content.size(), file);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    error = "cannot read the " + std::string(what) + " token file " + in_quotes(path);
    return std::nullopt;
  }
  if (n > kMaxTokenFileBytes) {
    error = "the " + std::string(what) + " token file " + in_quotes(path) + " is larger than " +
            std::to_string(kMaxTokenFileBytes) + " bytes";
    return std::nullopt;
  }
  content.resize(n);
  const std::string_view token = trim(content);
  if (token.empty()) {
    error = "the " + std::string(what) + " token file " + in_quotes(path) + " is empty";
    return std::nullopt;
  }
  return std::string(token);
}

// STS answers at the root of its endpoint (below a base path such as a fake's /sts).
std::string sts_target(const http::Endpoint& endpoint) { return endpoint.base_path + "/"; }

// What an STS exchange produced, as the cache understands it. `secret` is the web-identity token:
// should STS ever quote it back, it is masked before the message goes anywhere.
CredentialsResult credentials_from_sts(const http::ClientResult& result, std::string_view operation,
                                       std::string_view role_arn, const http::Endpoint& endpoint,
                                       std::string_view secret = {}) {
  std::string prefix = "STS ";
  prefix.append(operation).append(" for ").append(role_arn).append(" at ").append(endpoint.host);
  if (const auto* failure = std::get_if<http::ClientError>(&result)) {
    // The transport's text may carry system details; the kind is what an operator acts on.
    return CredentialsError{prefix + " failed: " + std::string(http::to_string(failure->kind)), true};
  }
  StsResult parsed = parse_sts_response(std::get<http::ClientResponse>(result));
  if (auto* assumed = std::get_if<AssumedRole>(&parsed)) return std::move(assumed->credentials);
  const auto& error = std::get<StsError>(parsed);
  std::string message = prefix + " failed: HTTP " + std::to_string(error.http_status);
  if (!error.code.empty()) message.append(" ").append(error.code);
  if (!error.message.empty() && error.message != error.code) message.append(": ").append(error.message);
  if (!secret.empty()) {
    for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
      message.replace(at, secret.size(), "****");
    }
  }
  return CredentialsError{std::move(message), error.retryable};
}

CredentialsError invalid_session_name(std::string_view session_name) {
  return CredentialsError{"invalid role session name " + in_quotes(session_name) +
                              " (2-64 characters of letters, digits and _+=,.@-)",
                          false};
}

// Container credentials JSON: {AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}.
CredentialsResult parse_container_credentials(std::string_view body, std::string_view where) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object())
    return CredentialsError{std::string(where) + " answered with a body that is not a JSON object", false};
  auto field = [&](const char* name) -> std::string {
    const auto it = json.find(name);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials credentials;
  credentials.access_key_id = field("AccessKeyId");
  credentials.secret_access_key = field("SecretAccessKey");
  credentials.session_token = field("Token");
  const std::string expiration = field("Expiration");
  for (auto [value, name] :
       {std::pair<const std::string*, const char*>{&credentials.access_key_id, "AccessKeyId"},
        {&credentials.secret_access_key, "SecretAccessKey"},
        {&credentials.session_token, "Token"},
        {&expiration, "Expiration"}}) {
    if (value->empty()) return CredentialsError{std::string(where) + " answered without " + name, false};
  }
  credentials.expiration = parse_iso8601(expiration);
  if (!credentials.expiration) {
    return CredentialsError{std::string(where) + " answered with an invalid Expiration", false};
  }
  return credentials;
}

}  // namespace

// ---- WebIdentityCredentialsProvider ------------------------------------------------------------

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(http::HttpClient& http, StsCallOptions sts,
                                                               std::string role_arn, std::string token_file,
                                                               std::string session_name,
                                                               const core::Clock& clock)
    : http_(http),
      sts_(std::move(sts)),
      role_arn_(std::move(role_arn)),
      token_file_(std::move(token_file)),
      session_name_(std::move(session_name)),
      clock_(clock) {}

core::Task<CredentialsResult> WebIdentityCredentialsProvider::fetch() {
  if (!valid_role_session_name(session_name_)) co_return invalid_session_name(session_name_);
  // Read on every fetch: kubelet rotates the projected token, and a cached copy would expire.
  // A missing file is retryable: the projected volume may not be mounted yet.
  std::string error;
  std::optional<std::string> token = read_token_file(token_file_, "web identity", error);
  if (!token) co_return CredentialsError{std::move(error), true};

  http::ClientRequest request;
  request.method = "POST";
  request.target = sts_target(sts_.endpoint);
  // Unsigned by design (the JWT authenticates): no authorization, no x-amz-security-token.
  request.headers.emplace_back("host", sts_.endpoint.host_header());
  request.headers.emplace_back("content-type", kFormContentType);
  request.body = assume_role_with_web_identity_body(role_arn_, session_name_, *token, sts_.duration);
  const core::Deadline deadline = core::Deadline::after(clock_, sts_.timeout);

  const http::ClientResult result = co_await http_.send(sts_.endpoint, std::move(request), deadline);
  co_return credentials_from_sts(result, "AssumeRoleWithWebIdentity", role_arn_, sts_.endpoint, *token);
}

std::string WebIdentityCredentialsProvider::source() const { return "web identity (role " + role_arn_ + ")"; }

// ---- AssumeRoleCredentialsProvider -------------------------------------------------------------

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(http::HttpClient& http, StsCallOptions sts,
                                                             std::string role_arn, std::string session_name,
                                                             std::shared_ptr<const CredentialsCache> base,
                                                             const core::Clock& clock)
    : http_(http),
      sts_(std::move(sts)),
      role_arn_(std::move(role_arn)),
      session_name_(std::move(session_name)),
      base_(std::move(base)),
      clock_(clock),
      signer_("sts", sts_.signing_region) {}

core::Task<CredentialsResult> AssumeRoleCredentialsProvider::fetch() {
  if (!valid_role_session_name(session_name_)) co_return invalid_session_name(session_name_);
  const core::Deadline deadline = core::Deadline::after(clock_, sts_.timeout);
  std::shared_ptr<const Credentials> base = base_ ? base_->current(clock_.system_now()) : nullptr;
  // At start-up both caches fetch at once: wait for the base fetch in flight (within our own
  // timeout) rather than fail and back off.
  if (!base && base_) base = co_await base_->wait_for_credentials(deadline);
  if (!base) {
    co_return CredentialsError{"base credentials unavailable for AssumeRole of " + role_arn_ +
                                   (base_ ? " (" + base_->status().source + ")" : std::string()),
                               true};
  }

  const std::string body = assume_role_body(role_arn_, session_name_, sts_.duration);
  SigningRequest signing;
  signing.method = "POST";
  signing.path = sts_target(sts_.endpoint);
  signing.headers.emplace_back("host", sts_.endpoint.host_header());
  signing.headers.emplace_back("content-type", kFormContentType);
  signing.payload = body;
  // Adds x-amz-date, x-amz-security-token (temporary base credentials) and authorization.
  signer_.sign(signing, *base, clock_.system_now());

  http::ClientRequest request;
  request.method = signing.method;
  request.target = std::move(signing.path);
  request.headers = std::move(signing.headers);
  request.body = body;

  const http::ClientResult result = co_await http_.send(sts_.endpoint, std::move(request), deadline);
  co_return credentials_from_sts(result, "AssumeRole", role_arn_, sts_.endpoint);
}

std::string AssumeRoleCredentialsProvider::source() const {
  return "assume role " + role_arn_ + " via " + (base_ ? base_->status().source : std::string("nothing"));
}

// ---- ContainerCredentialsProvider --------------------------------------------------------------

// `path_and_query` is the target as sent; empty means the endpoint URL's own path.
ContainerCredentialsProvider::ContainerCredentialsProvider(http::HttpClient& http, http::Endpoint endpoint,
                                                           std::string path_and_query, std::string token_file,
                                                           std::chrono::milliseconds timeout,
                                                           const core::Clock& clock)
    : http_(http),
      endpoint_(std::move(endpoint)),
      target_(std::move(path_and_query)),
      token_file_(std::move(token_file)),
      timeout_(timeout),
      clock_(clock) {
  if (target_.empty()) target_ = endpoint_.base_path.empty() ? "/" : endpoint_.base_path;
}

core::Task<CredentialsResult> ContainerCredentialsProvider::fetch() {
  const std::string where = "the container credentials endpoint " + endpoint_.host_header();
  // Checked here too, not only at configuration: the token must never go over plain http to an
  // arbitrary host.
  if (!container_endpoint_allowed(endpoint_)) {
    co_return CredentialsError{
        where + " is not allowed over plain http (only loopback and the EKS/ECS agents)", false};
  }

  http::ClientRequest request;
  request.method = "GET";
  request.target = target_;
  request.headers.emplace_back("host", endpoint_.host_header());
  request.headers.emplace_back("accept", "application/json");
  // ECS task roles need no token; EKS Pod Identity always has a token file.
  if (!token_file_.empty()) {
    // Read on every fetch: the agent's token rotates.
    std::string error;
    std::optional<std::string> token = read_token_file(token_file_, "container authorization", error);
    if (!token) co_return CredentialsError{std::move(error), true};
    // A line break would split the header and smuggle another one in.
    if (token->find_first_of("\r\n") != std::string::npos) {
      co_return CredentialsError{
          "the container authorization token file " + in_quotes(token_file_) + " holds a line break", false};
    }
    request.headers.emplace_back("authorization", std::move(*token));
  }
  const core::Deadline deadline = core::Deadline::after(clock_, timeout_);

  const http::ClientResult result = co_await http_.send(endpoint_, std::move(request), deadline);
  if (const auto* failure = std::get_if<http::ClientError>(&result)) {
    co_return CredentialsError{where + " failed: " + std::string(http::to_string(failure->kind)), true};
  }
  const auto& response = std::get<http::ClientResponse>(result);
  if (response.status != 200) {
    // The body may describe the failure, but it is outside text: the status is enough to act on.
    const bool retryable = response.status >= 500 || response.status == 429;
    co_return CredentialsError{where + " answered HTTP " + std::to_string(response.status), retryable};
  }
  co_return parse_container_credentials(response.body, where);
}

std::string ContainerCredentialsProvider::source() const {
  return "container credentials " + endpoint_.scheme + "://" + endpoint_.host_header() + target_;
}

bool container_endpoint_allowed(const http::Endpoint& endpoint) {
  if (endpoint.scheme == "https") return true;
  if (endpoint.scheme != "http") return false;
  const std::string host = core::to_lower_ascii(endpoint.host);
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    const std::uint32_t address = ntohl(v4.s_addr);
    // 127.0.0.0/8 (loopback), 169.254.170.2 (ECS agent), 169.254.170.23 (EKS Pod Identity agent).
    return (address >> 24) == 127 || address == 0xA9FEAA02u || address == 0xA9FEAA17u;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    // Compared as bytes, so every spelling of ::1 and fd00:ec2::23 matches.
    in6_addr pod_identity{};
    inet_pton(AF_INET6, "fd00:ec2::23", &pod_identity);
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0 ||
           std::memcmp(&v6, &pod_identity, sizeof v6) == 0;
  }
  return false;
}

}  // namespace lambdagate::aws
