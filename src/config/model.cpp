#include "lambdagate/config/model.hpp"

#include "config/documents.hpp"

namespace lambdagate::config {

namespace {

template <typename T>
const T* find_by_ref(const std::vector<T>& items, const ResourceRef& ref) {
  for (const T& item : items) {
    if (item.metadata.name == ref.name && item.metadata.namespace_ == ref.namespace_) return &item;
  }
  return nullptr;
}

}  // namespace

const Upstream* Config::find_upstream(const ResourceRef& ref) const { return find_by_ref(upstreams, ref); }

const Secret* Config::find_secret(const ResourceRef& ref) const { return find_by_ref(secrets, ref); }

const RouteTable* Config::find_route_table(const ResourceRef& ref) const {
  return find_by_ref(route_tables, ref);
}

namespace detail {

std::string display(const ResourceRef& ref) { return ref.namespace_ + "/" + ref.name; }

std::string display(const Metadata& metadata) { return metadata.namespace_ + "/" + metadata.name; }

std::string route_label(const Route& route) {
  std::string label =
      "route " + (route.name.empty() ? "#" + std::to_string(route.index + 1) : "'" + route.name + "'");
  return route.route_table ? "RouteTable " + display(*route.route_table) + " " + label : label;
}

std::optional<ResourceRef> parse_resource_ref(const Field& field, const std::string& default_namespace) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  auto name = reader->required_string("name");
  auto ns = reader->string("namespace");
  reader->finish();
  if (!name) return std::nullopt;
  return ResourceRef{*name, ns && !ns->empty() ? *ns : default_namespace};
}

}  // namespace detail

}  // namespace lambdagate::config
