// gateway.solo.io/v1 Gateway: one plain or TLS listener each.
#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

// Gloo Gateway fields about Envoy listeners and proxies; lambdagate has one listener type.
constexpr std::string_view kGatewayOptions[] = {"httpGateway",   "tcpGateway", "hybridGateway", "options",
                                                "useProxyProto", "proxyNames", "routeOptions"};

}  // namespace

void parse_gateway(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  const std::size_t errors_before = diagnostics.error_count();
  Gateway gateway;
  gateway.metadata = header.metadata;
  gateway.where = header.where;
  auto spec = doc.map("spec");
  if (!spec) {
    if (!doc.has("spec")) diagnostics.error(header.where, "'spec' is required");
    return;
  }
  if (auto address = spec->string("bindAddress"); address && !address->empty())
    gateway.bind_address = *address;
  if (auto port = spec->integer("bindPort", 1, 65535)) gateway.bind_port = static_cast<uint16_t>(*port);
  gateway.ssl = spec->boolean("ssl").value_or(false);
  for (std::string_view option : kGatewayOptions) spec->not_supported(option);
  spec->finish();
  // A Gateway whose port did not parse would sit on the default port and report a bogus clash.
  if (diagnostics.error_count() > errors_before) return;
  state.config.gateways.push_back(std::move(gateway));
}

}  // namespace lambdagate::config::detail
