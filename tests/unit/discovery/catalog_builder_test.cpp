// Gloo's logical names for what Lambda lists, the catalog built from a round, and how
// hand-written and discovered functions merge (hand-written first, never dropped).
#include "lambdagate/discovery/catalog_builder.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "fakes/fake_function_lister.hpp"

namespace {

using namespace lambdagate;
using discovery::CatalogEntry;
using discovery::EntryKind;
using discovery::FunctionCatalog;
using discovery::FunctionSource;
using testing::alias;
using testing::function_version;

const core::SystemTime kAt{std::chrono::seconds{1'700'000'000}};

config::LambdaFunctionSpec written(std::string logical, std::string name, std::string qualifier = "") {
  config::LambdaFunctionSpec spec;
  spec.logical_name = std::move(logical);
  spec.function_name = std::move(name);
  spec.qualifier = std::move(qualifier);
  return spec;
}

// $LATEST is the bare name without qualifier, a version is name:N with qualifier N, an alias
// name:A with qualifier A (Gloo's FDS names; aliases are new).
TEST_CASE("catalog entries get Gloo's logical names", "[discovery][catalog]") {
  const CatalogEntry latest = discovery::entry_for_version(function_version("uppercase"));
  CHECK(latest == CatalogEntry{"uppercase", "uppercase", "", EntryKind::Latest});
  const CatalogEntry v3 = discovery::entry_for_version(function_version("uppercase", "3"));
  CHECK(v3 == CatalogEntry{"uppercase:3", "uppercase", "3", EntryKind::Version});
  const CatalogEntry live = discovery::entry_for_alias("uppercase", alias("live", "3"));
  CHECK(live == CatalogEntry{"uppercase:live", "uppercase", "live", EntryKind::Alias});
  CHECK(discovery::to_string(EntryKind::Alias) == "alias");
}

// A round's versions and aliases become one catalog sorted by logical name; a version listed
// twice (pages shifted while listing) appears once; lookup finds each name.
TEST_CASE("build_catalog sorts and deduplicates", "[discovery][catalog]") {
  discovery::ListedFunctions listed;
  listed.versions = {function_version("b"), function_version("a", "2"), function_version("a"),
                     function_version("a", "1"), function_version("b")};
  listed.aliases["a"] = {alias("live", "2"), alias("beta", "$LATEST")};
  const FunctionCatalog catalog = discovery::build_catalog(listed, kAt);
  std::vector<std::string> names;
  for (const auto& entry : catalog.functions) names.push_back(entry.logical_name);
  CHECK(names == std::vector<std::string>{"a", "a:1", "a:2", "a:beta", "a:live", "b"});
  CHECK(catalog.discovered_at == kAt);
  REQUIRE(catalog.find("a:live"));
  CHECK(catalog.find("a:live")->qualifier == "live");
  CHECK(catalog.find("c") == nullptr);
  CHECK(discovery::function_names(listed.versions) == std::vector<std::string>{"a", "b"});
}

// Hand-written entries come first in the order written and win a name clash; discovered ones
// follow sorted, with source and kind; nothing hand-written is dropped, even a function discovery
// did not find.
TEST_CASE("merged_functions: hand-written first, never dropped", "[discovery][catalog]") {
  config::Upstream upstream;
  upstream.aws.lambda_functions = {written("z-custom", "uppercase", "live"), written("a", "other-function"),
                                   written("gone", "deleted-function")};
  discovery::ListedFunctions listed;
  listed.versions = {function_version("a"), function_version("a", "1"), function_version("uppercase")};
  const FunctionCatalog catalog = discovery::build_catalog(listed, kAt);

  const auto merged = discovery::merged_functions(upstream, &catalog);
  REQUIRE(merged.size() == 5);
  CHECK(merged[0].logical_name == "z-custom");
  CHECK(merged[0].source == FunctionSource::Static);
  CHECK_FALSE(merged[0].kind);
  CHECK(merged[1].logical_name == "a");
  CHECK(merged[1].function_name == "other-function");  // the hand-written "a" wins
  CHECK(merged[2].logical_name == "gone");
  CHECK(merged[3].logical_name == "a:1");
  CHECK(merged[3].source == FunctionSource::Discovered);
  CHECK(merged[3].kind == EntryKind::Version);
  CHECK(merged[4].logical_name == "uppercase");
  CHECK(merged[4].kind == EntryKind::Latest);
  CHECK(discovery::to_string(merged[4].source) == "discovered");

  // Without a catalog only the hand-written ones.
  CHECK(discovery::merged_functions(upstream, nullptr).size() == 3);
}

// The request path's lookup: hand-written first, then the catalog; with fallbackToFirstFunction
// an unknown or empty name gets the first hand-written function, else the first discovered one.
TEST_CASE("find_function looks up hand-written first, then discovered", "[discovery][catalog]") {
  config::Upstream upstream;
  upstream.aws.lambda_functions = {written("a", "other-function")};
  discovery::ListedFunctions listed;
  listed.versions = {function_version("a"), function_version("b", "7")};
  const FunctionCatalog catalog = discovery::build_catalog(listed, kAt);

  auto a = discovery::find_function(upstream, &catalog, "a");
  REQUIRE(a);
  CHECK(a->function_name == "other-function");
  CHECK(a->source == FunctionSource::Static);

  auto b7 = discovery::find_function(upstream, &catalog, "b:7");
  REQUIRE(b7);
  CHECK(b7->function_name == "b");
  CHECK(b7->qualifier == "7");
  CHECK(b7->source == FunctionSource::Discovered);

  CHECK_FALSE(discovery::find_function(upstream, &catalog, "nope"));
  CHECK_FALSE(discovery::find_function(upstream, nullptr, "b:7"));
  CHECK(discovery::find_function(upstream, &catalog, "nope", true)->function_name == "other-function");

  config::Upstream discovered_only;
  auto first = discovery::find_function(discovered_only, &catalog, "", true);
  REQUIRE(first);
  CHECK(first->logical_name == "a");
  CHECK(first->source == FunctionSource::Discovered);
  CHECK_FALSE(discovery::find_function(discovered_only, nullptr, "", true));

  // The request path's form reads the published catalog, and only when it has to.
  discovery::DiscoveredFunctions published;
  std::shared_ptr<const FunctionCatalog> holder;
  CHECK(discovery::find_function(upstream, &published, "a", false, holder)->source == FunctionSource::Static);
  CHECK(holder == nullptr);
  CHECK_FALSE(discovery::find_function(upstream, &published, "b:7", false, holder));
  published.record_success(std::make_shared<const FunctionCatalog>(catalog), kAt);
  auto found = discovery::find_function(upstream, &published, "b:7", false, holder);
  REQUIRE(found);
  CHECK(found->source == FunctionSource::Discovered);
  CHECK(holder == published.catalog());
  CHECK(discovery::find_function(upstream, nullptr, "x", true, holder)->function_name == "other-function");
}

}  // namespace
