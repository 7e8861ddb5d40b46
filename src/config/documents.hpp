#pragma once
#include <chrono>
#include <optional>
// The per-kind document parsers and the cross-document checks, as the loader calls them.
// Internal to the config module.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.hpp"
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
// rule for the delegating route's own matcher (one prefix, no headers, queryParameters or
// methods) because the RouteTables' routes are checked against that prefix.
void parse_delegate_action(const Field& action, Route& route, const std::string& ns);

// `options` on a route or on a virtual host (route_options.cpp).
void parse_route_options(MapReader& options, RouteOptions& out);

// Fills every option `route` leaves unset from `parent` (a delegating route or the virtual
// host): the route's own field wins, as Gloo's mergeRouteOptions.
void inherit_options(RouteOptions& route, const RouteOptions& parent);

// destinationSpec.aws on a route, or an Upstream's destinationOverrides. payload_format_version
// stays empty when not written, so destinationOverrides can still fill it; resolve_config
// defaults it to "1.0" afterwards.
std::optional<AwsDestinationSpec> parse_aws_destination(MapReader& aws);

// Why a destination spec is self-contradictory, one reason per conflict, each phrased to follow
// "sets ". Empty when it is consistent.
std::vector<std::string> destination_conflicts(const AwsDestinationSpec& spec);

// "route 'name'" or "route #3", prefixed with "RouteTable ns/name " for a route of a RouteTable.
std::string route_label(const Route& route);

// A {name, namespace} reference; the namespace defaults to the referrer's.
std::optional<ResourceRef> parse_resource_ref(const Field& field, const std::string& default_namespace);

// "namespace/name", as messages name resources.
// A duration field ("15s", "0.5s", "250ms"); reports a located error and gives nullopt when the
// value is not one.
std::optional<std::chrono::milliseconds> duration_of(const Field& field);

std::string display(const ResourceRef& ref);
std::string display(const Metadata& metadata);

// Turns what was read into what downstream code reads: destinationOverrides merged into route
// destinations, delegation flattened into the VirtualServices' routes, virtual-host options
// inherited by every route. Runs after every document has been read, before validate_config.
void resolve_config(LoadState& state, Diagnostics& diagnostics);

// Replaces each delegating VirtualService route by the RouteTable routes it reaches (delegation.cpp).
void flatten_delegation(Config& config, Diagnostics& diagnostics);

// Checks that span documents (references, function names, domain conflicts). Runs after
// resolve_config.
void validate_config(const LoadState& state, Diagnostics& diagnostics);

}  // namespace lambdagate::config::detail
