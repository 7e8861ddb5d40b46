// libFuzzer target for the configuration loader (src/config): one YAML file of any number of
// documents, as an operator, a Helm chart or a ConfigMap mount hands it over, loaded from bytes
// with load_config_from_strings (the same Loader as load_config, without the file system).
//
// Input: the file's bytes.
//
// Checked, beyond "no crash, no hang, no sanitizer report, no unbounded recursion" (deeply nested
// flow collections are the classic stack overflow of recursive YAML parsers):
// - the load either yields a configuration and no error, or no configuration and at least one
//   error;
// - every diagnostic names the file and says something; every error names a line in it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lambdagate/config/loader.hpp"

namespace config = lambdagate::config;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size));
  const config::LoadResult result = config::load_config_from_strings(files);
  check(result.ok() == (result.error_count() == 0));
  check(result.ok() || !result.diagnostics.empty());
  const std::size_t lines = static_cast<std::size_t>(std::count(data, data + size, '\n')) + 1;
  for (const auto& diagnostic : result.diagnostics) {
    check(diagnostic.where.file == "fuzz.yaml");
    check(!diagnostic.message.empty());
    if (diagnostic.severity == config::Diagnostic::Severity::Error) {
      check(diagnostic.where.line >= 1 && static_cast<std::size_t>(diagnostic.where.line) <= lines);
    }
  }
  return 0;
}
