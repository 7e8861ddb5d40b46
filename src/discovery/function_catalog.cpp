#include "lambdagate/discovery/function_catalog.hpp"

#include <algorithm>

namespace lambdagate::discovery {

std::string_view to_string(EntryKind kind) {
  switch (kind) {
    case EntryKind::Latest: return "latest";
    case EntryKind::Version: return "version";
    case EntryKind::Alias: return "alias";
  }
  return "latest";
}

FunctionCatalog FunctionCatalog::from_entries(std::vector<CatalogEntry> entries, core::SystemTime discovered_at) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const CatalogEntry& a, const CatalogEntry& b) { return a.logical_name < b.logical_name; });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const CatalogEntry& a, const CatalogEntry& b) { return a.logical_name == b.logical_name; }),
                entries.end());
  FunctionCatalog catalog;
  catalog.functions = std::move(entries);
  catalog.discovered_at = discovered_at;
  return catalog;
}

const CatalogEntry* FunctionCatalog::find(std::string_view logical_name) const {
  auto it = std::lower_bound(functions.begin(), functions.end(), logical_name,
                             [](const CatalogEntry& e, std::string_view name) { return e.logical_name < name; });
  if (it == functions.end() || it->logical_name != logical_name) return nullptr;
  return &*it;
}

DiscoveredFunctions::Status DiscoveredFunctions::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void DiscoveredFunctions::record_success(std::shared_ptr<const FunctionCatalog> catalog, core::SystemTime at) {
  catalog_.store(std::move(catalog), std::memory_order_release);
  std::lock_guard lock(mutex_);
  ++status_.rounds_succeeded;
  status_.last_attempt = at;
  status_.last_success = at;
  status_.last_error.clear();
}

void DiscoveredFunctions::record_failure(std::string error, core::SystemTime at) {
  std::lock_guard lock(mutex_);
  ++status_.rounds_failed;
  status_.last_attempt = at;
  status_.last_error = std::move(error);
}

}  // namespace lambdagate::discovery
