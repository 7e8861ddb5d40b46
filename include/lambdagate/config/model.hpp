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
  std::map<std::string, std::string> annotations;  // read for the legacy glooctl Secret marker
};

// ---- destinationSpec.aws (routes) and destinationOverrides (Upstreams) --------------------

enum class InvocationStyle { Sync, Async };

// destinationSpec.aws on a route, and an Upstream's destinationOverrides.
struct AwsDestinationSpec {
  std::string logical_name;
  InvocationStyle invocation_style = InvocationStyle::Sync;
  // Gloo's JSON event. Written together with wrapAsApiGateway (Gloo 1.12 users set both to avoid
  // an Envoy crash), wrapAsApiGateway wins: this is then false here, with one warning per load.
  bool request_transformation = false;
  bool wrap_as_api_gateway = false;
  bool unwrap_as_api_gateway = false;
  bool unwrap_as_alb = false;
  std::string payload_format_version = "1.0";  // extension: "1.0" | "2.0"
  bool response_streaming = false;             // extension
};

// ---- gloo.solo.io/v1 Upstream ------------------------------------------------------------

struct LambdaFunctionSpec {
  std::string logical_name;   // what routes name; defaults to function_name[:qualifier]
  std::string function_name;  // name, name:alias, partial or full ARN
  std::string qualifier;      // version or alias; empty = none
  // Extension lambdagate.maxConcurrency: calls in flight at once to this function, per process.
  std::optional<uint32_t> max_concurrency;
  SourceLocation where;
};

