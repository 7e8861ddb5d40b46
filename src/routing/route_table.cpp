#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::routing {

namespace {

// An empty matcher list means `prefix: /` (Gloo).
const config::Matcher& default_matcher() {
  static const config::Matcher kMatcher{};
  return kMatcher;
}

}  // namespace

std::shared_ptr<const RouteTable> RouteTable::compile(std::shared_ptr<const config::Config> config) {
  auto table = std::make_shared<RouteTable>();
  table->config_ = std::move(config);
  for (const auto& vs : table->config_->virtual_services) {
    if (vs.routes.empty()) continue;  // Gloo ignores a virtual service with no routes
    CompiledVirtualHost host;
    host.virtual_service = &vs;
    for (std::size_t i = 0; i < vs.routes.size(); ++i) {
      const auto& route = vs.routes[i];
      CompiledRoute compiled;
      compiled.virtual_service = &vs;
      compiled.route = &route;
      compiled.index = i;
      compiled.name = !route.name.empty() ? route.name
                                          : vs.metadata.namespace_ + "/" + vs.metadata.name + "/" + std::to_string(i);
      if (route.matchers.empty()) {
        compiled.matchers.emplace_back(default_matcher());
      } else {
        for (const auto& m : route.matchers) compiled.matchers.emplace_back(m);
      }
      host.routes.push_back(std::move(compiled));
    }
    host.index = RouteIndex::build(host.routes);
    const std::size_t index = table->hosts_.size();
    table->hosts_.push_back(std::move(host));
    if (vs.domains.empty()) {
      table->domains_.add("*", index);
    } else {
      for (const auto& d : vs.domains) table->domains_.add(d, index);
    }
  }
  return table;
}

const CompiledRoute* RouteTable::match(const RequestView& request) const {
  const auto host = domains_.find(request.host);
  if (!host) return nullptr;
  const CompiledVirtualHost& virtual_host = hosts_[*host];
  return virtual_host.index.match(virtual_host.routes, request);
}

const config::VirtualService* RouteTable::virtual_service_for(std::string_view host) const {
  const auto index = domains_.find(host);
  return index ? hosts_[*index].virtual_service : nullptr;
}

std::size_t RouteTable::route_count() const {
  std::size_t n = 0;
  for (const auto& h : hosts_) n += h.routes.size();
  return n;
}

}  // namespace lambdagate::routing
