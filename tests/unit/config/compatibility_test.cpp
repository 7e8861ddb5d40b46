// The compatibility table (compatibility.hpp) against the parsers, the corpus and the docs.
#include "lambdagate/config/compatibility.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using Handling = FieldTrace::Handling;

const std::string kGlooData = std::string(LAMBDAGATE_TEST_DATA) + "/gloo";
const std::string kDocPath = std::string(LAMBDAGATE_TEST_DATA) + "/../../docs/GLOO-COMPATIBILITY.md";

// Loads the corpus that writes every field the table lists (valid ones, and the refused ones)
// and records how each field was met.
FieldTrace trace_corpus() {
  FieldTrace trace;
  load_config({kGlooData + "/every-field"}, &trace);
  load_config({kGlooData + "/refused"}, &trace);
  return trace;
}

bool is_under(const std::string& path, const std::string& ancestor) {
  return path.size() > ancestor.size() && path.starts_with(ancestor) &&
         (path[ancestor.size()] == '.' || path.compare(ancestor.size(), 2, "[]") == 0);
}

// Every full schema path the table knows, with its row.
std::map<std::string, const GlooField*> table_paths() {
  std::map<std::string, const GlooField*> out;
  for (const GlooField& field : gloo_fields()) {
    for (const std::string& path : schema_paths(field)) out.emplace(path, &field);
  }
  return out;
}

bool under_a_group(const std::string& path) {
  for (const GlooFieldGroup& group : gloo_field_groups()) {
    for (std::string_view root : group.roots) {
      if (path == root || is_under(path, std::string(root))) return true;
    }
  }
  return false;
}

// Every field the corpus writes under a group's roots is in the table (itself, or as the mapping
// of fields it lists, or inside a field it answers whole): nothing is "unknown" to the table.
TEST_CASE("every field the corpus writes is in the compatibility table", "[config][compat]") {
  const FieldTrace trace = trace_corpus();
  const auto table = table_paths();
  std::vector<std::string> missing;
  for (const auto& [path, handling] : trace.fields) {
    if (!under_a_group(path)) continue;
    bool known = table.contains(path) || std::any_of(table.begin(), table.end(), [&](const auto& row) {
                   return is_under(row.first, path) || is_under(path, row.first);
                 });
    if (!known || handling.contains(Handling::Unknown)) missing.push_back(path);
  }
  INFO("fields without a row:\n"
       << [&] {
            std::string out;
            for (const auto& m : missing) out += "  " + m + "\n";
            return out;
          }());
  CHECK(missing.empty());
}

// The corpus writes every field of the table, so each row's status is exercised by a test.
TEST_CASE("the corpus writes every field of the compatibility table", "[config][compat]") {
  const FieldTrace trace = trace_corpus();
  std::vector<std::string> unwritten;
  for (const GlooField& field : gloo_fields()) {
    const auto paths = schema_paths(field);
    if (paths.empty()) continue;  // a group without roots: documented only
    bool written = std::any_of(paths.begin(), paths.end(), [&](const std::string& path) {
      return std::any_of(trace.fields.begin(), trace.fields.end(),
                         [&](const auto& met) { return met.first == path || is_under(met.first, path); });
    });
    if (!written) unwritten.push_back(std::string(field.group) + " " + std::string(field.path));
  }
  INFO("rows the corpus never writes:\n"
       << [&] {
            std::string out;
            for (const auto& u : unwritten) out += "  " + u + "\n";
            return out;
          }());
  CHECK(unwritten.empty());
}

