// Checks that need more than one document: what routes point at, what Upstreams and
// VirtualServices use as credentials and certificates, which Gateway serves which VirtualService,
// and which VirtualService owns a domain on each Gateway.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "config/documents.hpp"
#include "lambdagate/config/function_discovery.hpp"
#include "lambdagate/config/gateway_binding.hpp"

namespace lambdagate::config::detail {

namespace {

// Route errors, each once: a RouteTable that several routes delegate to has its routes copied
// into every VirtualService that reaches it.
class RouteReporter {
 public:
  explicit RouteReporter(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}
  void operator()(const SourceLocation& where, std::string message) {
    if (reported_.emplace(where.file, where.line, message).second)
      diagnostics_.error(where, std::move(message));
  }
  void warning(const SourceLocation& where, std::string message) {
    if (reported_.emplace(where.file, where.line, message).second)
      diagnostics_.warning(where, std::move(message));
  }

 private:
  Diagnostics& diagnostics_;
  std::set<std::tuple<std::string, int, std::string>> reported_;
};

// Whether a route's Lambda function can be resolved from the Upstream as loaded (gloo.md §1:
// "unknown lambda function", "lambda points to upstream with no functions"). When function
// discovery covers the Upstream (config::discovery_enabled), a name that no hand-written
// lambdaFunctions entry has may still be discovered at run time: a warning, not an error, and an
// Upstream without hand-written functions is fine. Keep every such rule in this function.
void check_function_reference(const Route& route, const std::string& label, const Destination& destination,
                              const Upstream& upstream, const Config& config, RouteReporter& report) {
  const auto& functions = upstream.aws.lambda_functions;
  const bool discovered = discovery_enabled(upstream, config.settings ? &*config.settings : nullptr);
  std::string upstream_name = "upstream " + display(destination.upstream);
  if (functions.empty() && !discovered) {
    report(route.where, label + ": " + upstream_name + " has no lambdaFunctions");
    return;
  }
  // "Unsafe" in Gloo's words: a missing or unknown name invokes the first function.
  if (config.settings && config.settings->fallback_to_first_function) return;
  // destinationOverrides are merged in by now, so a name the Upstream supplies counts.
  if (!destination.aws || destination.aws->logical_name.empty()) {
    report(route.where, label + ": the destination to " + upstream_name +
                            " names no function; set destinationSpec.aws.logicalName");
    return;
  }
  const std::string& wanted = destination.aws->logical_name;
  std::string known;
  constexpr std::size_t kMaxListed = 10;
  for (std::size_t i = 0; i < functions.size(); ++i) {
    if (functions[i].logical_name == wanted) return;
    if (i < kMaxListed) known += (i == 0 ? "" : ", ") + functions[i].logical_name;
  }
  if (functions.size() > kMaxListed) known += ", ...";
  if (discovered) {
    report.warning(route.where, label + ": logicalName '" + wanted + "' of " + upstream_name +
                                    " is not among the hand-written lambdaFunctions; expecting function "
                                    "discovery to find it");
    return;
  }
  report(route.where, label + ": " + upstream_name + " has no function with logicalName '" + wanted +
                          "' (known: " + known + ")");
}

void check_routes(const LoadState& state, Diagnostics& diagnostics) {
  const Config& config = state.config;
  RouteReporter report(diagnostics);
  for (const VirtualService& vs : config.virtual_services) {
    for (const Route& route : vs.routes) {
      if (!route.route_action) continue;
      std::string label = route_label(route);
      for (const Destination& destination : route.route_action->destinations) {
        const Upstream* upstream = config.find_upstream(destination.upstream);
        if (upstream == nullptr) {
          bool ignored = state.ignored_upstreams.contains(destination.upstream);
          report(route.where, label + ": upstream " + display(destination.upstream) +
                                  (ignored ? " is not an AWS Upstream (it was ignored)" : " not found"));
          continue;
        }
        check_function_reference(route, label, destination, *upstream, config, report);
      }
    }
  }
}

// The discovery label is matched exactly, as Gloo does: any other value (a typo, "Disabled",
// "false") silently means "not set", so say so; and under fdsMode DISABLED it cannot turn
// discovery on.
void check_discovery_labels(const Config& config, Diagnostics& diagnostics) {
  const bool fds_disabled =
      config.settings && config.settings->discovery.fds_mode == DiscoverySettings::FdsMode::Disabled;
  for (const Upstream& upstream : config.upstreams) {
    auto label = upstream.metadata.labels.find(std::string(kFunctionDiscoveryLabel));
    if (label == upstream.metadata.labels.end()) continue;
    const std::string prefix = "Upstream " + display(upstream.metadata) + ": label " +
                               std::string(kFunctionDiscoveryLabel) + " is " + quote_value(label->second);
    if (label->second != kFunctionDiscoveryEnabled && label->second != kFunctionDiscoveryDisabled) {
      diagnostics.warning(upstream.where,
                          prefix + "; only 'enabled' and 'disabled' have a meaning, so it is ignored");
    } else if (fds_disabled && label->second == kFunctionDiscoveryEnabled) {
      diagnostics.warning(upstream.where,
                          prefix + ", but Settings spec.discovery.fdsMode is DISABLED: not discovered");
    }
  }
}

void check_secret_refs(const LoadState& state, Diagnostics& diagnostics) {
  const Config& config = state.config;
  for (const Upstream& upstream : config.upstreams) {
    if (!upstream.aws.secret_ref) continue;
    const ResourceRef& ref = *upstream.aws.secret_ref;
    const Secret* secret = config.find_secret(ref);
    auto location =
        state.secret_ref_locations.find(ResourceRef{upstream.metadata.name, upstream.metadata.namespace_});
    const SourceLocation& where =
        location != state.secret_ref_locations.end() ? location->second : upstream.where;
    std::string prefix = "Upstream " + display(upstream.metadata) + ": secretRef " + display(ref);
    if (secret == nullptr) {
      diagnostics.error(where, prefix + " not found");
    } else if (!secret->aws) {
      diagnostics.error(where,
                        prefix + " has no AWS credentials (aws_access_key_id and aws_secret_access_key)");
    }
  }
}

void check_tls_secret_refs(const LoadState& state, Diagnostics& diagnostics) {
  const Config& config = state.config;
  for (const VirtualService& vs : config.virtual_services) {
    if (!vs.ssl_config || !vs.ssl_config->secret_ref) continue;
    const ResourceRef& ref = *vs.ssl_config->secret_ref;
    const Secret* secret = config.find_secret(ref);
    std::string prefix = "VirtualService " + display(vs.metadata) + ": sslConfig.secretRef " + display(ref);
    if (secret == nullptr) {
      diagnostics.error(vs.ssl_config->where, prefix + " not found");
    } else if (!secret->tls) {
      diagnostics.error(vs.ssl_config->where,
                        prefix + " is not a kubernetes.io/tls Secret with tls.crt and tls.key");
    }
  }
}

std::string gateway_label(const Gateway& gateway) {
  if (gateway.implicit) return gateway.ssl ? "the implicit ssl Gateway" : "the implicit plain Gateway";
  return "Gateway " + display(gateway.metadata);
}

// Each VirtualService's own list: a domain written twice is a mistake wherever it is served.
void check_own_domains(const Config& config, Diagnostics& diagnostics) {
  for (const VirtualService& vs : config.virtual_services) {
    std::set<std::string> own;
    for (const std::string& domain : vs.domains) {
      if (!own.insert(domain).second) {
        diagnostics.error(vs.where,
                          "VirtualService " + display(vs.metadata) + " lists domain '" + domain + "' twice");
      }
    }
  }
}

// Gloo rejects the same domain string in two VirtualServices on one Gateway ("domain conflict");
// overlapping wildcards are allowed, and resolved at request time by the longest match. The same
// domain on a plain and an ssl Gateway is the classic HTTPS-redirect pair, and fine.
void check_domains(const std::vector<GatewayBinding>& bindings, Diagnostics& diagnostics) {
  std::set<std::tuple<const VirtualService*, const VirtualService*, std::string>> reported;
  for (const GatewayBinding& binding : bindings) {
    std::map<std::string, const VirtualService*> owners;
    for (const VirtualService* vs : binding.virtual_services) {
      std::vector<std::string> domains = vs->domains.empty() ? std::vector<std::string>{"*"} : vs->domains;
      std::set<std::string> own(domains.begin(), domains.end());
      for (const std::string& domain : own) {
        auto [it, inserted] = owners.emplace(domain, vs);
        if (inserted || !reported.emplace(it->second, vs, domain).second) continue;
        const VirtualService& first = *it->second;
        diagnostics.error(
            vs->where, "domain '" + domain + "' is in both VirtualService " + display(first.metadata) + " (" +
                           at(first.where) + ") and VirtualService " + display(vs->metadata) +
                           (binding.gateway.implicit ? "" : " on " + gateway_label(binding.gateway)));
      }
    }
  }
}

// A VirtualService no Gateway serves is never reached; say why.
void check_unbound(const Config& config, const std::vector<GatewayBinding>& bindings,
                   Diagnostics& diagnostics) {
  for (const VirtualService& vs : config.virtual_services) {
    bool bound = std::any_of(bindings.begin(), bindings.end(), [&](const GatewayBinding& b) {
      return std::find(b.virtual_services.begin(), b.virtual_services.end(), &vs) != b.virtual_services.end();
    });
    if (bound) continue;
    const bool ssl = vs.ssl_config.has_value();
    const bool side_exists = std::any_of(bindings.begin(), bindings.end(),
                                         [&](const GatewayBinding& b) { return b.gateway.ssl == ssl; });
    std::string why = !side_exists ? (ssl ? "it has sslConfig and no Gateway has ssl: true"
                                          : "it has no sslConfig and every Gateway has ssl: true")
                                   : std::string(
                                         "no Gateway of its kind selects it (httpGateway.virtualServices, "
                                         "virtualServiceSelector, virtualServiceExpressions, "
                                         "virtualServiceNamespaces)");
    diagnostics.warning(vs.where,
                        "VirtualService " + display(vs.metadata) + " is served by no Gateway: " + why);
  }
}

// Without Gateway documents, VirtualServices with sslConfig get Gloo's Helm default ssl Gateway.
void note_implicit_ssl(const std::vector<GatewayBinding>& bindings, Diagnostics& diagnostics) {
  for (const GatewayBinding& binding : bindings) {
    if (!binding.gateway.implicit || !binding.gateway.ssl || binding.virtual_services.empty()) continue;
    const VirtualService& first = *binding.virtual_services.front();
    diagnostics.info(
        first.ssl_config->where,
        "no Gateway document: the VirtualServices with sslConfig are served by an implicit ssl Gateway "
        "on " +
            binding.gateway.bind_address + ":" + std::to_string(binding.gateway.bind_port) +
            " (Gloo's Helm default gateway-proxy-ssl)");
  }
}

void check_gateways(const Config& config, Diagnostics& diagnostics) {
  std::map<std::pair<std::string, uint16_t>, const Gateway*> listeners;
  for (const Gateway& gateway : config.gateways) {
    auto [it, inserted] = listeners.emplace(std::pair(gateway.bind_address, gateway.bind_port), &gateway);
    if (!inserted) {
      diagnostics.error(gateway.where,
                        "Gateway " + display(gateway.metadata) + " binds " + gateway.bind_address + " port " +
                            std::to_string(gateway.bind_port) + " like Gateway " +
                            display(it->second->metadata) + " (" + at(it->second->where) + ")");
    }
  }
}

}  // namespace

void validate_config(const LoadState& state, Diagnostics& diagnostics) {
  check_routes(state, diagnostics);
  check_discovery_labels(state.config, diagnostics);
  check_secret_refs(state, diagnostics);
  check_tls_secret_refs(state, diagnostics);
  check_own_domains(state.config, diagnostics);
  const std::vector<GatewayBinding> bindings = bind_gateways(state.config);
  check_domains(bindings, diagnostics);
  check_unbound(state.config, bindings, diagnostics);
  note_implicit_ssl(bindings, diagnostics);
  check_gateways(state.config, diagnostics);
}

}  // namespace lambdagate::config::detail
