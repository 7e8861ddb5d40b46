// The compatibility table (compatibility.hpp). Each row is one Gloo field; the loader answers
// fields its parsers do not read from here, and docs/GLOO-COMPATIBILITY.md is generated from it.
// Facts: Gloo's protos (solo-io/gloo, projects/gloo/api/v1 and projects/gateway/api/v1).
#include "lambdagate/config/compatibility.hpp"

#include <array>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace lambdagate::config {

namespace {

using S = FieldStatus;
using P = PendingFeature;

// ---- Features parsed but not enforced yet ---------------------------------------------------
// Delete a row when the runtime enforces the feature; the warnings and the docs follow. (When the
// last row goes, make this an empty std::array<PendingFeatureRow, 0>.)
constexpr std::array<PendingFeatureRow, 0> kPendingFeatures{};

// ---- Groups and their roots -----------------------------------------------------------------

constexpr std::string_view kUpstreamRoots[] = {"Upstream:spec"};
constexpr std::string_view kDestinationRoots[] = {
    "Upstream:spec.aws.destinationOverrides",
    "VirtualService:spec.virtualHost.routes[].routeAction.single.destinationSpec.aws",
    "VirtualService:spec.virtualHost.routes[].routeAction.multi.destinations[].destination.destinationSpec."
    "aws",
    "RouteTable:spec.routes[].routeAction.single.destinationSpec.aws",
    "RouteTable:spec.routes[].routeAction.multi.destinations[].destination.destinationSpec.aws",
};
constexpr std::string_view kVirtualServiceRoots[] = {"VirtualService:spec"};
constexpr std::string_view kVirtualHostOptionsRoots[] = {"VirtualService:spec.virtualHost.options"};
constexpr std::string_view kRouteRoots[] = {"VirtualService:spec.virtualHost.routes[]",
                                            "RouteTable:spec.routes[]"};
constexpr std::string_view kRouteOptionsRoots[] = {"VirtualService:spec.virtualHost.routes[].options",
                                                   "RouteTable:spec.routes[].options"};
constexpr std::string_view kRetryRoots[] = {"VirtualService:spec.virtualHost.options.retries",
                                            "VirtualService:spec.virtualHost.routes[].options.retries",
                                            "RouteTable:spec.routes[].options.retries"};
constexpr std::string_view kHeaderRoots[] = {
    "VirtualService:spec.virtualHost.options.headerManipulation",
    "VirtualService:spec.virtualHost.routes[].options.headerManipulation",
    "RouteTable:spec.routes[].options.headerManipulation"};
constexpr std::string_view kCorsRoots[] = {"VirtualService:spec.virtualHost.options.cors",
                                           "VirtualService:spec.virtualHost.routes[].options.cors",
                                           "RouteTable:spec.routes[].options.cors"};
constexpr std::string_view kJwtProviderRoots[] = {
    "VirtualService:spec.virtualHost.options.jwtStaged.beforeExtAuth.providers.*",
    "VirtualService:spec.virtualHost.options.jwtStaged.afterExtAuth.providers.*",
    "VirtualService:spec.virtualHost.options.jwt.providers.*",
};
constexpr std::string_view kTokenBucketRoots[] = {
    "VirtualService:spec.virtualHost.options.ratelimit.localRatelimit",
    "VirtualService:spec.virtualHost.routes[].options.ratelimit.localRatelimit",
    "RouteTable:spec.routes[].options.ratelimit.localRatelimit",
    "Gateway:spec.httpGateway.options.httpLocalRatelimit.defaultLimit",
};
constexpr std::string_view kRouteTableRoots[] = {"RouteTable:spec"};
constexpr std::string_view kGatewayRoots[] = {"Gateway:spec"};
constexpr std::string_view kHcmRoots[] = {"Gateway:spec.httpGateway.options.httpConnectionManagerSettings"};
constexpr std::string_view kSettingsRoots[] = {"Settings:spec"};

constexpr GlooFieldGroup kGroups[] = {
    {"Upstream", "Upstream (`gloo.solo.io/v1`), `spec`",
     "Only `spec.aws` Upstreams are served; other Upstream types are skipped with a warning.",
     kUpstreamRoots},
    {"Destination", "Route destination: `destinationSpec.aws`, Upstream `aws.destinationOverrides`",
     "The same fields on a route's destination and as an Upstream's defaults.", kDestinationRoots},
    {"VirtualService", "VirtualService (`gateway.solo.io/v1`), `spec`", "", kVirtualServiceRoots},
    {"VirtualHostOptions", "Virtual host options: VirtualService `spec.virtualHost.options`",
     "Retries and header manipulation: see the tables of route options below.", kVirtualHostOptionsRoots},
    {"Route", "Routes: VirtualService `spec.virtualHost.routes[]`, RouteTable `spec.routes[]`",
     "Routes are tried in order; the first whose matcher matches wins.", kRouteRoots},
    {"RouteOptions", "Route options: `routes[].options`",
     "A delegated route gets every option it leaves unset from the route that delegates to it, level by "
     "level; the virtual host's options fill what is still unset (CORS field by field; the virtual host's "
     "JWT providers and rate limit apply at their own level and are not copied into routes).",
     kRouteOptionsRoots},
    {"Retries", "Retry policy: `options.retries` (virtual host and route)", "Envoy's semantics.",
     kRetryRoots},
    {"Headers", "Header manipulation: `options.headerManipulation` (virtual host and route)", "",
     kHeaderRoots},
    {"Cors", "CORS policy: `options.cors` (virtual host and route)",
     "A route's policy overrides the virtual host's field by field (Gloo's plugin hands Envoy the route's "
     "policy whole, except `exposeHeaders` under `UNION`; lambdagate fills the fields the route leaves "
     "empty from the virtual host); `disableForRoute` turns CORS off for the route; a policy without any "
     "origin is an error (as in Gloo).",
     kCorsRoots},
    {"JwtProvider",
     "JWT provider: virtual host `options.jwtStaged.{beforeExtAuth,afterExtAuth}.providers.*` "
     "(and the older `options.jwt.providers.*`)",
     "Gloo Enterprise's JWT, available here. Any provider accepting the token is enough.", kJwtProviderRoots},
    {"TokenBucket",
     "Token bucket: `ratelimit.localRatelimit` (virtual host and route), Gateway "
     "`httpLocalRatelimit.defaultLimit`",
     "Each level has its own bucket; the most specific level that sets one applies.", kTokenBucketRoots},
    {"RouteTable", "RouteTable (`gateway.solo.io/v1`), `spec`", "", kRouteTableRoots},
    {"Gateway", "Gateway (`gateway.solo.io/v1`), `spec`",
     "Without any Gateway document: one plain listener (`--listen`, default 0.0.0.0:8080) serving the "
     "VirtualServices without `sslConfig`, and one ssl listener on 0.0.0.0:8443 (Gloo's Helm default "
     "`gateway-proxy-ssl`) when some VirtualService has `sslConfig`.",
     kGatewayRoots},
    {"Hcm", "Gateway `spec.httpGateway.options.httpConnectionManagerSettings`",
     "Envoy's HTTP connection manager settings, as Gloo names them. Unset fields keep lambdagate's defaults.",
     kHcmRoots},
    {"Settings", "Settings (`gloo.solo.io/v1`), `spec`", "", kSettingsRoots},
};

// ---- Notes shared by many rows --------------------------------------------------------------

constexpr std::string_view kControlPlane =
    "Gloo control-plane settings do not apply to lambdagate, one process that reads its configuration from "
    "the --config files; ignored";
constexpr std::string_view kCluster =
    "shapes an Envoy cluster; lambdagate's Lambda client has its own pool, timeouts and retries";
constexpr std::string_view kNotAws = "not an AWS Upstream: the Upstream is skipped with a warning";
constexpr std::string_view kEnterpriseRateLimit =
    "Gloo Enterprise's rate-limit server is not available; use ratelimit.localRatelimit";
constexpr std::string_view kTransformations =
    "Inja transformations are not supported; use destinationSpec.aws payload mapping";
constexpr std::string_view kNoAuthServer =
    "lambdagate has no external auth or authorization server, and serving the route without the check it "
    "asks for would open it; remove it or put the check in front of lambdagate";
constexpr std::string_view kExtProc = "external processing (Enterprise) is not available";
constexpr std::string_view kMootHost = "moot for Lambda: the Invoke request goes to Lambda's endpoint";
constexpr std::string_view kOnlyAws = "lambdagate routes only to AWS Upstreams";
constexpr std::string_view kOtherSpec = "not an AWS destination; lambdagate invokes Lambda only";
constexpr std::string_view kUnsupportedAction = "not supported; the route answers 404";
constexpr std::string_view kDelegatedOptions = "option documents are not read; write the options inline";
constexpr std::string_view kStage =
    "lambdagate has no external auth, so both stages are one; set one of beforeExtAuth and afterExtAuth";

constexpr GlooField kFields[] = {
    // ---- Upstream
    {"Upstream", "aws.region", S::Works, "Empty: AWS_REGION, else AWS_DEFAULT_REGION."},
    {"Upstream", "aws.secretRef", S::WorksDifferently,
     "Optional: without it the default chain is used (environment keys, web identity / IRSA, container "
     "credentials), as Gloo does with credential discovery."},
    {"Upstream", "aws.lambdaFunctions[].logicalName", S::Works, "Empty: lambdaFunctionName[:qualifier]."},
    {"Upstream", "aws.lambdaFunctions[].lambdaFunctionName", S::Works, "A name, name:alias, or a full ARN."},
    {"Upstream", "aws.lambdaFunctions[].qualifier", S::Works, ""},
    {"Upstream", "aws.lambdaFunctions[].lambdagate.maxConcurrency", S::Extension,
     "Calls in flight at once to this function in this process; over it: 429 rate_limited, before Lambda "
     "throttles.",
     P::ConcurrencyCaps},
    {"Upstream", "aws.roleArn", S::Works,
     "Assumed with sts:AssumeRole signed by the base credentials (one level of chaining)."},
    {"Upstream", "aws.awsAccountId", S::Works, ""},
    {"Upstream", "aws.disableRoleChaining", S::Works, ""},
    {"Upstream", "aws.destinationOverrides", S::Works,
     "Fills the route destination fields left unset (Gloo's merge without override)."},
    {"Upstream", "kube", S::Ignored, kNotAws},
    {"Upstream", "static", S::Ignored, kNotAws},
    {"Upstream", "pipe", S::Ignored, kNotAws},
    {"Upstream", "azure", S::Ignored, kNotAws},
    {"Upstream", "consul", S::Ignored, kNotAws},
    {"Upstream", "awsEc2", S::Ignored, kNotAws},
    {"Upstream", "gcp", S::Ignored, kNotAws},
    {"Upstream", "ai", S::Ignored, kNotAws},
    {"Upstream", "discoveryMetadata", S::Ignored, "written by Gloo's Upstream discovery; nothing to use"},
    {"Upstream", "sslConfig", S::Ignored,
     "TLS to Lambda always verifies the AWS endpoint with the system CAs (plus AWS_CA_BUNDLE)"},
    {"Upstream", "circuitBreakers", S::Ignored, kCluster},
    {"Upstream", "loadBalancerConfig", S::Ignored, kCluster},
    {"Upstream", "healthChecks", S::Ignored, kCluster},
    {"Upstream", "outlierDetection", S::Ignored, kCluster},
    {"Upstream", "failover", S::Ignored, kCluster},
    {"Upstream", "connectionConfig", S::Ignored, kCluster},
    {"Upstream", "protocolSelection", S::Ignored, kCluster},
    {"Upstream", "useHttp2", S::Ignored, kCluster},
    {"Upstream", "initialStreamWindowSize", S::Ignored, kCluster},
    {"Upstream", "initialConnectionWindowSize", S::Ignored, kCluster},
    {"Upstream", "maxConcurrentStreams", S::Ignored, kCluster},
    {"Upstream", "overrideStreamErrorOnInvalidHttpMessage", S::Ignored, kCluster},
    {"Upstream", "httpProxyHostname", S::Ignored, kCluster},
    {"Upstream", "httpConnectSslConfig", S::Ignored, kCluster},
    {"Upstream", "httpConnectHeaders", S::Ignored, kCluster},
    {"Upstream", "ignoreHealthOnHostRemoval", S::Ignored, kCluster},
    {"Upstream", "respectDnsTtl", S::Ignored, kCluster},
    {"Upstream", "dnsRefreshRate", S::Ignored, kCluster},
    {"Upstream", "proxyProtocolVersion", S::Ignored, kCluster},
    {"Upstream", "preconnectPolicy", S::Ignored, kCluster},
    {"Upstream", "disableIstioAutoMtls", S::Ignored, kCluster},

    // ---- Destination
    {"Destination", "logicalName", S::Works,
     "Names one of the Upstream's lambdaFunctions (or a function discovery finds); fallbackToFirstFunction "
     "as in Gloo."},
    {"Destination", "invocationStyle", S::Works, "SYNC | ASYNC (answers 202)."},
    {"Destination", "requestTransformation", S::Works,
     "Gloo's JSON event. Together with wrapAsApiGateway: accepted, wrapAsApiGateway wins, one warning per "
     "load."},
    {"Destination", "responseTransformation", S::Works, "Deprecated; the same as unwrapAsApiGateway."},
    {"Destination", "unwrapAsAlb", S::Works, ""},
    {"Destination", "unwrapAsApiGateway", S::Works, "Also takes payload 2.0's cookies."},
    {"Destination", "wrapAsApiGateway", S::WorksDifferently,
     "Gloo Enterprise's API Gateway proxy event, available here; payload 1.0 unless payloadFormatVersion."},
    {"Destination", "payloadFormatVersion", S::Extension, "\"1.0\" | \"2.0\" for the API Gateway events."},
    {"Destination", "responseStreaming", S::Extension,
     "InvokeWithResponseStream; chunks are relayed as they arrive."},

    // ---- VirtualService
    {"VirtualService", "displayName", S::Works, "A label for UIs."},
    {"VirtualService", "virtualHost.domains", S::Works,
     "Envoy's rules (exact, *.suffix, prefix.*, *; the longest wildcard wins); unique per Gateway."},
    {"VirtualService", "virtualHost.routes", S::Works, "See Routes."},
    {"VirtualService", "virtualHost.optionsConfigRefs", S::Ignored,
     "VirtualHostOption documents are not read; write the options inline"},
    {"VirtualService", "sslConfig.secretRef", S::Works,
     "A kubernetes.io/tls Secret (tls.crt, tls.key, optional ca.crt for client certificates).",
     P::TlsTermination},
    {"VirtualService", "sslConfig.sslFiles.tlsCert", S::Works, "A file path (a mounted Secret volume).",
     P::TlsTermination},
    {"VirtualService", "sslConfig.sslFiles.tlsKey", S::Works, "", P::TlsTermination},
    {"VirtualService", "sslConfig.sslFiles.rootCa", S::Works, "Turns client verification on (mutual TLS).",
     P::TlsTermination},
    {"VirtualService", "sslConfig.sslFiles.ocspStaple", S::Ignored, "OCSP stapling is not supported"},
    {"VirtualService", "sslConfig.sds", S::Refused,
     "certificates come from a Secret document (secretRef) or from files (sslFiles), not from an SDS server"},
    {"VirtualService", "sslConfig.sniDomains", S::Works,
     "Selects the certificate by SNI; none = the default certificate.", P::TlsTermination},
    {"VirtualService", "sslConfig.verifySubjectAltName", S::Works, "", P::TlsTermination},
    {"VirtualService", "sslConfig.parameters.minimumProtocolVersion", S::Works,
     "TLS_AUTO, TLSv1_0 ... TLSv1_3; TLS_AUTO = TLS 1.2.", P::TlsTermination},
    {"VirtualService", "sslConfig.parameters.maximumProtocolVersion", S::Works, "TLS_AUTO = TLS 1.3.",
     P::TlsTermination},
    {"VirtualService", "sslConfig.parameters.cipherSuites", S::Works, "OpenSSL names.", P::TlsTermination},
    {"VirtualService", "sslConfig.parameters.ecdhCurves", S::Works, "", P::TlsTermination},
    {"VirtualService", "sslConfig.alpnProtocols", S::WorksDifferently,
     "lambdagate speaks HTTP/1.1 only: h2 is never negotiated.", P::TlsTermination},
    {"VirtualService", "sslConfig.oneWayTls", S::Works, "True: no client verification even with a root CA.",
     P::TlsTermination},
    {"VirtualService", "sslConfig.disableTlsSessionResumption", S::Works, "", P::TlsTermination},
    {"VirtualService", "sslConfig.transportSocketConnectTimeout", S::Ignored,
     "the handshake is bounded by lambdagate's request-headers timeout"},
    {"VirtualService", "sslConfig.ocspStaplePolicy", S::Ignored, "OCSP stapling is not supported"},

    // ---- Virtual host options
    {"VirtualHostOptions", "timeout", S::Extension,
     "Not a Gloo virtual host option: the default timeout of the routes that set none."},
    {"VirtualHostOptions", "prefixRewrite", S::Extension,
     "Not a Gloo virtual host option: the default prefixRewrite of the routes that set none."},
    {"VirtualHostOptions", "retries", S::Works, "The default for routes that set none; see Retry policy."},
    {"VirtualHostOptions", "headerManipulation", S::WorksDifferently,
     "Used by the routes that set no headerManipulation of their own (Envoy applies both)."},
    {"VirtualHostOptions", "cors", S::Works, "See CORS policy.", P::Cors},
    {"VirtualHostOptions", "corsPolicyMergeSettings.exposeHeaders", S::Works,
     "DEFAULT (the route's list replaces the virtual host's) | UNION (both).", P::Cors},
    {"VirtualHostOptions", "jwtStaged.beforeExtAuth.providers", S::Works, "See JWT provider.", P::Jwt},
    {"VirtualHostOptions", "jwtStaged.beforeExtAuth.validationPolicy", S::Works,
     "REQUIRE_VALID (default) | ALLOW_MISSING | ALLOW_MISSING_OR_FAILED.", P::Jwt},
    {"VirtualHostOptions", "jwtStaged.beforeExtAuth.allowMissingOrFailedJwt", S::Works,
     "Deprecated; as validationPolicy ALLOW_MISSING_OR_FAILED.", P::Jwt},
    {"VirtualHostOptions", "jwtStaged.afterExtAuth.providers", S::WorksDifferently, kStage, P::Jwt},
    {"VirtualHostOptions", "jwtStaged.afterExtAuth.validationPolicy", S::Works, "", P::Jwt},
    {"VirtualHostOptions", "jwtStaged.afterExtAuth.allowMissingOrFailedJwt", S::Works, "", P::Jwt},
    {"VirtualHostOptions", "jwt.providers", S::Works, "The older form of jwtStaged.afterExtAuth.", P::Jwt},
    {"VirtualHostOptions", "jwt.validationPolicy", S::Works, "", P::Jwt},
    {"VirtualHostOptions", "jwt.allowMissingOrFailedJwt", S::Works, "", P::Jwt},
    {"VirtualHostOptions", "ratelimit.localRatelimit", S::Works,
     "The virtual host's own bucket; see Token bucket.", P::LocalRateLimits},
    {"VirtualHostOptions", "ratelimit.rateLimits", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "lambdagate.maxConcurrency", S::Extension,
     "The concurrency cap of each route that sets none (each route its own count).", P::ConcurrencyCaps},
    {"VirtualHostOptions", "transformations", S::Ignored, kTransformations},
    {"VirtualHostOptions", "stagedTransformations", S::Ignored, kTransformations},
    {"VirtualHostOptions", "extensions", S::Ignored, "Gloo plugin extensions have no equivalent"},
    {"VirtualHostOptions", "stats", S::Ignored, "lambdagate's metrics are per route and function"},
    {"VirtualHostOptions", "ratelimitBasic", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "ratelimitEarly", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "rateLimitEarlyConfigs", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "rateLimitConfigs", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "ratelimitRegular", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "rateLimitRegularConfigs", S::Ignored, kEnterpriseRateLimit},
    {"VirtualHostOptions", "waf", S::Refused, kNoAuthServer},
    {"VirtualHostOptions", "rbac", S::Refused, kNoAuthServer},
    {"VirtualHostOptions", "extauth", S::Refused, kNoAuthServer},
    {"VirtualHostOptions", "csrf", S::Refused,
     "the CSRF filter is not available, and dropping it would open the routes"},
    {"VirtualHostOptions", "dlp", S::Ignored, "data loss prevention (Enterprise) is not available"},
    {"VirtualHostOptions", "bufferPerRoute", S::Ignored,
     "request bodies are always buffered up to the body limit"},
    {"VirtualHostOptions", "includeRequestAttemptCount", S::Ignored, "x-envoy-attempt-count is not sent"},
    {"VirtualHostOptions", "includeAttemptCountInResponse", S::Ignored, "x-envoy-attempt-count is not sent"},
    {"VirtualHostOptions", "extProcEarly", S::Ignored, kExtProc},
    {"VirtualHostOptions", "extProc", S::Ignored, kExtProc},
    {"VirtualHostOptions", "extProcLate", S::Ignored, kExtProc},

    // ---- Routes
    {"Route", "name", S::Works, "Used in messages, metrics and /config_dump."},
    {"Route", "matchers[].prefix", S::Works, "A raw string prefix (/abc matches /abcd)."},
    {"Route", "matchers[].exact", S::Works, ""},
    {"Route", "matchers[].regex", S::Works, "RE2, full match of the path without the query."},
    {"Route", "matchers[].connectMatcher", S::Refused, "lambdagate does not proxy CONNECT requests"},
    {"Route", "matchers[].caseSensitive", S::Works, "Default true; for prefix and exact."},
    {"Route", "matchers[].headers[].name", S::Works, ""},
    {"Route", "matchers[].headers[].value", S::Works, "Empty: the header must be present."},
    {"Route", "matchers[].headers[].regex", S::Works, "RE2, full match."},
    {"Route", "matchers[].headers[].invertMatch", S::Works, ""},
    {"Route", "matchers[].queryParameters[].name", S::Works, ""},
    {"Route", "matchers[].queryParameters[].value", S::Works, "Empty: the parameter must be present."},
    {"Route", "matchers[].queryParameters[].regex", S::Works, ""},
    {"Route", "matchers[].methods", S::Works, "Any of them."},
    {"Route", "inheritableMatchers", S::Works,
     "On a delegating route: its headers, queryParameters and methods are prepended to every child "
     "matcher. Without it every child matcher must contain them. Unset: the parent's value."},
    {"Route", "inheritablePathMatchers", S::Works,
     "On a delegating route: each child matcher gets its path and caseSensitive. Unset: the parent's value."},
    {"Route", "routeAction.single.upstream", S::Works, "Must be an AWS Upstream."},
    {"Route", "routeAction.single.kube", S::Refused, kOnlyAws},
    {"Route", "routeAction.single.consul", S::Refused, kOnlyAws},
    {"Route", "routeAction.single.destinationSpec.azure", S::Ignored, kOtherSpec},
    {"Route", "routeAction.single.destinationSpec.rest", S::Ignored, kOtherSpec},
    {"Route", "routeAction.single.destinationSpec.grpc", S::Ignored, kOtherSpec},
    {"Route", "routeAction.single.destinationSpec.grpcJson", S::Ignored, kOtherSpec},
    {"Route", "routeAction.single.subset", S::Ignored,
     "a Lambda Upstream has one endpoint: nothing to subset"},
    {"Route", "routeAction.multi.destinations[].destination.upstream", S::Works, "Weighted, as Envoy."},
    {"Route", "routeAction.multi.destinations[].destination.kube", S::Refused, kOnlyAws},
    {"Route", "routeAction.multi.destinations[].destination.consul", S::Refused, kOnlyAws},
    {"Route", "routeAction.multi.destinations[].destination.destinationSpec.azure", S::Ignored, kOtherSpec},
    {"Route", "routeAction.multi.destinations[].destination.destinationSpec.rest", S::Ignored, kOtherSpec},
    {"Route", "routeAction.multi.destinations[].destination.destinationSpec.grpc", S::Ignored, kOtherSpec},
    {"Route", "routeAction.multi.destinations[].destination.destinationSpec.grpcJson", S::Ignored,
     kOtherSpec},
    {"Route", "routeAction.multi.destinations[].destination.subset", S::Ignored,
     "a Lambda Upstream has one endpoint: nothing to subset"},
    {"Route", "routeAction.multi.destinations[].weight", S::Works, ""},
    {"Route", "routeAction.multi.destinations[].options", S::Ignored,
     "per-destination options are not supported"},
    {"Route", "routeAction.upstreamGroup", S::Ignored, kUnsupportedAction},
    {"Route", "routeAction.clusterHeader", S::Ignored, kUnsupportedAction},
    {"Route", "routeAction.dynamicForwardProxy", S::Ignored, kUnsupportedAction},
    {"Route", "graphqlApiRef", S::Ignored, kUnsupportedAction},
    {"Route", "redirectAction.hostRedirect", S::Works, "", P::Redirects},
    {"Route", "redirectAction.pathRedirect", S::Works, "", P::Redirects},
    {"Route", "redirectAction.prefixRewrite", S::Works, "", P::Redirects},
    {"Route", "redirectAction.regexRewrite.pattern.regex", S::Works, "RE2.", P::Redirects},
    {"Route", "redirectAction.regexRewrite.pattern.googleRe2", S::Works, "Deprecated; RE2 is always used.",
     P::Redirects},
    {"Route", "redirectAction.regexRewrite.substitution", S::Works, "", P::Redirects},
    {"Route", "redirectAction.responseCode", S::Works,
     "MOVED_PERMANENTLY (301, default), FOUND, SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT.",
     P::Redirects},
    {"Route", "redirectAction.httpsRedirect", S::Works, "", P::Redirects},
    {"Route", "redirectAction.stripQuery", S::Works, "The query is kept unless set.", P::Redirects},
    {"Route", "redirectAction.portRedirect", S::Works, "", P::Redirects},
    {"Route", "directResponseAction.status", S::Works, ""},
    {"Route", "directResponseAction.body", S::Works, ""},
    {"Route", "delegateAction.ref", S::Works,
     "The delegating route may also match headers, "
     "queryParameters and methods (Gloo >= 1.5)."},
    {"Route", "delegateAction.name", S::Works, "Deprecated form of ref."},
    {"Route", "delegateAction.namespace", S::Works, "Deprecated form of ref."},
    {"Route", "delegateAction.selector.labels", S::Works, ""},
    {"Route", "delegateAction.selector.expressions[].key", S::Works, ""},
    {"Route", "delegateAction.selector.expressions[].operator", S::Works,
     "Gloo's enum names: Equals (default), DoubleEquals, NotEquals, In, NotIn, Exists, DoesNotExist, "
     "GreaterThan, LessThan."},
    {"Route", "delegateAction.selector.expressions[].values", S::Works, ""},
    {"Route", "delegateAction.selector.namespaces", S::Works,
     "None: the delegating resource's own; * = all."},
    {"Route", "optionsConfigRefs", S::Ignored, kDelegatedOptions},

    // ---- Route options
    {"RouteOptions", "timeout", S::Works,
     "Default 15s; 0 disables; bounds the whole request, retries included."},
    {"RouteOptions", "retries", S::Works, "See Retry policy."},
    {"RouteOptions", "prefixRewrite", S::Works, "Changes the path the function's event carries."},
    {"RouteOptions", "headerManipulation", S::Works, "See Header manipulation."},
    {"RouteOptions", "cors", S::Works, "See CORS policy.", P::Cors},
    {"RouteOptions", "jwtStaged.beforeExtAuth.disable", S::Works,
     "No JWT verification for this route (and, through delegation, its children).", P::Jwt},
    {"RouteOptions", "jwtStaged.afterExtAuth.disable", S::Works, "", P::Jwt},
    {"RouteOptions", "jwt.disable", S::Works, "The older form.", P::Jwt},
    {"RouteOptions", "jwtProvidersStaged", S::Refused,
     "route-level JWT providers are not supported; put the providers on the virtual host"},
    {"RouteOptions", "ratelimit.localRatelimit", S::Works, "The route's own bucket; see Token bucket.",
     P::LocalRateLimits},
    {"RouteOptions", "ratelimit.rateLimits", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "ratelimit.includeVhRateLimits", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "lambdagate.maxConcurrency", S::Extension,
     "Calls in flight at once for this route; over it: 429 rate_limited.", P::ConcurrencyCaps},
    {"RouteOptions", "transformations", S::Ignored, kTransformations},
    {"RouteOptions", "stagedTransformations", S::Ignored, kTransformations},
    {"RouteOptions", "faults", S::Ignored, "fault injection is not supported"},
    {"RouteOptions", "extensions", S::Ignored, "Gloo plugin extensions have no equivalent"},
    {"RouteOptions", "tracing", S::Ignored, "tracing is not supported; every response carries x-request-id"},
    {"RouteOptions", "shadowing", S::Ignored, "request shadowing is not supported"},
    {"RouteOptions", "hostRewrite", S::Ignored, kMootHost},
    {"RouteOptions", "autoHostRewrite", S::Ignored, kMootHost},
    {"RouteOptions", "hostRewritePathRegex", S::Ignored, kMootHost},
    {"RouteOptions", "hostRewriteHeader", S::Ignored, kMootHost},
    {"RouteOptions", "appendXForwardedHost", S::Ignored, kMootHost},
    {"RouteOptions", "lbHash", S::Ignored, "a Lambda Upstream has one endpoint: nothing to balance"},
    {"RouteOptions", "upgrades", S::Ignored, "connection upgrades (WebSocket) are not proxied to Lambda"},
    {"RouteOptions", "ratelimitBasic", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "ratelimitEarly", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "rateLimitEarlyConfigs", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "rateLimitConfigs", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "ratelimitRegular", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "rateLimitRegularConfigs", S::Ignored, kEnterpriseRateLimit},
    {"RouteOptions", "waf", S::Refused, kNoAuthServer},
    {"RouteOptions", "rbac", S::Refused, kNoAuthServer},
    {"RouteOptions", "extauth", S::Refused, kNoAuthServer},
    {"RouteOptions", "csrf", S::Refused,
     "the CSRF filter is not available, and dropping it would open the route"},
    {"RouteOptions", "dlp", S::Ignored, "data loss prevention (Enterprise) is not available"},
    {"RouteOptions", "bufferPerRoute", S::Ignored, "request bodies are always buffered up to the body limit"},
    {"RouteOptions", "envoyMetadata", S::Ignored, "Envoy metadata has no consumer in lambdagate"},
    {"RouteOptions", "regexRewrite", S::Ignored, "not supported for routes to Lambda; use prefixRewrite"},
    {"RouteOptions", "maxStreamDuration", S::Ignored, "the route timeout bounds the request"},
    {"RouteOptions", "idleTimeout", S::Ignored, "the route timeout bounds the request"},
    {"RouteOptions", "extProcEarly", S::Ignored, kExtProc},
    {"RouteOptions", "extProc", S::Ignored, kExtProc},
    {"RouteOptions", "extProcLate", S::Ignored, kExtProc},
    {"RouteOptions", "ai", S::Ignored, "AI gateway options (Enterprise) are not available"},

    // ---- Retry policy
    {"Retries", "retryOn", S::Works,
     "Envoy's names (5xx, gateway-error, connect-failure, reset, retriable-status-codes, retriable-4xx) plus "
     "throttled (Lambda 429); HTTP/2 and gRPC conditions are warned and ignored."},
    {"Retries", "numRetries", S::Works, "0 means 1, as in Gloo; at most 10."},
    {"Retries", "perTryTimeout", S::Works, ""},
    {"Retries", "retryBackOff.baseInterval", S::Works, "Default 25ms."},
    {"Retries", "retryBackOff.maxInterval", S::Works, "Default 10 x baseInterval."},
    {"Retries", "retriableStatusCodes", S::Works, ""},
    {"Retries", "rateLimitedRetryBackOff", S::Ignored,
     "Lambda's Retry-After is always honoured within the route's deadline"},
    {"Retries", "previousPriorities", S::Ignored, "a Lambda Upstream has one endpoint: no priorities"},

    // ---- Header manipulation
    {"Headers", "requestHeadersToAdd[].header.key", S::Works, "Added to the Lambda request."},
    {"Headers", "requestHeadersToAdd[].header.value", S::Works, ""},
    {"Headers", "requestHeadersToAdd[].append", S::Works, "Default true; false replaces."},
    {"Headers", "requestHeadersToAdd[].headerSecretRef", S::Ignored,
     "headers from Secrets are not supported; this header is not added"},
    {"Headers", "requestHeadersToRemove", S::Works, ""},
    {"Headers", "responseHeadersToAdd[].header.key", S::Works, ""},
    {"Headers", "responseHeadersToAdd[].header.value", S::Works, ""},
    {"Headers", "responseHeadersToAdd[].append", S::Works, ""},
    {"Headers", "responseHeadersToRemove", S::Works, ""},

    // ---- CORS
    {"Cors", "allowOrigin", S::Works, "Exact origins.", P::Cors},
    {"Cors", "allowOriginRegex", S::Works, "RE2, full match.", P::Cors},
    {"Cors", "allowMethods", S::Works, "", P::Cors},
    {"Cors", "allowHeaders", S::Works, "", P::Cors},
    {"Cors", "exposeHeaders", S::Works, "", P::Cors},
    {"Cors", "maxAge", S::Works, "Sent as written.", P::Cors},
    {"Cors", "allowCredentials", S::Works, "", P::Cors},
    {"Cors", "disableForRoute", S::Works, "Route only (warned on a virtual host, as Gloo does).", P::Cors},

    // ---- JWT provider
    {"JwtProvider", "issuer", S::Works, "Empty: any issuer.", P::Jwt},
    {"JwtProvider", "audiences", S::Works, "Empty: any audience; not allowed: 403.", P::Jwt},
    {"JwtProvider", "jwks.local.key", S::Works, "A JWK, a JWKS or a PEM public key.", P::Jwt},
    {"JwtProvider", "jwks.remote.url", S::Works, "Fetched over HTTPS in the background.", P::Jwt},
    {"JwtProvider", "jwks.remote.upstreamRef", S::WorksDifferently,
     "lambdagate fetches url itself; the Upstream is not used.", P::Jwt},
    {"JwtProvider", "jwks.remote.cacheDuration", S::Works, "Default 5m.", P::Jwt},
    {"JwtProvider", "jwks.remote.asyncFetch", S::WorksDifferently,
     "Always: keys are fetched in the background, never on the request path.", P::Jwt},
    {"JwtProvider", "tokenSource.headers[].header", S::Works,
     "Default: Authorization: Bearer, then the access_token query parameter.", P::Jwt},
    {"JwtProvider", "tokenSource.headers[].prefix", S::Works, "", P::Jwt},
    {"JwtProvider", "tokenSource.queryParams", S::Works, "", P::Jwt},
    {"JwtProvider", "keepToken", S::Works, "Default false: the token header is removed.", P::Jwt},
    {"JwtProvider", "claimsToHeaders[].claim", S::Works, "", P::Jwt},
    {"JwtProvider", "claimsToHeaders[].header", S::Works, "", P::Jwt},
    {"JwtProvider", "claimsToHeaders[].append", S::Works, "", P::Jwt},
    {"JwtProvider", "clockSkewSeconds", S::Works, "Default 60.", P::Jwt},
    {"JwtProvider", "attachFailedStatusToMetadata", S::Ignored,
     "metadata for Gloo's external auth; lambdagate has none"},

    // ---- Token bucket
    {"TokenBucket", "maxTokens", S::Works, "At least 1; also the initial fill.", P::LocalRateLimits},
    {"TokenBucket", "tokensPerFill", S::Works, "Default 1.", P::LocalRateLimits},
    {"TokenBucket", "fillInterval", S::Works, "Default 1s; at least 50ms.", P::LocalRateLimits},

    // ---- RouteTable
    {"RouteTable", "routes", S::Works,
     "See Routes. Every matcher must start with the delegating prefix and have its caseSensitive (unset "
     "counts as true; Gloo compares the values as written, unconfirmed whether users rely on that)."},
    {"RouteTable", "weight", S::Works, "Order among the tables one selector picks, ascending."},

    // ---- Gateway
    {"Gateway", "bindAddress", S::Works, "--listen replaces the address of the plain Gateway only."},
    {"Gateway", "bindPort", S::Works, ""},
    {"Gateway", "ssl", S::Works, "An HTTPS listener serving the VirtualServices that have sslConfig.",
     P::TlsTermination},
    {"Gateway", "useProxyProto", S::Works, "Deprecated; options.proxyProtocol wins when both are set.",
     P::ProxyProtocol},
    {"Gateway", "proxyNames", S::NotApplicable,
     "one lambdagate process serves every Gateway it reads, so proxy names are ignored"},
    {"Gateway", "routeOptions", S::Ignored,
     "route configuration options (maxDirectResponseBodySizeBytes, mostSpecificHeaderMutationsWins) have "
     "no equivalent"},
    {"Gateway", "tcpGateway", S::Ignored, "TCP proxying is not supported: the Gateway is skipped"},
    {"Gateway", "hybridGateway", S::Ignored, "hybrid Gateways are not supported: the Gateway is skipped"},
    {"Gateway", "httpGateway.virtualServices", S::Works, "Used when no selector or expressions are set."},
    {"Gateway", "httpGateway.virtualServiceSelector", S::Works, "Labels; used when no expressions are set."},
    {"Gateway", "httpGateway.virtualServiceExpressions.expressions[].key", S::Works, ""},
    {"Gateway", "httpGateway.virtualServiceExpressions.expressions[].operator", S::Works,
     "Gloo's enum names, as for RouteTable selectors."},
    {"Gateway", "httpGateway.virtualServiceExpressions.expressions[].values", S::Works, ""},
    {"Gateway", "httpGateway.virtualServiceNamespaces", S::Works, "Empty or *: every namespace."},
    {"Gateway", "httpGateway.options.healthCheck.path", S::Works,
     "Answered by the listener itself: 200, or 503 while draining.", P::HealthCheck},
    {"Gateway", "httpGateway.options.httpLocalRatelimit.defaultLimit", S::Works,
     "The Gateway level's bucket; see Token bucket.", P::LocalRateLimits},
    {"Gateway", "httpGateway.options.httpLocalRatelimit.localRateLimitPerDownstreamConnection", S::Works,
     "A bucket per connection instead of per process, at every level.", P::LocalRateLimits},
    {"Gateway", "httpGateway.options.httpLocalRatelimit.enableXRatelimitHeaders", S::Works,
     "x-ratelimit-limit, -remaining, -reset on every response.", P::LocalRateLimits},
    {"Gateway", "httpGateway.options.grpcWeb", S::Ignored, "gRPC-Web is not supported"},
    {"Gateway", "httpGateway.options.extensions", S::Ignored, "Gloo plugin extensions have no equivalent"},
    {"Gateway", "httpGateway.options.waf", S::Refused, kNoAuthServer},
    {"Gateway", "httpGateway.options.dlp", S::Ignored, "data loss prevention (Enterprise) is not available"},
    {"Gateway", "httpGateway.options.wasm", S::Ignored, "WebAssembly filters are not supported"},
    {"Gateway", "httpGateway.options.extauth", S::Refused, kNoAuthServer},
    {"Gateway", "httpGateway.options.ratelimitServer", S::Ignored, kEnterpriseRateLimit},
    {"Gateway", "httpGateway.options.caching", S::Ignored, "response caching is not supported"},
    {"Gateway", "httpGateway.options.disableExtProcEarly", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.extProcEarly", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.disableExtProc", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.extProc", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.disableExtProcLate", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.extProcLate", S::Ignored, kExtProc},
    {"Gateway", "httpGateway.options.gzip", S::Ignored, "responses are not compressed"},
    {"Gateway", "httpGateway.options.proxyLatency", S::Ignored, "latency is in /metrics instead"},
    {"Gateway", "httpGateway.options.buffer", S::Ignored,
     "request bodies are always buffered up to the body limit"},
    {"Gateway", "httpGateway.options.csrf", S::Refused,
     "the CSRF filter is not available, and dropping it would open the routes"},
    {"Gateway", "httpGateway.options.grpcJsonTranscoder", S::Ignored, "gRPC transcoding is not supported"},
    {"Gateway", "httpGateway.options.sanitizeClusterHeader", S::Ignored,
     "there is no cluster header to sanitize"},
    {"Gateway", "httpGateway.options.leftmostXffAddress", S::Ignored,
     "use httpConnectionManagerSettings.xffNumTrustedHops"},
    {"Gateway", "httpGateway.options.dynamicForwardProxy", S::Ignored, "forward proxying is not supported"},
    {"Gateway", "httpGateway.options.connectionLimit", S::Ignored,
     "use the Settings extension spec.lambdagate.listener.maxConnections"},
    {"Gateway", "httpGateway.options.networkLocalRatelimit", S::Ignored,
     "connection rate limits are not supported; use httpLocalRatelimit"},
    {"Gateway", "httpGateway.options.router", S::Ignored, "Envoy router options have no equivalent"},
    {"Gateway", "httpGateway.options.tap", S::Ignored, "traffic tapping is not supported"},
    {"Gateway", "httpGateway.options.statefulSession", S::Ignored, "a Lambda Upstream has one endpoint"},
    {"Gateway", "httpGateway.options.headerValidationSettings", S::Ignored,
     "lambdagate validates headers its own way (RFC 9110)"},
    {"Gateway", "options.accessLoggingService.accessLog[].fileSink.path", S::Works,
     "/dev/stdout works. The sinks replace lambdagate's built-in access log line for requests on this "
     "Gateway's listener (never both).",
     P::AccessLogSinks},
    {"Gateway", "options.accessLoggingService.accessLog[].fileSink.stringFormat", S::Works,
     "Envoy command operators (plus %LAMBDAGATE_FUNCTION%, %LAMBDAGATE_ATTEMPTS%, ...; see the README); an "
     "unknown operator is a config error.",
     P::AccessLogSinks},
    {"Gateway", "options.accessLoggingService.accessLog[].fileSink.jsonFormat", S::Works,
     "Envoy command operators in the values; a value that is one operator keeps its type (number, null).",
     P::AccessLogSinks},
    {"Gateway", "options.accessLoggingService.accessLog[].grpcService", S::Ignored,
     "gRPC access log services are not supported; this entry writes nothing"},
    {"Gateway", "options.accessLoggingService.accessLog[].openTelemetryService", S::Ignored,
     "OpenTelemetry access logs are not supported; this entry writes nothing"},
    {"Gateway", "options.accessLoggingService.accessLog[].filter", S::Ignored,
     "access log filters are not supported: every request is logged"},
    {"Gateway", "options.listenerAccessLoggingService", S::Ignored,
     "connection-level access logs are not supported"},
    {"Gateway", "options.proxyProtocol.allowRequestsWithoutProxyProtocol", S::Works,
     "False: a connection without a valid PROXY header is closed.", P::ProxyProtocol},
    {"Gateway", "options.proxyProtocol.rules[].tlvType", S::WorksDifferently,
     "TLV rules are checked; nothing in lambdagate reads Envoy metadata.", P::ProxyProtocol},
    {"Gateway", "options.proxyProtocol.rules[].onTlvPresent.metadataNamespace", S::WorksDifferently, "",
     P::ProxyProtocol},
    {"Gateway", "options.proxyProtocol.rules[].onTlvPresent.key", S::WorksDifferently, "", P::ProxyProtocol},
    {"Gateway", "options.perConnectionBufferLimitBytes", S::Ignored,
     "use the body limit and the Settings extension spec.lambdagate.listener.maxBytesInFlight"},
    {"Gateway", "options.socketOptions", S::Ignored, "socket options are not supported"},
    {"Gateway", "options.connectionBalanceConfig", S::Ignored,
     "each worker accepts on its own SO_REUSEPORT socket"},
    {"Gateway", "options.extensions", S::Ignored, "Gloo plugin extensions have no equivalent"},
    {"Gateway", "options.tcpStats", S::Ignored, "TCP statistics are not collected"},

    // ---- HTTP connection manager settings
    {"Hcm", "requestHeadersTimeout", S::WorksDifferently,
     "From the first byte of a request to its last header; default 10s (Envoy: none); 0 keeps the default."},
    {"Hcm", "idleTimeout", S::WorksDifferently, "Keep-alive wait for a request; default 60s; 0 keeps the default."},
    {"Hcm", "streamIdleTimeout", S::WorksDifferently,
     "Bounds each response write; default 60s; 0 keeps the default."},
    {"Hcm", "requestTimeout", S::WorksDifferently,
     "Bounds receiving the body (and caps the header timeout); default 60s; 0 keeps the default."},
    {"Hcm", "maxConnectionDuration", S::Works,
     "Once passed, the response in progress is the connection's last; an idle connection is closed."},
    {"Hcm", "maxRequestsPerConnection", S::Works, ""},
    {"Hcm", "maxRequestHeadersKb", S::Works, "1 to 8192."},
    {"Hcm", "maxHeadersCount", S::Works, ""},
    {"Hcm", "headersWithUnderscoresAction", S::Works, "ALLOW | REJECT_CLIENT_REQUEST | DROP_HEADER."},
    {"Hcm", "mergeSlashes", S::WorksDifferently,
     "lambdagate's default is true (Envoy's false), so //a cannot dodge a route on /a."},
    {"Hcm", "normalizePath", S::Works,
     "Default true: RFC 3986 dot segments removed and unreserved %-escapes decoded before matching; the "
     "function's event carries the normalised path."},
    {"Hcm", "pathWithEscapedSlashesAction", S::Works,
     "IMPLEMENTATION_SPECIFIC_DEFAULT (keep) | KEEP_UNCHANGED | REJECT_REQUEST | UNESCAPE_AND_REDIRECT | "
     "UNESCAPE_AND_FORWARD."},
    {"Hcm", "useRemoteAddress", S::WorksDifferently,
     "lambdagate's default is true (Envoy's false): the connection's address (or its PROXY protocol "
     "header's) is the client's and is appended to X-Forwarded-For."},
    {"Hcm", "xffNumTrustedHops", S::Works, ""},
    {"Hcm", "skipXffAppend", S::Works, ""},
    {"Hcm", "drainTimeout", S::Ignored, "the drain time is --drain-timeout's"},
    {"Hcm", "serverName", S::Ignored, "lambdagate sends no Server header"},
    {"Hcm", "acceptHttp10", S::Ignored, "HTTP/1.0 requests are always served"},
    {"Hcm", "generateRequestId", S::Ignored,
     "every request gets an x-request-id (a valid incoming one is kept)"},
    {"Hcm", "preserveExternalRequestId", S::Ignored, "a valid incoming x-request-id is always kept"},
    {"Hcm", "stripAnyHostPort", S::Ignored,
     "a domain written without a port always matches a Host with any port"},
    {"Hcm", "via", S::Ignored, "no Via header is added"},
    {"Hcm", "proxy100Continue", S::Ignored, "lambdagate answers Expect: 100-continue itself"},
    {"Hcm", "delayedCloseTimeout", S::Ignored, "connections close after the response is written"},
    {"Hcm", "defaultHostForHttp10", S::Ignored, "HTTP/1.0 requests without Host match the '*' domain"},
    {"Hcm", "allowChunkedLength", S::Ignored,
     "a request with both Content-Length and Transfer-Encoding is always refused"},
    {"Hcm", "enableTrailers", S::Ignored, "trailers are not forwarded to Lambda"},
    {"Hcm", "properCaseHeaderKeyFormat", S::Ignored, "header names are sent as lambdagate writes them"},
    {"Hcm", "preserveCaseHeaderKeyFormat", S::Ignored, "header names are sent as lambdagate writes them"},
    {"Hcm", "tracing", S::Ignored, "tracing is not supported; every response carries x-request-id"},
    {"Hcm", "forwardClientCertDetails", S::Ignored, "x-forwarded-client-cert is not set"},
    {"Hcm", "setCurrentClientCertDetails", S::Ignored, "x-forwarded-client-cert is not set"},
    {"Hcm", "upgrades", S::Ignored, "connection upgrades (WebSocket) are not proxied to Lambda"},
    {"Hcm", "maxStreamDuration", S::Ignored, "the route timeout bounds each request"},
    {"Hcm", "serverHeaderTransformation", S::Ignored, "lambdagate sends no Server header"},
    {"Hcm", "codecType", S::Ignored, "lambdagate speaks HTTP/1.1 (and 1.0)"},
    {"Hcm", "uuidRequestIdConfig", S::Ignored, "request ids are not used for trace sampling"},
    {"Hcm", "http2ProtocolOptions", S::Ignored, "lambdagate speaks HTTP/1.1 (and 1.0)"},
    {"Hcm", "internalAddressConfig", S::Ignored, "no request is treated as internal"},
    {"Hcm", "appendXForwardedPort", S::Ignored, "x-forwarded-port is not added"},
    {"Hcm", "earlyHeaderManipulation", S::Ignored, "use headerManipulation on the virtual host or route"},

    // ---- Settings
    {"Settings", "gloo.awsOptions.enableCredentialsDiscovey", S::Works,
     "Gloo's spelling; lambdagate always falls back to the default chain."},
    {"Settings", "gloo.awsOptions.enableCredentialsDiscovery", S::Extension,
     "The correct spelling, accepted too."},
    {"Settings", "gloo.awsOptions.serviceAccountCredentials.uri", S::Works, "STS host or URL."},
    {"Settings", "gloo.awsOptions.serviceAccountCredentials.region", S::Works, "STS signing region."},
    {"Settings", "gloo.awsOptions.serviceAccountCredentials.timeout", S::Works,
     "Per STS call (Gloo does not wire it); default 5s."},
    {"Settings", "gloo.awsOptions.serviceAccountCredentials.cluster", S::WorksDifferently,
     "lambdagate connects to uri itself; the Envoy cluster name is not used."},
    {"Settings", "gloo.awsOptions.propagateOriginalRouting", S::Works,
     "x-envoy-original-path / x-envoy-original-method on the Lambda request."},
    {"Settings", "gloo.awsOptions.fallbackToFirstFunction", S::Works, ""},
    {"Settings", "gloo.awsOptions.credentialRefreshDelay", S::Ignored,
     "not needed: the token file is read afresh at every fetch"},
    {"Settings", "discovery.fdsMode", S::Works,
     "BLACKLIST | WHITELIST | DISABLED; WHITELIST is honoured for AWS Upstreams (Gloo ignored it, #7916)."},
    {"Settings", "discovery.udsOptions", S::NotApplicable, kControlPlane},
    {"Settings", "discovery.fdsOptions", S::NotApplicable, kControlPlane},
    {"Settings", "lambdagate.discovery.pollInterval", S::Extension, "At least 1s; default 30s."},
    {"Settings", "lambdagate.discovery.aliases", S::Extension, "Also list each function's aliases."},
    {"Settings", "lambdagate.discovery.aliasCallsPerSecond", S::Extension, "Pace of the ListAliases calls."},
    {"Settings", "lambdagate.credentialRefreshMargin", S::Extension, "Default 15m."},
    {"Settings", "lambdagate.listener.maxConnections", S::Extension,
     "Client connections at once over every listener; default (RLIMIT_NOFILE - 64) / 2. Over it a new "
     "connection is closed at once, with a rate-limited warning."},
    {"Settings", "lambdagate.listener.maxBytesInFlight", S::Extension,
     "Request bytes buffered at once over all connections (bytes, or a quantity such as 64Mi; default "
     "256Mi); over it: 503 overloaded."},
    {"Settings", "discoveryNamespace", S::NotApplicable, kControlPlane},
    {"Settings", "watchNamespaces", S::NotApplicable, kControlPlane},
    {"Settings", "watchNamespaceSelectors", S::NotApplicable, kControlPlane},
    {"Settings", "kubernetesConfigSource", S::NotApplicable, kControlPlane},
    {"Settings", "directoryConfigSource", S::NotApplicable, kControlPlane},
    {"Settings", "consulKvSource", S::NotApplicable, kControlPlane},
    {"Settings", "kubernetesSecretSource", S::NotApplicable, kControlPlane},
    {"Settings", "vaultSecretSource", S::NotApplicable, kControlPlane},
    {"Settings", "directorySecretSource", S::NotApplicable, kControlPlane},
    {"Settings", "secretOptions", S::NotApplicable, kControlPlane},
    {"Settings", "kubernetesArtifactSource", S::NotApplicable, kControlPlane},
    {"Settings", "directoryArtifactSource", S::NotApplicable, kControlPlane},
    {"Settings", "consulKvArtifactSource", S::NotApplicable, kControlPlane},
    {"Settings", "refreshRate", S::NotApplicable, kControlPlane},
    {"Settings", "devMode", S::NotApplicable, kControlPlane},
    {"Settings", "linkerd", S::NotApplicable, kControlPlane},
    {"Settings", "knative", S::NotApplicable, kControlPlane},
    {"Settings", "consul", S::NotApplicable, kControlPlane},
    {"Settings", "consulDiscovery", S::NotApplicable, kControlPlane},
    {"Settings", "kubernetes", S::NotApplicable, kControlPlane},
    {"Settings", "observabilityOptions", S::NotApplicable, kControlPlane},
    {"Settings", "consoleOptions", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.xdsBindAddr", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.validationBindAddr", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.restXdsBindAddr", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.enableRestEds", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.proxyDebugBindAddr", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.disableKubernetesDestinations", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.disableProxyGarbageCollection", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.endpointsWarmingTimeout", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.removeUnusedFilters", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.enableAutoWebsocketTransformationPassthrough", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.istioOptions", S::NotApplicable, kControlPlane},
    {"Settings", "gloo.failoverUpstreamDnsPollingInterval", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.validationServerAddr", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.validation", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.readGatewaysFromAllNamespaces", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.alwaysSortRouteTableRoutes", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.compressedProxySpec", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.persistProxySpec", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.enableGatewayController", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.isolateVirtualHostsBySslConfig", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.translateEmptyGateways", S::NotApplicable, kControlPlane},
    {"Settings", "gateway.virtualServiceOptions.oneWayTls", S::Ignored,
     "set oneWayTls in each VirtualService's sslConfig"},
    {"Settings", "gloo.invalidConfigPolicy.replaceInvalidRoutes", S::Ignored,
     "an invalid configuration is refused as a whole (the previous one keeps serving); routes with an "
     "unsupported action answer 404"},
    {"Settings", "gloo.invalidConfigPolicy.invalidRouteResponseCode", S::WorksDifferently,
     "Only used with replaceInvalidRoutes, which lambdagate does not do (no warning)."},
    {"Settings", "gloo.invalidConfigPolicy.invalidRouteResponseBody", S::WorksDifferently,
     "Only used with replaceInvalidRoutes, which lambdagate does not do (no warning)."},
    {"Settings", "gloo.regexMaxProgramSize", S::Ignored,
     "RE2 patterns are compiled without a program-size cap"},
    {"Settings", "gloo.circuitBreakers", S::Ignored, kCluster},
    {"Settings", "gloo.disableGrpcWeb", S::Ignored, "gRPC-Web is never enabled"},
    {"Settings", "gloo.logTransformationRequestResponseInfo", S::Ignored,
     "transformations are not supported"},
    {"Settings", "gloo.transformationEscapeCharacters", S::Ignored, "transformations are not supported"},
    {"Settings", "extensions", S::Ignored, "Gloo plugin extensions have no equivalent"},
    {"Settings", "ratelimit", S::Ignored, kEnterpriseRateLimit},
    {"Settings", "ratelimitServer", S::Ignored, kEnterpriseRateLimit},
    {"Settings", "rbac", S::Ignored, "authorization servers (Enterprise) are not available"},
    {"Settings", "extauth", S::Ignored, "external auth servers (Enterprise) are not available"},
    {"Settings", "namedExtauth", S::Ignored, "external auth servers (Enterprise) are not available"},
    {"Settings", "cachingServer", S::Ignored, "response caching is not supported"},
    {"Settings", "extProcEarly", S::Ignored, kExtProc},
    {"Settings", "extProc", S::Ignored, kExtProc},
    {"Settings", "extProcLate", S::Ignored, kExtProc},
    {"Settings", "upstreamOptions", S::Ignored, kCluster},
    {"Settings", "ipV4Only", S::Ignored, "Lambda endpoints are resolved by the system resolver"},
};

const GlooFieldGroup* group_of(std::string_view name) {
  for (const GlooFieldGroup& g : kGroups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::string full_path(std::string_view root, std::string_view path) {
  return std::string(root) + "." + std::string(path);
}

// Every row under every root it has: what find_gloo_field looks up. Built on first use from the
// constant table above, constant after.
const std::unordered_map<std::string, const GlooField*>& index() {
  static const std::unordered_map<std::string, const GlooField*> map = [] {
    std::unordered_map<std::string, const GlooField*> built;
    for (const GlooField& field : kFields) {
      for (const std::string& path : schema_paths(field)) built.emplace(path, &field);
    }
    return built;
  }();
  return map;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// A note as a table cell ends like a sentence; its words stay as written (they start with field
// and program names as often as not).
std::string sentence(std::string_view note) {
  if (note.empty()) return {};
  std::string out(note);
  if (out.back() != '.') out += '.';
  return out;
}

}  // namespace

std::span<const PendingFeatureRow> pending_features() { return kPendingFeatures; }

const PendingFeatureRow* find_pending_feature(PendingFeature feature) {
  for (const PendingFeatureRow& row : kPendingFeatures) {
    if (row.feature == feature) return &row;
  }
  return nullptr;
}

std::span<const GlooFieldGroup> gloo_field_groups() { return kGroups; }

std::span<const GlooField> gloo_fields() { return kFields; }

std::vector<std::string> schema_paths(const GlooField& field) {
  std::vector<std::string> out;
  if (const GlooFieldGroup* group = group_of(field.group)) {
    for (std::string_view root : group->roots) out.push_back(full_path(root, field.path));
  }
  return out;
}

bool gloo_field_has_children(std::string_view schema_path) {
  static const std::unordered_set<std::string> containers = [] {
    std::unordered_set<std::string> built;
    for (const auto& [path, field] : index()) {
      for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        std::string parent = path.substr(0, dot);
        if (parent.ends_with("[]")) parent.resize(parent.size() - 2);
        built.insert(std::move(parent));
      }
    }
    return built;
  }();
  return containers.contains(std::string(schema_path));
}

const GlooField* find_gloo_field(std::string_view schema_path) {
  const auto& map = index();
  auto it = map.find(std::string(schema_path));
  return it == map.end() ? nullptr : it->second;
}

std::string status_text(const GlooField& field) {
  if (field.feature != PendingFeature::None && find_pending_feature(field.feature) != nullptr) {
    return "parsed, not enforced yet (warning)";
  }
  switch (field.status) {
    case S::Works:
      return "works";
    case S::WorksDifferently:
      return "works differently";
    case S::Extension:
      return "extension";
    case S::Ignored:
      return "parsed and ignored (warning)";
    case S::NotApplicable:
      return "accepted, does not apply (info)";
    case S::Refused:
      return "refused (error)";
  }
  return "";
}

std::string compatibility_markdown() {
  std::string out =
      "# Gloo compatibility\n\n"
      "<!-- Generated from src/config/compatibility.cpp; do not edit. Regenerate with\n"
      "     LAMBDAGATE_WRITE_COMPAT_DOC=1 build/tests/unit_config \"[compat-doc]\"\n"
      "     (unit_config fails while this file differs from the table). -->\n\n"
      "Every field of the Gloo Edge documents lambdagate reads, with what lambdagate does with it. The "
      "loader uses the same table: a field marked *ignored* gets a warning with the note, *does not apply* "
      "one info line per load, *refused* an error; a field not in the table is an unknown field (a "
      "warning). Everything is reported with file and line by `lambdagate --validate`.\n\n"
      "Statuses: **works** as in Gloo; **works differently** (the note says how); **extension** "
      "(lambdagate's own field); **parsed, not enforced yet** (checked at load, one warning per load until "
      "the runtime enforces it — " + std::string(pending_features().empty() ? "no field has this status today" : "see below") +
      "); **parsed and ignored**; **accepted, does not apply** (it "
      "configures Gloo's control plane or Kubernetes, which one process reading files does not have); "
      "**refused**.\n\n"
      "Where Gloo's behaviour could not be confirmed from its sources, lambdagate does what a Gloo user "
      "would expect, and the note says so.\n\n";
  if (!pending_features().empty()) {
    out += "## Parsed, not enforced yet\n\n| Feature | Meanwhile |\n|---|---|\n";
    for (const PendingFeatureRow& row : kPendingFeatures) {
      out += "| " + markdown_cell(row.name) + " | " + markdown_cell(sentence(row.consequence)) + " |\n";
    }
    out += "\n";
  }
  for (const GlooFieldGroup& group : kGroups) {
    out += "## " + std::string(group.title) + "\n\n";
    if (!group.description.empty()) out += std::string(group.description) + "\n\n";
    out += "| Field | Status | Notes |\n|---|---|---|\n";
    for (const GlooField& field : kFields) {
      if (field.group != group.name) continue;
      std::string note = sentence(field.note);
      out += "| `" + std::string(field.path) + "` | " + status_text(field) + " | " + markdown_cell(note) +
             " |\n";
    }
    out += "\n";
  }
  out +=
      "## Secrets (`v1 Secret`)\n\n"
      "| Form | Status | Notes |\n|---|---|---|\n"
      "| `Opaque` with `aws_access_key_id`, `aws_secret_access_key`, optional `aws_session_token` (`data` "
      "base64 or `stringData`) | works | What Gloo reads today. |\n"
      "| Legacy glooctl form: annotation `resource_kind: '*v1.Secret'`, one key `aws` holding YAML "
      "`accessKey`, `secretKey`, optional `sessionToken` | works | Written by glooctl before 0.18.38; "
      "current Gloo still reads it. |\n"
      "| `Opaque` with `access_key`, `secret_key`, `session_token` | works differently | Accepted, with a "
      "warning: Gloo does not read these keys (they are its proto field names). |\n"
      "| `kubernetes.io/tls` with `tls.crt`, `tls.key`, optional `ca.crt` | works | Kept as PEM for "
      "sslConfig.secretRef. `tls.ocsp-staple` is ignored with a warning. |\n\n"
      "## Other documents\n\n"
      "Documents of other kinds kept beside Gloo's (`Namespace`, `ServiceAccount`, `Deployment`, "
      "`ConfigMap`, ...) are skipped with one info line per load listing the kinds. Other Gloo kinds "
      "(`UpstreamGroup`, `RouteOption`, `VirtualHostOption`, `MatchableHttpGateway`, ...) are skipped with a "
      "warning each.\n";
  return out;
}

}  // namespace lambdagate::config