struct AwsUpstreamSpec {
  std::string region;  // empty = AWS_REGION / AWS_DEFAULT_REGION at snapshot build
  std::optional<ResourceRef> secret_ref;
  std::vector<LambdaFunctionSpec> lambda_functions;
  std::string role_arn;
  std::string aws_account_id;
  bool disable_role_chaining = false;
  // Defaults for the destinations of routes to this Upstream, as Gloo's mergo.Merge without
  // override: a route field still at its zero value (empty, false, SYNC, payloadFormatVersion not
  // written) takes the override. Already merged into every route at load; kept for display.
  std::optional<AwsDestinationSpec> destination_overrides;
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

// A kubernetes.io/tls Secret, kept as PEM text as written: checking that the key matches the
// certificate (and building contexts) is the TLS module's job.
struct TlsSecretData {
  std::string certificate_chain;  // tls.crt, PEM
  std::string private_key;        // tls.key, PEM
  std::string root_ca;            // ca.crt, PEM; empty = none. Turns client verification on.
};

// How an Opaque Secret's AWS keys were written (messages and /config_dump only).
enum class AwsSecretForm {
  Current,          // aws_access_key_id / aws_secret_access_key / aws_session_token
  Legacy,           // glooctl before 0.18.38: annotation resource_kind: '*v1.Secret', one key `aws` with YAML
  ProtoFieldNames,  // access_key / secret_key / session_token: accepted, but Gloo does not read them
};

struct Secret {
  Metadata metadata;
  std::string type;  // "Opaque" or "kubernetes.io/tls"
  std::optional<AwsSecretData> aws;
  AwsSecretForm aws_form = AwsSecretForm::Current;
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

// Envoy's retry conditions (x-envoy-retry-on names) plus `throttled` for Lambda's 429.
enum RetryOn : uint32_t {
  kRetryOn5xx = 1u << 0,             // "5xx": 5xx answers, per-try timeouts, resets, refused connections
  kRetryOnGatewayError = 1u << 1,    // "gateway-error": 502/503/504, per-try timeouts, resets, refused
  kRetryOnConnectFailure = 1u << 2,  // "connect-failure"
  kRetryOnReset = 1u << 3,           // "reset": the connection broke before a response
  kRetryOnRetriableStatusCodes = 1u << 4,  // "retriable-status-codes"
  kRetryOnRetriable4xx = 1u << 5,          // "retriable-4xx": 409
  kRetryOnThrottled = 1u << 6,             // "throttled" (lambdagate): Lambda 429
};

// options.retries (Gloo's retries.proto, Envoy semantics).
struct RetryPolicy {
  uint32_t retry_on = 0;     // RetryOn bits
  uint32_t num_retries = 1;  // Gloo: 0 means 1
  std::optional<std::chrono::milliseconds> per_try_timeout;
  std::chrono::milliseconds base_interval{25};
  std::optional<std::chrono::milliseconds> max_interval;  // unset = 10 × base_interval
  std::vector<unsigned> retriable_status_codes;
};

struct HeaderValue {
  std::string key;
  std::string value;
  bool append = true;  // false: replace existing values
};

// options.headerManipulation.
struct HeaderManipulation {
  std::vector<HeaderValue> request_headers_to_add;
  std::vector<std::string> request_headers_to_remove;  // lower-case
  std::vector<HeaderValue> response_headers_to_add;
  std::vector<std::string> response_headers_to_remove;  // lower-case
};

// ---- Request policies before Lambda: CORS, JWT, local rate limits ----------------------------
// Gloo's field names (reference: gloo-edge-options.md). Parsed and validated by config; compiled
// into runtime form (RE2, keys, token buckets) outside it.

// options.cors (Gloo's CorsPolicy). A policy written without any origin is a config error.
struct CorsPolicy {
  std::vector<std::string> allow_origin;        // exact origins ("*" allowed, as in Envoy)
  std::vector<std::string> allow_origin_regex;  // RE2, full match
  std::vector<std::string> allow_methods;
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;
  std::string max_age;                    // sent as written; empty = not sent
  std::optional<bool> allow_credentials;  // unset = not sent
  bool disable_for_route = false;         // route level only: no CORS for this route
  SourceLocation where;
};

// virtualHost.options.corsPolicyMergeSettings.exposeHeaders.
enum class CorsMergeExposeHeaders { Default, Union };

// jwt provider tokenSource: where the token is read from. Both empty = the default
// (Authorization: Bearer <token>, then the access_token query parameter).
struct JwtTokenSource {
  struct Header {
    std::string header;  // lower-cased at load
    std::string prefix;  // e.g. "Bearer "; empty = the whole value
  };
  std::vector<Header> headers;
  std::vector<std::string> query_params;
};

struct JwtClaimToHeader {
  std::string claim;
  std::string header;  // lower-cased at load
  bool append = false;
};

// jwks.remote: fetched over HTTPS in the background.
struct RemoteJwks {
  std::string url;
  std::chrono::milliseconds cache_duration{5 * 60 * 1000};  // Gloo's default 5m
  std::optional<ResourceRef> upstream_ref;                  // parsed; lambdagate fetches the URL directly
};

struct JwtProvider {
  std::string name;                    // the key in `providers`
  std::string issuer;                  // empty = any issuer
  std::vector<std::string> audiences;  // empty = any audience
  std::string local_jwks;              // jwks.local.key as written (JWK, JWKS or PEM); empty when remote
  std::optional<RemoteJwks> remote_jwks;
  JwtTokenSource token_source;
  bool keep_token = false;
  std::vector<JwtClaimToHeader> claims_to_headers;
  std::chrono::seconds clock_skew{60};
  SourceLocation where;
};

enum class JwtValidationPolicy { RequireValid, AllowMissing, AllowMissingOrFailed };

// virtualHost.options.jwtStaged.beforeExtAuth (or afterExtAuth, or the older `jwt`).
struct JwtConfig {
  std::vector<JwtProvider> providers;  // any one accepting the token is enough
  JwtValidationPolicy validation_policy = JwtValidationPolicy::RequireValid;
  SourceLocation where;
};

// ratelimit.localRatelimit / httpLocalRatelimit.defaultLimit: a token bucket.
struct LocalRateLimit {
  uint32_t max_tokens = 1;                        // >= 1
  uint32_t tokens_per_fill = 1;                   // >= 1
  std::chrono::milliseconds fill_interval{1000};  // >= 50ms
  SourceLocation where;
};

// routes[].redirectAction (Gloo's RedirectAction, Envoy semantics): the gateway answers with a
// redirect itself. The path part is at most one of path_redirect, prefix_rewrite, regex_rewrite.
struct RegexRewrite {
  std::string pattern;  // RE2 (pattern.regex), checked at load
  std::string substitution;
};

struct RedirectAction {
  std::string host_redirect;                  // empty = keep the request's host
  std::optional<std::string> path_redirect;   // replaces the whole path
  std::optional<std::string> prefix_rewrite;  // replaces the part the route's prefix matched
  std::optional<RegexRewrite> regex_rewrite;
  // responseCode: MOVED_PERMANENTLY (the default) 301, FOUND 302, SEE_OTHER 303,
  // TEMPORARY_REDIRECT 307, PERMANENT_REDIRECT 308.
  unsigned response_code = 301;
  bool https_redirect = false;
  bool strip_query = false;  // the query is kept unless set
  std::optional<uint16_t> port_redirect;
  SourceLocation where;
};

// Merging of RouteOptions (documented here because every consumer relies on it):
// - Delegation: a route reached through delegateAction gets every option it leaves unset from the
//   delegating route (Gloo's shallow merge of parent route options: the child's set fields win),
//   level by level down the chain. That holds for cors (whole policy), jwt_disabled, rate_limit
//   and max_concurrency too.
// - Virtual host: timeout, retries, prefixRewrite, headerManipulation and max_concurrency fill
//   what the route leaves unset. CORS is merged field by field (below). JWT providers and the
//   virtual host's rate limit are NOT copied into routes: read them from VirtualService::options.
struct RouteOptions {
  // Route timeout; unset = 15s default; zero = disabled.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<RetryPolicy> retries;
  std::optional<std::string> prefix_rewrite;
  std::optional<HeaderManipulation> header_manipulation;

