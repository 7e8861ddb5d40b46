#pragma once
// Loads and validates configuration from files and directories (DESIGN.md §1, §3).
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"

namespace lambdagate::config {

struct Diagnostic {
  // Info: accepted and deliberately without effect (Kubernetes-only fields, documents of other
  // kinds, implicit Gateways); nothing to fix. Warnings are worth a look; errors refuse the load.
  enum class Severity { Error, Warning, Info };
  Severity severity = Severity::Error;
  SourceLocation where;
  std::string message;

  // "FILE:LINE: error: message" (or "warning:", "info:"), the form --validate prints. A problem
  // with a whole file (missing, unreadable) has no line and prints as "FILE: error: message".
  std::string to_string() const;
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when any error was found
  std::vector<Diagnostic> diagnostics;   // every error, warning and info, in file order

  bool ok() const { return config != nullptr; }
  std::size_t error_count() const;
};

// How a load met each Gloo field, by schema path ("Gateway:spec.httpGateway.options.healthCheck.path":
// list items as "[]", free-form map keys as "*"): read by a parser, answered from the
// compatibility table (compatibility.hpp), or unknown. What the test that keeps the table, the
// parsers and docs/GLOO-COMPATIBILITY.md in step looks at.
struct FieldTrace {
  enum class Handling { Parsed, FromTable, Unknown };
  std::map<std::string, std::set<Handling>> fields;
};

// Reads every path: a YAML file, or a directory (all *.yaml / *.yml in it, sorted by name,
// following a Kubernetes ConfigMap mount's ..data symlinks and skipping the ..* entries
// themselves). Multi-document files are allowed. Collects every problem instead of stopping at
// the first; never throws for bad input.
LoadResult load_config(const std::vector<std::string>& paths, FieldTrace* trace = nullptr);

// Same, from in-memory documents: (pretend file name, YAML text) pairs. Used by tests.
LoadResult load_config_from_strings(const std::vector<std::pair<std::string, std::string>>& files,
                                    FieldTrace* trace = nullptr);

}  // namespace lambdagate::config
