#pragma once
// The configuration model: Gloo-compatible documents (DESIGN.md §3) parsed into plain, validated
// structs. No yaml-cpp type leaves the config module; everything downstream (routing, proxy,
// admin) reads these values. A Config is immutable once loaded and shared as
// shared_ptr<const Config>.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lambdagate::config {

// Where a value came from, for every message an operator reads.
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
};

// A {name, namespace} reference; the namespace is already defaulted to the referrer's.
struct ResourceRef {
  std::string name;
  std::string namespace_;
  bool operator==(const ResourceRef&) const = default;
  auto operator<=>(const ResourceRef&) const = default;
};

struct Metadata {
  std::string name;
  std::string namespace_ = "default";
  std::map<std::string, std::string> labels;
};

// ---- gloo.solo.io/v1 Upstream ------------------------------------------------------------

struct LambdaFunctionSpec {
  std::string logical_name;   // what routes name; defaults to function_name[:qualifier]
  std::string function_name;  // name, name:alias, partial or full ARN
  std::string qualifier;      // version or alias; empty = none
  SourceLocation where;
};

struct AwsUpstreamSpec {
  std::string region;  // empty = AWS_REGION / AWS_DEFAULT_REGION at snapshot build
  std::optional<ResourceRef> secret_ref;
  std::vector<LambdaFunctionSpec> lambda_functions;
  std::string role_arn;
  std::string aws_account_id;
  bool disable_role_chaining = false;
};

struct Upstream {
  Metadata metadata;
  AwsUpstreamSpec aws;
  SourceLocation where;
};

// ---- v1 Secret ---------------------------------------------------------------------------

struct AwsSecretData {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional
};

struct TlsSecretData {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
};

struct Secret {
  Metadata metadata;
  std::string type;  // "Opaque" or "kubernetes.io/tls"
  std::optional<AwsSecretData> aws;
  std::optional<TlsSecretData> tls;
  SourceLocation where;
};

// ---- gateway.solo.io/v1 VirtualService -----------------------------------------------------

enum class PathMatchKind { Prefix, Exact, Regex };

struct HeaderMatcher {
  std::string name;   // lower-cased at load
  std::string value;  // empty = presence (unless regex)
  bool regex = false;
  bool invert_match = false;
};

struct QueryParameterMatcher {
  std::string name;
  std::string value;  // empty = presence (unless regex)
  bool regex = false;
};

struct Matcher {
  PathMatchKind kind = PathMatchKind::Prefix;
  std::string path = "/";  // prefix, exact path, or RE2 pattern
  bool case_sensitive = true;
  std::vector<HeaderMatcher> headers;
  std::vector<QueryParameterMatcher> query_parameters;
  std::vector<std::string> methods;  // upper-case; empty = any
  SourceLocation where;
};

enum class InvocationStyle { Sync, Async };

// destinationSpec.aws on a route.
struct AwsDestinationSpec {
  std::string logical_name;
  InvocationStyle invocation_style = InvocationStyle::Sync;
  bool request_transformation = false;
  bool wrap_as_api_gateway = false;
  bool unwrap_as_api_gateway = false;
  bool unwrap_as_alb = false;
  std::string payload_format_version = "1.0";  // extension: "1.0" | "2.0"
  bool response_streaming = false;             // extension
};

struct Destination {
  ResourceRef upstream;
  std::optional<AwsDestinationSpec> aws;  // absent = none given on the route
  uint32_t weight = 1;                    // only meaningful in routeAction.multi
  SourceLocation where;
};

struct RouteAction {
  std::vector<Destination> destinations;  // single = exactly one
  bool multi = false;
};

struct DirectResponseAction {
  unsigned status = 200;
  std::string body;
};

struct RouteOptions {
  // Route timeout; unset = 15s default; zero = disabled.
  std::optional<std::chrono::milliseconds> timeout;
};

struct Route {
  std::string name;  // optional `name:` of the route
  std::vector<Matcher> matchers;  // OR; empty list means `prefix: /`
  std::optional<RouteAction> route_action;
  std::optional<DirectResponseAction> direct_response;
  RouteOptions options;
  SourceLocation where;
};

struct VirtualService {
  Metadata metadata;
  std::vector<std::string> domains;  // empty = ["*"]; lower-cased at load
  std::vector<Route> routes;
  RouteOptions options;  // virtualHost.options
  SourceLocation where;
};

// ---- gloo.solo.io/v1 Settings (the parts lambdagate implements so far) ------------------------

// spec.gloo.awsOptions.serviceAccountCredentials: how to reach STS for web identity (IRSA).
struct ServiceAccountCredentials {
  std::string uri;     // STS host or URL (Helm: sts.<region>.amazonaws.com); empty = regional default
  std::string region;  // STS signing region; empty = AWS_REGION / AWS_DEFAULT_REGION
  std::optional<std::chrono::milliseconds> timeout;  // per STS call; unset = 5s
};

struct Settings {
  Metadata metadata;
  bool fallback_to_first_function = false;
  bool propagate_original_routing = false;
  std::optional<ServiceAccountCredentials> service_account_credentials;
  // enableCredentialsDiscovey (Gloo's spelling) / enableCredentialsDiscovery: use the default
  // chain for Upstreams without a secretRef. lambdagate always does; accepted for compatibility.
  bool enable_credentials_discovery = false;
  // Extension spec.lambdagate.credentialRefreshMargin: refresh once the time left drops below
  // min(this, half the lifetime); unset = 15 minutes.
  std::optional<std::chrono::milliseconds> credential_refresh_margin;
  SourceLocation where;
};

// ---- gateway.solo.io/v1 Gateway -------------------------------------------------------------

struct Gateway {
  Metadata metadata;
  std::string bind_address = "::";
  uint16_t bind_port = 8080;
  bool ssl = false;
  SourceLocation where;
};

// Everything loaded from the --config paths.
struct Config {
  std::vector<Upstream> upstreams;
  std::vector<VirtualService> virtual_services;
  std::vector<Secret> secrets;
  std::vector<Gateway> gateways;
  std::optional<Settings> settings;
  std::vector<std::string> files;  // every file read, in load order

  const Upstream* find_upstream(const ResourceRef& ref) const;
  const Secret* find_secret(const ResourceRef& ref) const;
};

}  // namespace lambdagate::config
