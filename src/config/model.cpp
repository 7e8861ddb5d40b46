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

std::string at(const SourceLocation& where) { return where.file + ":" + std::to_string(where.line); }

void note_pending(Diagnostics& diagnostics, PendingFeature feature, const SourceLocation& where) {
  const PendingFeatureRow* row = find_pending_feature(feature);
  if (row == nullptr) return;
  std::string name(row->name);
  std::string consequence(row->consequence);
  diagnostics.collect("pending: " + name, Diagnostic::Severity::Warning, where, "",
                      [name, consequence](const auto&, std::size_t places) {
                        std::string message = name + ": parsed and checked, not enforced yet; " + consequence;
                        if (places > 1)
                          message += " (" + std::to_string(places) + " places; the first is here)";
                        return message;
                      });
}

void warn_ignored(const Field& field) {
  const GlooField* row = find_gloo_field(field.schema);
  if (row == nullptr || row->status != FieldStatus::Ignored) return;
  field.warning("'" + field.path + "' is ignored: " + std::string(row->note));
}

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
