// gateway.solo.io/v1 RouteTable: routes that VirtualServices (or other RouteTables) delegate to
// (gloo.md §3). Read here; flattened into the VirtualServices by delegation.cpp.
#include <limits>

#include "config/documents.hpp"

namespace lambdagate::config::detail {

void parse_route_table(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto spec = doc.map("spec");
  if (!spec) {
    if (!doc.has("spec")) doc.source().diagnostics().error(header.where, "'spec' is required");
    return;
  }
  RouteTable table;
  table.metadata = header.metadata;
  table.where = header.where;
  ResourceRef ref{header.metadata.name, header.metadata.namespace_};

  auto routes = spec->list("routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    Route route = parse_route(routes[i], i, header.metadata.namespace_);
    route.route_table = ref;
    table.routes.push_back(std::move(route));
  }
  // Gloo's weight is an Int32Value; unset and 0 are the same.
  auto weight =
      spec->integer("weight", std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  table.weight = static_cast<int32_t>(weight.value_or(0));
  spec->finish();
  state.config.route_tables.push_back(std::move(table));
}

}  // namespace lambdagate::config::detail
