// bind_gateways (gateway_binding.hpp): Gloo's HttpGatewayContainsVirtualService, per Gateway.
#include "lambdagate/config/gateway_binding.hpp"

#include <algorithm>

#include "config/documents.hpp"

namespace lambdagate::config {

namespace {

bool namespace_allowed(const std::vector<std::string>& namespaces, const std::string& ns) {
  if (namespaces.empty()) return true;  // Gloo: every namespace it watches
  return std::any_of(namespaces.begin(), namespaces.end(),
                     [&](const std::string& n) { return n == "*" || n == ns; });
}

bool serves(const Gateway& gateway, const VirtualService& vs) {
  if (gateway.ssl != vs.ssl_config.has_value()) return false;
  const VirtualServiceSelection& selection = gateway.selection;
  const auto& labels = vs.metadata.labels;
  if (selection.expressions) {
    for (const LabelExpression& expression : *selection.expressions) {
      if (!detail::label_expression_matches(expression, labels)) return false;
    }
    return namespace_allowed(selection.namespaces, vs.metadata.namespace_);
  }
  if (!selection.selector.empty()) {
    for (const auto& [key, value] : selection.selector) {
      auto label = labels.find(key);
      if (label == labels.end() || label->second != value) return false;
    }
    return namespace_allowed(selection.namespaces, vs.metadata.namespace_);
  }
  if (selection.virtual_services.empty())
    return namespace_allowed(selection.namespaces, vs.metadata.namespace_);
  const ResourceRef ref{vs.metadata.name, vs.metadata.namespace_};
  return std::find(selection.virtual_services.begin(), selection.virtual_services.end(), ref) !=
         selection.virtual_services.end();
}

Gateway implicit_gateway(bool ssl) {
  Gateway gateway;
  gateway.metadata.name = ssl ? "gateway-proxy-ssl" : "gateway-proxy";
  gateway.metadata.namespace_ = "(implicit)";
  gateway.bind_address = ssl ? kImplicitSslAddress : kImplicitPlainAddress;
  gateway.bind_port = ssl ? kImplicitSslPort : kImplicitPlainPort;
  gateway.ssl = ssl;
  gateway.implicit = true;
  return gateway;
}

}  // namespace

std::vector<GatewayBinding> bind_gateways(const Config& config) {
  std::vector<GatewayBinding> bindings;
  if (config.gateways.empty()) {
    bindings.push_back({implicit_gateway(false), {}});
    const bool any_ssl = std::any_of(config.virtual_services.begin(), config.virtual_services.end(),
                                     [](const VirtualService& vs) { return vs.ssl_config.has_value(); });
    if (any_ssl) bindings.push_back({implicit_gateway(true), {}});
  } else {
    for (const Gateway& gateway : config.gateways) bindings.push_back({gateway, {}});
  }
  for (GatewayBinding& binding : bindings) {
    for (const VirtualService& vs : config.virtual_services) {
      if (serves(binding.gateway, vs)) binding.virtual_services.push_back(&vs);
    }
  }
  return bindings;
}

}  // namespace lambdagate::config