// A row's status says what the loader does, and the loader does it: fields that work are read by
// a parser (never answered from the table), refused and not-applicable fields never read as if
// they worked.
TEST_CASE("each field is handled as its row says", "[config][compat]") {
  const FieldTrace trace = trace_corpus();
  const auto table = table_paths();
  std::vector<std::string> wrong;
  for (const auto& [path, handling] : trace.fields) {
    auto row = table.find(path);
    if (row == table.end()) continue;
    const FieldStatus status = row->second->status;
    const bool works = status == FieldStatus::Works || status == FieldStatus::WorksDifferently ||
                       status == FieldStatus::Extension;
    if (works && !(handling.size() == 1 && handling.contains(Handling::Parsed)))
      wrong.push_back(path + " (works)");
    if (!works && handling.contains(Handling::Unknown)) wrong.push_back(path + " (unknown)");
    if (status == FieldStatus::Refused && !handling.contains(Handling::FromTable) &&
        !handling.contains(Handling::Parsed))
      wrong.push_back(path + " (refused)");
  }
  INFO("fields handled against their row:\n"
       << [&] {
            std::string out;
            for (const auto& w : wrong) out += "  " + w + "\n";
            return out;
          }());
  CHECK(wrong.empty());
}

// Each pending feature is named by at least one field, and each field names only features that
// exist: deleting a feature's row flips exactly its fields to their final status.
TEST_CASE("pending features and the fields that name them agree", "[config][compat]") {
  for (const PendingFeatureRow& pending : pending_features()) {
    INFO(pending.name);
    CHECK(std::any_of(gloo_fields().begin(), gloo_fields().end(),
                      [&](const GlooField& f) { return f.feature == pending.feature; }));
    CHECK_FALSE(pending.consequence.empty());
  }
  for (const GlooField& field : gloo_fields()) {
    if (field.feature == PendingFeature::None || find_pending_feature(field.feature) != nullptr) continue;
    // A wired feature: its fields must say what they do now.
    INFO(field.path);
    CHECK(field.status != FieldStatus::Ignored);
  }
  // Rows are unique: one status per field.
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const GlooField& field : gloo_fields()) {
    INFO(field.group << " " << field.path);
    CHECK(seen.emplace(field.group, field.path).second);
  }
}

// docs/GLOO-COMPATIBILITY.md is generated from the table; it must not drift. To regenerate:
//   LAMBDAGATE_WRITE_COMPAT_DOC=1 build/tests/unit_config "[compat-doc]"
TEST_CASE("docs/GLOO-COMPATIBILITY.md is the table's rendering", "[config][compat][compat-doc]") {
  const std::string expected = compatibility_markdown();
  const char* write = std::getenv("LAMBDAGATE_WRITE_COMPAT_DOC");
  if (write != nullptr && std::string(write) == "1") {
    std::ofstream(kDocPath, std::ios::binary) << expected;
  }
  std::ifstream in(kDocPath, std::ios::binary);
  REQUIRE(in);
  std::stringstream actual;
  actual << in.rdbuf();
  INFO("regenerate with: LAMBDAGATE_WRITE_COMPAT_DOC=1 build/tests/unit_config \"[compat-doc]\"");
  CHECK(actual.str() == expected);
}

// What the loader prints for fields answered from the table: the row's note, with the field's
// path and line; not-applicable fields in one info line per load whatever the number of places.
TEST_CASE("table answers: ignored, not applicable and refused fields", "[config][compat]") {
  LoadResult result = test::load_one("gw.yaml", R"(apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: a}
spec:
  bindPort: 8080
  proxyNames: [gateway-proxy]
  options:
    tcpStats: true
  httpGateway:
    options:
      extauth: {}
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: b}
spec:
  bindPort: 8081
  proxyNames: [gateway-proxy]
)");
  CHECK_FALSE(result.ok());
  CHECK(test::lines(result) ==
        std::vector<std::string>{
            "gw.yaml:6: info: one lambdagate process serves every Gateway it reads, so proxy names are "
            "ignored: "
            "'spec.proxyNames'",
            "gw.yaml:8: warning: 'spec.options.tcpStats' is ignored: TCP statistics are not collected",
            "gw.yaml:11: error: 'spec.httpGateway.options.extauth' is not supported: lambdagate has no "
            "external auth "
            "or authorization server, and serving the route without the check it asks for would open it; "
            "remove it "
            "or put the check in front of lambdagate",
        });
}

}  // namespace
}  // namespace lambdagate::config
