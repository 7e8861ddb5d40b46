#pragma once
// The per-kind document parsers and the cross-document checks, as the loader calls them.
// Internal to the config module.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.hpp"
#include "lambdagate/config/compatibility.hpp"
#include "lambdagate/config/model.hpp"

namespace lambdagate::config::detail {

// What the loader has read so far, plus what the checks need that the model does not keep.
struct LoadState {
  Config config;
  // Upstreams that were read but are not AWS Upstreams (spec.kube, spec.static, ...), so a route
  // naming one gets "not an AWS Upstream" instead of "not found".
  std::map<ResourceRef, SourceLocation> ignored_upstreams;
  // Where each Upstream's secretRef is written, so a dangling one is reported on its own line.
  std::map<ResourceRef, SourceLocation> secret_ref_locations;
};

// The common part of every document, already validated by the loader.
struct DocumentHeader {
  std::string api_version;
  std::string kind;
  Metadata metadata;
  SourceLocation where;  // the document's first key
};

// Each parser reads the kind-specific keys of `doc` (the loader reads apiVersion, kind,
// metadata and status, and reports whatever is left as unknown) and appends to `state`.
void parse_upstream(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_virtual_service(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_route_table(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_secret(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_settings(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_gateway(MapReader& doc, const DocumentHeader& header, LoadState& state);

// One entry of a VirtualService's or RouteTable's routes (the same schema). Always gives a
// route, even a broken one, so that routes keep their index in later messages.
Route parse_route(const Field& item, std::size_t index, const std::string& ns);

// delegateAction on `route` (delegation.cpp): sets route.delegate_action, and checks Gloo's
// rule for the delegating route's own matcher (at most one, a prefix).
void parse_delegate_action(const Field& action, Route& route, const std::string& ns);

// routes[].redirectAction (redirect.cpp).
std::optional<RedirectAction> parse_redirect_action(const Field& action);

// VirtualService spec.sslConfig (ssl_config.cpp).
std::optional<SslConfig> parse_ssl_config(const Field& field, const std::string& ns);

// `options` on a virtual host or on a route (route_options.cpp); the two differ in JWT (providers
// vs disable) and in a few virtual-host-only fields.
// `ns` is the namespace references inside default to.
enum class OptionsLevel { VirtualHost, Route };
void parse_route_options(MapReader& options, RouteOptions& out, OptionsLevel level, const std::string& ns);

// The request policies inside `options` (policy_options.cpp): cors, jwtStaged / jwt, ratelimit
// and the lambdagate extension. Each takes its key from `options` when present.
void parse_cors_options(MapReader& options, RouteOptions& out, OptionsLevel level);
void parse_jwt_options(MapReader& options, RouteOptions& out, OptionsLevel level, const std::string& ns);
void parse_rate_limit_options(MapReader& options, RouteOptions& out);
void parse_lambdagate_options(MapReader& options, RouteOptions& out);
// A token bucket {maxTokens, tokensPerFill, fillInterval} (also the Gateway's defaultLimit).
std::optional<LocalRateLimit> parse_token_bucket(const Field& field);
// A positive count (maxConcurrency, maxConnections): 1 .. 2^32-1.
std::optional<uint32_t> parse_positive_count(const Field& field);

// Fills every option `route` leaves unset from `parent`, a delegating route: the route's own
// field wins, as Gloo's shallow merge of parent route options (model.hpp, RouteOptions).
void inherit_options(RouteOptions& route, const RouteOptions& parent);
// The virtual host's options applied to one of its routes (after delegation): see RouteOptions.
void apply_virtual_host_options(RouteOptions& route, const RouteOptions& virtual_host);

// destinationSpec.aws on a route, or an Upstream's destinationOverrides. payload_format_version
// stays empty when not written, so destinationOverrides can still fill it; resolve_config
// defaults it to "1.0" afterwards.
std::optional<AwsDestinationSpec> parse_aws_destination(MapReader& aws);

// Why a destination spec is self-contradictory, one reason per conflict, each phrased to follow
// "sets ". Empty when it is consistent.
std::vector<std::string> destination_conflicts(const AwsDestinationSpec& spec);
// requestTransformation together with wrapAsApiGateway: accepted, wrapAsApiGateway wins (Gloo 1.12
// users set both); clears request_transformation and notes the place for the once-per-load warning.
void resolve_both_transformations(AwsDestinationSpec& spec, Diagnostics& diagnostics,
                                  const SourceLocation& where);

// Kubernetes label-selector requirements (label_selector.cpp).
std::optional<LabelExpression> parse_label_expression(const Field& item);
bool label_expression_matches(const LabelExpression& expression,
                              const std::map<std::string, std::string>& labels);
std::string_view operator_name(LabelExpression::Operator op);

// "route 'name'" or "route #3", prefixed with "RouteTable ns/name " for a route of a RouteTable.
std::string route_label(const Route& route);

// A {name, namespace} reference; the namespace defaults to the referrer's.
std::optional<ResourceRef> parse_resource_ref(const Field& field, const std::string& default_namespace);

// A duration field ("15s", "0.5s", "250ms", "1h30m"); reports a located error and gives nullopt
// when the value is not one.
std::optional<std::chrono::milliseconds> duration_of(const Field& field);

// "namespace/name", as messages name resources.
std::string display(const ResourceRef& ref);
std::string display(const Metadata& metadata);
// "FILE:LINE".
std::string at(const SourceLocation& where);

// A use of a feature the runtime does not enforce yet (compatibility.hpp): one warning per load
// and feature, at the first place. Nothing when the feature is wired.
void note_pending(Diagnostics& diagnostics, PendingFeature feature, const SourceLocation& where);
// A field the parser reads (to type-check it) but whose table row says it is ignored: the
// table's warning.
void warn_ignored(const Field& field);

// Turns what was read into what downstream code reads: destinationOverrides merged into route
// destinations, delegation flattened into the VirtualServices' routes, virtual-host options
// applied to every route. Runs after every document has been read, before validate_config.
void resolve_config(LoadState& state, Diagnostics& diagnostics);

// Replaces each delegating VirtualService route by the RouteTable routes it reaches (delegation.cpp).
void flatten_delegation(Config& config, Diagnostics& diagnostics);

// Checks that span documents (references, function names, Gateway bindings and domain
// conflicts). Runs after resolve_config.
void validate_config(const LoadState& state, Diagnostics& diagnostics);

}  // namespace lambdagate::config::detail
