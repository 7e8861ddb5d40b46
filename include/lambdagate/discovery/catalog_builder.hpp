#pragma once
// From what Lambda lists to what routes name, and how hand-written and discovered functions
// combine (pure). Names follow Gloo's FDS (gloo.md §4): `name` for $LATEST, `name:version` for a
// published version, and, new in lambdagate, `name:alias` for an alias. Hand-written
// lambdaFunctions always win: they are looked up first, shown first and never dropped (Gloo's FDS
// replaced them wholesale).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/aws/lambda_listing.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/discovery/function_catalog.hpp"

namespace lambdagate::discovery {

// One ListFunctions item as a catalog entry: $LATEST → {name, qualifier ""}, version N →
// {name:N, qualifier N}.
CatalogEntry entry_for_version(const aws::FunctionVersionInfo& version);
// One ListAliases item of `function_name` → {function_name:alias, qualifier alias}.
CatalogEntry entry_for_alias(std::string_view function_name, const aws::AliasInfo& alias);

// A round's findings: every version listed, and the aliases of each function name (only the
// functions whose aliases were listed appear in `aliases`).
struct ListedFunctions {
  std::vector<aws::FunctionVersionInfo> versions;
  std::map<std::string, std::vector<aws::AliasInfo>> aliases;  // by FunctionName
};

// The catalog of a round: sorted by logical name; a name listed twice (a page boundary moved
// while listing) is kept once.
FunctionCatalog build_catalog(const ListedFunctions& listed, core::SystemTime discovered_at);

// Every distinct FunctionName in `versions`, sorted (what ListAliases is called for).
std::vector<std::string> function_names(const std::vector<aws::FunctionVersionInfo>& versions);

enum class FunctionSource { Static, Discovered };
std::string_view to_string(FunctionSource source);  // "static", "discovered"

// One function an Upstream offers, for /upstreams and `lambdagate discover`.
struct MergedFunction {
  std::string logical_name;
  std::string function_name;
  std::string qualifier;  // "" = none
  FunctionSource source = FunctionSource::Static;
  std::optional<EntryKind> kind;  // discovered entries only
};

// The hand-written lambdaFunctions in the order written, then the discovered ones sorted by
// logical name, leaving out a discovered entry whose logical name a hand-written one has.
// `catalog` may be null (not discovered, or no round has succeeded yet).
std::vector<MergedFunction> merged_functions(const config::Upstream& upstream,
                                             const FunctionCatalog* catalog);

// What the request path invokes for a logical name: views into the Upstream or the catalog, valid
// while the caller holds both (the snapshot and the catalog shared_ptr).
struct FunctionTarget {
  std::string_view logical_name;
  std::string_view function_name;
  std::string_view qualifier;
  FunctionSource source = FunctionSource::Static;
};

// Hand-written lambdaFunctions first, then the catalog. With `fallback_to_first` (Settings
// fallbackToFirstFunction) an empty or unknown name gets the first function: the first
// hand-written one, else the first discovered one. No allocation.
std::optional<FunctionTarget> find_function(const config::Upstream& upstream, const FunctionCatalog* catalog,
                                            std::string_view logical_name, bool fallback_to_first = false);

// The same for the request path, reading `discovered` (may be null) only when no hand-written
// entry has the name: the common case costs no atomic load. `holder` keeps the catalog the
// answer's views point into alive.
std::optional<FunctionTarget> find_function(const config::Upstream& upstream,
                                            const DiscoveredFunctions* discovered,
                                            std::string_view logical_name, bool fallback_to_first,
                                            std::shared_ptr<const FunctionCatalog>& holder);

}  // namespace lambdagate::discovery
