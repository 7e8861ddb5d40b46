// ListFunctions/ListAliases items → catalog entries, and the hand-written-first merge.
#include "lambdagate/discovery/catalog_builder.hpp"

#include <algorithm>
#include <set>

namespace lambdagate::discovery {

namespace {

constexpr std::string_view kLatest = "$LATEST";

std::string qualified(std::string_view name, std::string_view qualifier) {
  std::string out;
  out.reserve(name.size() + 1 + qualifier.size());
  out.append(name);
  out.push_back(':');
  out.append(qualifier);
  return out;
}

}  // namespace

CatalogEntry entry_for_version(const aws::FunctionVersionInfo& version) {
  CatalogEntry entry;
  entry.function_name = version.function_name;
  if (version.version.empty() || version.version == kLatest) {
    entry.logical_name = version.function_name;
    entry.kind = EntryKind::Latest;
  } else {
    entry.logical_name = qualified(version.function_name, version.version);
    entry.qualifier = version.version;
    entry.kind = EntryKind::Version;
  }
  return entry;
}

CatalogEntry entry_for_alias(std::string_view function_name, const aws::AliasInfo& alias) {
  CatalogEntry entry;
  entry.logical_name = qualified(function_name, alias.name);
  entry.function_name = std::string(function_name);
  entry.qualifier = alias.name;
  entry.kind = EntryKind::Alias;
  return entry;
}

FunctionCatalog build_catalog(const ListedFunctions& listed, core::SystemTime discovered_at) {
  std::vector<CatalogEntry> entries;
  std::size_t alias_count = 0;
  for (const auto& [name, aliases] : listed.aliases) alias_count += aliases.size();
  entries.reserve(listed.versions.size() + alias_count);
  for (const auto& version : listed.versions) entries.push_back(entry_for_version(version));
  // An alias cannot be named like a version (Lambda rejects numeric alias names), so the two
  // kinds never collide; from_entries keeps the first of any duplicate anyway.
  for (const auto& [name, aliases] : listed.aliases) {
    for (const auto& alias : aliases) entries.push_back(entry_for_alias(name, alias));
  }
  return FunctionCatalog::from_entries(std::move(entries), discovered_at);
}

std::vector<std::string> function_names(const std::vector<aws::FunctionVersionInfo>& versions) {
  std::set<std::string> names;
  for (const auto& version : versions) names.insert(version.function_name);
  return {names.begin(), names.end()};
}

std::string_view to_string(FunctionSource source) {
  return source == FunctionSource::Static ? "static" : "discovered";
}

std::vector<MergedFunction> merged_functions(const config::Upstream& upstream,
                                             const FunctionCatalog* catalog) {
  const auto& written = upstream.aws.lambda_functions;
  std::vector<MergedFunction> out;
  out.reserve(written.size() + (catalog ? catalog->functions.size() : 0));
  std::set<std::string_view> taken;
  for (const auto& function : written) {
    out.push_back(
        {function.logical_name, function.function_name, function.qualifier, FunctionSource::Static, {}});
    taken.insert(function.logical_name);
  }
  if (catalog) {
    for (const auto& entry : catalog->functions) {  // already sorted by logical name
      if (taken.contains(entry.logical_name)) continue;
      out.push_back(
          {entry.logical_name, entry.function_name, entry.qualifier, FunctionSource::Discovered, entry.kind});
    }
  }
  return out;
}

std::optional<FunctionTarget> find_function(const config::Upstream& upstream, const FunctionCatalog* catalog,
                                            std::string_view logical_name, bool fallback_to_first) {
  const auto& written = upstream.aws.lambda_functions;
  if (!logical_name.empty()) {
    for (const auto& function : written) {
      if (function.logical_name == logical_name) {
        return FunctionTarget{function.logical_name, function.function_name, function.qualifier,
                              FunctionSource::Static};
      }
    }
    if (catalog) {
      if (const CatalogEntry* entry = catalog->find(logical_name)) {
        return FunctionTarget{entry->logical_name, entry->function_name, entry->qualifier,
                              FunctionSource::Discovered};
      }
    }
  }
  if (!fallback_to_first) return std::nullopt;
  if (!written.empty()) {
    const auto& first = written.front();
    return FunctionTarget{first.logical_name, first.function_name, first.qualifier, FunctionSource::Static};
  }
  if (catalog && !catalog->functions.empty()) {
    const auto& first = catalog->functions.front();
    return FunctionTarget{first.logical_name, first.function_name, first.qualifier,
                          FunctionSource::Discovered};
  }
  return std::nullopt;
}

std::optional<FunctionTarget> find_function(const config::Upstream& upstream,
                                            const DiscoveredFunctions* discovered,
                                            std::string_view logical_name, bool fallback_to_first,
                                            std::shared_ptr<const FunctionCatalog>& holder) {
  if (!logical_name.empty()) {
    if (auto target = find_function(upstream, nullptr, logical_name, false)) return target;
  }
  holder = discovered ? discovered->catalog() : nullptr;
  return find_function(upstream, holder.get(), logical_name, fallback_to_first);
}

}  // namespace lambdagate::discovery