  // Request policies. On a VirtualService's `options` they are the virtual host's; on a route,
  // what the route (or a delegating parent route) wrote.
  // CORS: on a route, the effective policy (the virtual host's fields, overridden one by one by
  // the route's; none when disableForRoute).
  std::optional<CorsPolicy> cors;
  CorsMergeExposeHeaders cors_merge_expose_headers = CorsMergeExposeHeaders::Default;  // vhost only
  // JWT providers: virtual host only. A route can only switch verification off.
  // On a route: always empty (providers are the virtual host's).
  std::optional<JwtConfig> jwt;
  bool jwt_disabled = false;  // route: jwtStaged.beforeExtAuth.disable / jwt.disable
  // Whether the route (or a delegating parent) wrote `disable`, even as false: a child's explicit
  // `disable: false` wins over a parent's `true`, as in Gloo's option merge.
  bool jwt_disable_written = false;
  // The route's (or a delegating parent's) own local rate limit; the virtual host's stays on
  // VirtualService::options and is NOT copied into routes: each level has its own bucket.
  std::optional<LocalRateLimit> rate_limit;
  // Extension options.lambdagate.maxConcurrency: calls in flight at once for this route. On the
  // virtual host: the cap each of its routes gets when it sets none (each route its own count).
  std::optional<uint32_t> max_concurrency;
};

// delegateAction.selector.expressions[]: a Kubernetes label-selector requirement.
struct LabelExpression {
  enum class Operator {
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan
  };
  std::string key;
  Operator op = Operator::Equals;
  std::vector<std::string> values;  // as many as the operator takes (checked at load)
};

// delegateAction.selector: every RouteTable whose labels and namespace match.
struct RouteTableSelector {
  std::map<std::string, std::string> labels;  // all must be equal; never together with expressions
  std::vector<LabelExpression> expressions;   // all must hold
  std::vector<std::string> namespaces;        // empty = the delegating resource's own; "*" = any
};

// delegateAction: exactly one of ref (also written as the older name/namespace) and selector.
struct DelegateAction {
  std::optional<ResourceRef> ref;
  std::optional<RouteTableSelector> selector;
};

struct Route {
  std::string name;  // optional `name:` of the route
  // OR; empty list means `prefix: /`. For a route reached through delegation, already combined
  // with the delegating routes' matchers (inheritableMatchers / inheritablePathMatchers).
  std::vector<Matcher> matchers;
  std::optional<RouteAction> route_action;
  // While redirects are a pending feature (compatibility.hpp), a route with redirectAction also
  // gets direct_response 404, so no request falls through to a later route.
  std::optional<DirectResponseAction> direct_response;
  std::optional<RedirectAction> redirect_action;
  // inheritableMatchers / inheritablePathMatchers as written (BoolValue: unset = the delegating
  // route's value, false on a VirtualService). Already applied to the matchers of the routes
  // reached through delegation.
  std::optional<bool> inheritable_matchers;
  std::optional<bool> inheritable_path_matchers;
  // Only on the routes of Config::route_tables as written. VirtualService routes are flattened at
  // load: each delegating route is replaced, in place, by the routes it reaches.
  std::optional<DelegateAction> delegate_action;
  // A VirtualService route has the virtual host's options and, when delegated to, the delegating
  // routes' options merged in at load (a field the route sets wins).
  RouteOptions options;
  SourceLocation where;
  // Where the route is written, for messages: its 0-based position in its VirtualService's or
  // RouteTable's routes, and the RouteTable for one reached through delegation.
  std::size_t index = 0;
  std::optional<ResourceRef> route_table;
};

// ---- TLS: VirtualService spec.sslConfig ----------------------------------------------------

// Gloo's SslParameters.ProtocolVersion.
enum class TlsProtocolVersion { Auto, V1_0, V1_1, V1_2, V1_3 };

struct SslParameters {
  TlsProtocolVersion minimum_protocol_version = TlsProtocolVersion::Auto;  // Auto = lambdagate's default
  TlsProtocolVersion maximum_protocol_version = TlsProtocolVersion::Auto;
  std::vector<std::string> cipher_suites;  // OpenSSL names as written; empty = defaults
  std::vector<std::string> ecdh_curves;
};

// sslConfig.sslFiles: paths (what a mounted Secret volume gives), read by the TLS module.
struct SslFiles {
  std::string tls_cert;
  std::string tls_key;
  std::string root_ca;  // empty = no client verification
  SourceLocation where;
};

// VirtualService spec.sslConfig: exactly one of secret_ref (a kubernetes.io/tls Secret, checked
// to exist at load) and ssl_files.
struct SslConfig {
  std::optional<ResourceRef> secret_ref;
  std::optional<SslFiles> ssl_files;
  std::vector<std::string> sni_domains;  // empty = the default certificate; lower-cased at load
  std::vector<std::string> verify_subject_alt_name;
  SslParameters parameters;
  std::vector<std::string> alpn_protocols;
  // oneWayTls: true turns client verification off even with a root CA; unset = Gloo's false.
  std::optional<bool> one_way_tls;
  bool disable_tls_session_resumption = false;
  SourceLocation where;
};

struct VirtualService {
  Metadata metadata;
  // Present = served by ssl Gateways, absent = by plain ones (bind_gateways).
  std::optional<SslConfig> ssl_config;
  std::vector<std::string> domains;  // empty = ["*"]; lower-cased at load
  std::vector<Route> routes;         // delegation flattened, in Gloo's order; no delegate_action left
  RouteOptions options;              // virtualHost.options (already merged into every route)
  SourceLocation where;
};

// ---- gateway.solo.io/v1 RouteTable ----------------------------------------------------------

struct RouteTable {
  Metadata metadata;
  std::vector<Route> routes;  // as written (destinationOverrides merged); delegating routes kept
  int32_t weight = 0;         // spec.weight: order among the tables one selector picks, ascending
  SourceLocation where;
};

// ---- gloo.solo.io/v1 Settings (the parts lambdagate implements so far) ------------------------

// spec.gloo.awsOptions.serviceAccountCredentials: how to reach STS for web identity (IRSA).
struct ServiceAccountCredentials {
  std::string uri;     // STS host or URL (Helm: sts.<region>.amazonaws.com); empty = regional default
  std::string region;  // STS signing region; empty = AWS_REGION / AWS_DEFAULT_REGION
  std::optional<std::chrono::milliseconds> timeout;  // per STS call; unset = 5s
};

// Function discovery (gloo.md §4): spec.discovery.fdsMode, and the extension
// spec.lambdagate.discovery {pollInterval, aliases, aliasCallsPerSecond}. Which Upstreams are
// discovered is decided by config::discovery_enabled (function_discovery.hpp).
struct DiscoverySettings {
  // BLACKLIST: every AWS Upstream unless labelled discovery.solo.io/function_discovery: disabled.
  // WHITELIST: only Upstreams labelled ...: enabled. DISABLED: none, whatever the labels say.
  enum class FdsMode { Blacklist, Whitelist, Disabled };
  FdsMode fds_mode = FdsMode::Blacklist;  // Gloo's proto default
  bool fds_mode_set = false;              // written in the Settings (else the default applies)
  // Pause between the end of one ListFunctions round and the start of the next (at least 1s).
  std::chrono::milliseconds poll_interval{30'000};
  // Also call ListAliases for every discovered function (one call per function per round).
  bool aliases = false;
  // Pace of those ListAliases calls.
  double alias_calls_per_second = 5;
};

// Extension spec.lambdagate.listener: caps for every listener of the process (hardening).
struct ListenerLimits {
  // Client connections open at once over all listeners; unset = derived from RLIMIT_NOFILE.
  std::optional<uint32_t> max_connections;
  // Request bytes buffered at once over all connections (bodies, from their Content-Length or as
  // read); over it, 503 overloaded. Unset = the built-in cap (app::kDefaultBytesInFlight).
  // Written as an integer (bytes) or a Kubernetes quantity ("64Mi", "1G").
  std::optional<uint64_t> max_bytes_in_flight;
  SourceLocation where;
};

struct Settings {
  Metadata metadata;
  ListenerLimits listener;
  DiscoverySettings discovery;
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

// spec.options.proxyProtocol (ListenerOptions): PROXY protocol v1/v2 before the first byte.
struct ProxyProtocolRule {
  uint32_t tlv_type = 0;           // < 256
  std::string metadata_namespace;  // onTlvPresent.metadataNamespace; empty = Envoy's default
  std::string key;                 // onTlvPresent.key
};

struct ProxyProtocolConfig {
  bool allow_requests_without_proxy_protocol = false;
  std::vector<ProxyProtocolRule> rules;  // parsed; TLV metadata has no consumer in lambdagate
  SourceLocation where;
};

// A jsonFormat value of an access log: a string (with Envoy command operators, validated by the
// log-format compiler), a literal, or a nested object. Kept as written, each with its line.
struct AccessLogJsonMember;
struct AccessLogJsonValue {
  enum class Kind { String, Number, Bool, Null, Object };
  Kind kind = Kind::String;
  std::string text;                          // String: as written; Number, Bool: the literal
  std::vector<AccessLogJsonMember> members;  // Object, in document order
  SourceLocation where;
};
struct AccessLogJsonMember {
  std::string key;
  AccessLogJsonValue value;
};

// spec.options.accessLoggingService.accessLog[].fileSink.
struct AccessLogFileSink {
  std::string path;                           // "/dev/stdout" allowed
  enum class Format { Default, Text, Json };  // Default: neither format written (Envoy's default line)
  Format format = Format::Default;
  std::string string_format;                     // Text: as written, command operators unchecked here
  std::vector<AccessLogJsonMember> json_format;  // Json
  SourceLocation where;                          // the accessLog[] item
  SourceLocation format_where;  // stringFormat / jsonFormat, for the format compiler's errors
};

// httpGateway.options.httpConnectionManagerSettings: Envoy's HCM names in camelCase. Unset
// fields keep lambdagate's defaults (the hardening issue's), which may differ from Envoy's.
struct HttpConnectionManagerSettings {
  enum class HeadersWithUnderscoresAction { Allow, RejectClientRequest, DropHeader };
  enum class PathWithEscapedSlashesAction {
    ImplementationSpecificDefault,  // Gloo's default: keep unchanged
    KeepUnchanged,
    RejectRequest,
    UnescapeAndRedirect,
    UnescapeAndForward
  };
  std::optional<std::chrono::milliseconds> request_headers_timeout;
  std::optional<std::chrono::milliseconds> idle_timeout;
  std::optional<std::chrono::milliseconds> stream_idle_timeout;
  std::optional<std::chrono::milliseconds> request_timeout;
  std::optional<std::chrono::milliseconds> max_connection_duration;
  std::optional<std::chrono::milliseconds> drain_timeout;
  std::optional<uint32_t> max_requests_per_connection;
  std::optional<uint32_t> max_request_headers_kb;  // 1..8192, as Envoy
  std::optional<uint32_t> max_headers_count;       // >= 1
  std::optional<HeadersWithUnderscoresAction> headers_with_underscores_action;
  std::optional<bool> merge_slashes;   // Gloo's default false
  std::optional<bool> normalize_path;  // Gloo's default true
  std::optional<PathWithEscapedSlashesAction> path_with_escaped_slashes_action;
  std::optional<bool> use_remote_address;
  std::optional<uint32_t> xff_num_trusted_hops;
  std::optional<bool> skip_xff_append;
  std::optional<std::string> server_name;
  std::optional<bool> accept_http_10;
  std::optional<bool> generate_request_id;
  std::optional<bool> preserve_external_request_id;
  std::optional<bool> strip_any_host_port;
  SourceLocation where;
};

// httpGateway.options.httpLocalRatelimit (Gloo >= 1.16).
struct HttpLocalRateLimitSettings {
  // The Gateway level's own bucket: applies to routes whose virtual host and route set none.
  std::optional<LocalRateLimit> default_limit;
  // One bucket per connection instead of per process; applies to every level.
  bool per_downstream_connection = false;
  bool enable_x_ratelimit_headers = false;
  SourceLocation where;
};

// httpGateway.options.healthCheck: the listener itself answers this path (200, 503 draining).
struct HealthCheck {
  std::string path;
  SourceLocation where;
};

// Which VirtualServices an HTTP Gateway serves (bind_gateways, gateway_binding.hpp): expressions
// first, else selector, else refs; none = all. Always restricted to the Gateway's ssl side.
struct VirtualServiceSelection {
  std::vector<ResourceRef> virtual_services;                // httpGateway.virtualServices
  std::map<std::string, std::string> selector;              // httpGateway.virtualServiceSelector
  std::optional<std::vector<LabelExpression>> expressions;  // httpGateway.virtualServiceExpressions
  std::vector<std::string> namespaces;  // virtualServiceNamespaces; empty or "*" = every namespace
};

struct Gateway {
  Metadata metadata;
  std::string bind_address = "::";
  uint16_t bind_port = 8080;
  bool ssl = false;
  // Implicit Gateways (no Gateway document at all) come from bind_gateways, never from the loader:
  // the plain one's address is --listen's, the ssl one is Gloo's Helm default 0.0.0.0:8443.
  bool implicit = false;
  std::optional<bool> use_proxy_proto;  // deprecated useProxyProto as written
  // The PROXY protocol in force: options.proxyProtocol when written (it wins), else
  // useProxyProto: true as {allow_requests_without_proxy_protocol: false}; unset = off.
  std::optional<ProxyProtocolConfig> proxy_protocol;
  std::vector<AccessLogFileSink> access_logs;  // options.accessLoggingService.accessLog[]
  std::optional<HttpConnectionManagerSettings> http_connection_manager_settings;
  std::optional<HealthCheck> health_check;
  std::optional<HttpLocalRateLimitSettings> http_local_rate_limit;
  VirtualServiceSelection selection;
  std::vector<std::string> proxy_names;  // accepted; one process serves every Gateway
  SourceLocation where;
};

// Everything loaded from the --config paths.
struct Config {
  std::vector<Upstream> upstreams;
  std::vector<VirtualService> virtual_services;
  std::vector<RouteTable> route_tables;
  std::vector<Secret> secrets;
  std::vector<Gateway> gateways;
  std::optional<Settings> settings;
  std::vector<std::string> files;  // every file read, in load order

  const Upstream* find_upstream(const ResourceRef& ref) const;
  const Secret* find_secret(const ResourceRef& ref) const;
  const RouteTable* find_route_table(const ResourceRef& ref) const;
};

}  // namespace lambdagate::config
