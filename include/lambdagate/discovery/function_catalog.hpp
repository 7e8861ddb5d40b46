#pragma once
// FunctionCatalog: the Lambda functions discovery found for one Upstream, and DiscoveredFunctions,
// the point where a discoverer publishes them and the request path reads them (DESIGN.md §7:
// "discovery ─▶ ListFunctions ─▶ function index"). A catalog is immutable once published; the
// request path loads the current one atomically and never takes a lock.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::discovery {

// How a discovered entry was found.
enum class EntryKind { Latest, Version, Alias };
std::string_view to_string(EntryKind kind);  // "latest", "version", "alias"

struct CatalogEntry {
  std::string logical_name;   // Gloo's FDS names: "name" ($LATEST), "name:version", "name:alias"
  std::string function_name;  // the FunctionName given to Invoke
  std::string qualifier;      // "" for $LATEST, else the version or alias
  EntryKind kind = EntryKind::Latest;
  bool operator==(const CatalogEntry&) const = default;
};

struct FunctionCatalog {
  std::vector<CatalogEntry> functions;  // sorted by logical_name, no duplicates
  core::SystemTime discovered_at{};

  // Sorts `entries` by logical name and drops later duplicates.
  static FunctionCatalog from_entries(std::vector<CatalogEntry> entries, core::SystemTime discovered_at);
  const CatalogEntry* find(std::string_view logical_name) const;
};

// One Upstream's discovered functions and how discovery is going. Written by its discoverer (on
// the control thread), read by workers and the admin listener.
class DiscoveredFunctions {
public:
  struct Status {
    std::uint64_t rounds_succeeded = 0;
    std::uint64_t rounds_failed = 0;
    std::optional<core::SystemTime> last_attempt;
    std::optional<core::SystemTime> last_success;
    std::string last_error;  // of the latest round; empty after a success. Never holds secrets.
  };

  // The latest successful round's catalog; null until one succeeds. A failed round keeps it.
  std::shared_ptr<const FunctionCatalog> catalog() const { return catalog_.load(std::memory_order_acquire); }
  Status status() const;

  void record_success(std::shared_ptr<const FunctionCatalog> catalog, core::SystemTime at);
  void record_failure(std::string error, core::SystemTime at);

private:
  std::atomic<std::shared_ptr<const FunctionCatalog>> catalog_;
  mutable std::mutex mutex_;
  Status status_;
};

}  // namespace lambdagate::discovery
