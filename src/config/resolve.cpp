// From documents as written to the values downstream code reads: an Upstream's
// destinationOverrides merged into the destinations that target it (gloo.md §1), delegation
// flattened (delegation.cpp), and virtual-host options applied to every route.
#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

constexpr std::string_view kDefaultPayloadFormatVersion = "1.0";

// Gloo's mergo.Merge(route, overrides) without WithOverride: a route field keeps its value
// unless it is the zero value. SYNC is the enum's zero value, so, as in Gloo, an override of
// ASYNC applies even where a route writes SYNC; booleans end up OR-ed.
void merge_overrides(AwsDestinationSpec& route, const AwsDestinationSpec& overrides) {
  if (route.logical_name.empty()) route.logical_name = overrides.logical_name;
  if (route.invocation_style == InvocationStyle::Sync) route.invocation_style = overrides.invocation_style;
  route.request_transformation = route.request_transformation || overrides.request_transformation;
  route.wrap_as_api_gateway = route.wrap_as_api_gateway || overrides.wrap_as_api_gateway;
  route.unwrap_as_api_gateway = route.unwrap_as_api_gateway || overrides.unwrap_as_api_gateway;
  route.unwrap_as_alb = route.unwrap_as_alb || overrides.unwrap_as_alb;
  if (route.payload_format_version.empty()) route.payload_format_version = overrides.payload_format_version;
  route.response_streaming = route.response_streaming || overrides.response_streaming;
}

void apply_destination_overrides(Route& route, const Config& config, Diagnostics& diagnostics) {
  if (!route.route_action) return;
  for (Destination& destination : route.route_action->destinations) {
    const Upstream* upstream = config.find_upstream(destination.upstream);
    if (upstream != nullptr && upstream->aws.destination_overrides) {
      if (!destination.aws) {
        destination.aws = AwsDestinationSpec{};
        destination.aws->payload_format_version.clear();
      }
      merge_overrides(*destination.aws, *upstream->aws.destination_overrides);
      // Each half was consistent on its own (the parser checks both); the merge can still
      // combine, say, the route's unwrapAsAlb with the Upstream's unwrapAsApiGateway.
      for (const std::string& reason : destination_conflicts(*destination.aws)) {
        diagnostics.error(route.where, route_label(route) + ": with the destinationOverrides of upstream " +
                                           display(destination.upstream) + ", the destination sets " +
                                           reason);
      }
    }
    if (destination.aws && destination.aws->payload_format_version.empty()) {
      destination.aws->payload_format_version = kDefaultPayloadFormatVersion;
    }
    // After the merge, so that a flag from destinationOverrides counts too; once per destination.
    if (destination.aws) resolve_both_transformations(*destination.aws, diagnostics, destination.where);
  }
}

}  // namespace

void resolve_config(LoadState& state, Diagnostics& diagnostics) {
  Config& config = state.config;
  for (Upstream& upstream : config.upstreams) {
    auto& overrides = upstream.aws.destination_overrides;
    if (overrides) resolve_both_transformations(*overrides, diagnostics, upstream.where);
  }
  // RouteTable routes too: they are copied into VirtualServices by the flattening below, and
  // Config::route_tables then shows the same merged values.
  for (VirtualService& vs : config.virtual_services) {
    for (Route& route : vs.routes) apply_destination_overrides(route, config, diagnostics);
  }
  for (RouteTable& table : config.route_tables) {
    for (Route& route : table.routes) apply_destination_overrides(route, config, diagnostics);
  }
  for (Upstream& upstream : config.upstreams) {
    auto& overrides = upstream.aws.destination_overrides;
    if (overrides && overrides->payload_format_version.empty()) {
      overrides->payload_format_version = kDefaultPayloadFormatVersion;
    }
  }

  flatten_delegation(config, diagnostics);

  // Delegated routes already carry their delegating routes' options; the virtual host's come last.
  for (VirtualService& vs : config.virtual_services) {
    for (Route& route : vs.routes) apply_virtual_host_options(route.options, vs.options);
  }
}

}  // namespace lambdagate::config::detail
