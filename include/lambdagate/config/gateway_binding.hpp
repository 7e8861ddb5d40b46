#pragma once
// Which VirtualServices each Gateway serves (gloo-edge-options.md, Gloo's
// HttpGatewayContainsVirtualService), as one pure function over a loaded Config. The runtime
// builds one listener per binding; the loader uses it to check domains per Gateway.
#include <vector>

#include "lambdagate/config/model.hpp"

namespace lambdagate::config {

// The implicit Gateways' addresses when no Gateway document exists: the plain one is replaced by
// --listen (default below); the ssl one is Gloo's Helm default gateway-proxy-ssl.
inline constexpr const char* kImplicitPlainAddress = "0.0.0.0";
inline constexpr uint16_t kImplicitPlainPort = 8080;
inline constexpr const char* kImplicitSslAddress = "0.0.0.0";
inline constexpr uint16_t kImplicitSslPort = 8443;

struct GatewayBinding {
  Gateway gateway;  // a Gateway document, or an implicit one (gateway.implicit)
  // Into the Config passed to bind_gateways (valid as long as it lives), in its order.
  std::vector<const VirtualService*> virtual_services;
};

// For each Gateway document, in load order, the VirtualServices it serves: only those on its side
// of `ssl` (with sslConfig for ssl: true, without for plain), then by
// httpGateway.virtualServiceExpressions if written, else virtualServiceSelector, else the
// virtualServices refs, else all; virtualServiceNamespaces (when not empty or "*") limits where
// to look for the selector, the expressions and "all". Without any Gateway document: one implicit
// plain Gateway (kImplicitPlain*) serving every VirtualService without sslConfig, and, when some
// VirtualService has sslConfig, one implicit ssl Gateway (kImplicitSsl*) serving those.
std::vector<GatewayBinding> bind_gateways(const Config& config);

}  // namespace lambdagate::config
