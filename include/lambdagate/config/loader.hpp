#pragma once
// Loads and validates configuration from files and directories (DESIGN.md §1, §3).
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"

namespace lambdagate::config {

struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  SourceLocation where;
  std::string message;

  // "FILE:LINE: error: message" (or "warning:"), the form --validate prints. A problem with a
  // whole file (missing, unreadable) has no line and prints as "FILE: error: message".
  std::string to_string() const;
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when any error was found
  std::vector<Diagnostic> diagnostics;   // every error and warning, in file order

  bool ok() const { return config != nullptr; }
  std::size_t error_count() const;
};

// Reads every path: a YAML file, or a directory (all *.yaml / *.yml in it, sorted by name,
// following a Kubernetes ConfigMap mount's ..data symlinks and skipping the ..* entries
// themselves). Multi-document files are allowed. Collects every problem instead of stopping at
// the first; never throws for bad input.
LoadResult load_config(const std::vector<std::string>& paths);

// Same, from in-memory documents: (pretend file name, YAML text) pairs. Used by tests.
LoadResult load_config_from_strings(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace lambdagate::config
