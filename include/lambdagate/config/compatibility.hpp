#pragma once
// Every Gloo field lambdagate knows and what it does with it: the one table behind the loader's
// "ignored", "does not apply" and "not supported" messages, the "not enforced yet" warnings, and
// docs/GLOO-COMPATIBILITY.md (generated from it; a unit test keeps the two equal, and checks the
// table against what the parsers actually read).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lambdagate::config {

enum class FieldStatus {
  Works,             // as in Gloo
  WorksDifferently,  // honoured, with a difference the note explains
  Extension,         // lambdagate's own field
  Ignored,           // accepted; a warning with the note when present
  NotApplicable,     // accepted; one info line per load: it means nothing to one process reading files
  Refused,           // a config error with the note when present
};

// Features that are parsed and checked, but not enforced by the runtime yet. While a feature has
// a row in pending_features(), every load that uses it gets one warning saying so. The change
// that wires a feature deletes its row (and regenerates docs/GLOO-COMPATIBILITY.md).
enum class PendingFeature {
  None,
  TlsTermination,
  ProxyProtocol,
  ClientAddress,
  AccessLogSinks,
  HealthCheck,
  ConnectionLimits,
  Cors,
  Jwt,
  LocalRateLimits,
  Redirects,
  ConcurrencyCaps,
};

struct PendingFeatureRow {
  PendingFeature feature;
  std::string_view name;         // what users call it
  std::string_view consequence;  // what happens meanwhile
};

std::span<const PendingFeatureRow> pending_features();
// The row of a feature still pending; null once it is wired.
const PendingFeatureRow* find_pending_feature(PendingFeature feature);

// One field. `path` is relative to its group's roots: list items as "[]", free-form map keys
// (JWT provider names) as "*".
struct GlooField {
  std::string_view group;
  std::string_view path;
  FieldStatus status;
  std::string_view note;  // how it works (differently) / why it is ignored or refused
  PendingFeature feature = PendingFeature::None;
};

// A part of a document that shares one schema: a title for the docs and the schema paths it is
// found at ("Kind:spec.path", as FieldTrace records them).
struct GlooFieldGroup {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::span<const std::string_view> roots;
};

std::span<const GlooFieldGroup> gloo_field_groups();
std::span<const GlooField> gloo_fields();

// The row for a field met in a document, by its full schema path
// ("VirtualService:spec.virtualHost.routes[].options.faults"); null when the table has none.
const GlooField* find_gloo_field(std::string_view schema_path);

// True when the table has rows below this schema path (it is a mapping of known fields).
bool gloo_field_has_children(std::string_view schema_path);

// Every full schema path of a row (one per root of its group).
std::vector<std::string> schema_paths(const GlooField& field);

// "works", "parsed and ignored (warning)", ... as the docs print a row's status, taking pending
// features into account.
std::string status_text(const GlooField& field);

// The whole of docs/GLOO-COMPATIBILITY.md.
std::string compatibility_markdown();

}  // namespace lambdagate::config
