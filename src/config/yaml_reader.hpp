#pragma once
// Typed, located access to yaml-cpp nodes for the document parsers. Internal to the config
// module: this is the only header that names yaml-cpp types, and it lives under src/.
//
// Every accessor reports problems into a Diagnostics sink instead of throwing, so one bad field
// never hides the next one. Keys a parser asks for are remembered; `finish()` answers the rest
// from the compatibility table (compatibility.hpp: ignored, not applicable, refused) or reports
// them as unknown fields, which is how typos in Gloo YAML become visible.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/config/loader.hpp"

namespace lambdagate::config::detail {

class Diagnostics {
 public:
  using Severity = Diagnostic::Severity;
  // Turns what was collected under one topic into its message: the distinct items in document
  // order, each with how often it was met, and the number of places.
  using Formatter = std::function<std::string(const std::vector<std::pair<std::string, std::size_t>>& items,
                                              std::size_t places)>;

  void error(SourceLocation where, std::string message);
  void warning(SourceLocation where, std::string message);
  void info(SourceLocation where, std::string message);

  // A report given once per load however many places cause it ("documents of other kinds",
  // "not enforced yet", ...): collected here, printed by flush_collected at the earliest place.
  void collect(const std::string& topic, Severity severity, SourceLocation where, std::string item,
               Formatter format);
  // `before` orders places as the final report does (file order, then line).
  void flush_collected(const std::function<bool(const SourceLocation&, const SourceLocation&)>& before);

  std::size_t error_count() const { return errors_; }
  std::vector<Diagnostic>& items() { return items_; }

  // When set, every field met is recorded with how it was handled (loader.hpp's FieldTrace).
  FieldTrace* trace = nullptr;
  void record(const std::string& schema, FieldTrace::Handling handling) {
    if (trace != nullptr) trace->fields[schema].insert(handling);
  }

 private:
  struct Item {
    std::string text;
    std::size_t count = 0;
    SourceLocation first;
  };
  struct Collected {
    Severity severity = Severity::Info;
    std::vector<SourceLocation> places;
    std::vector<Item> items;
    Formatter format;
  };
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::vector<std::pair<std::string, Collected>> collected_;  // in topic order of first report
};

// One YAML chunk of one file: turns yaml-cpp's chunk-relative, 0-based marks into file lines.
class Source {
 public:
  Source(std::string file, int first_line, Diagnostics& diagnostics)
      : file_(std::move(file)), first_line_(first_line), diagnostics_(&diagnostics) {}

  const std::string& file() const { return file_; }
  SourceLocation at(const YAML::Mark& mark) const;
  SourceLocation at(const YAML::Node& node) const { return at(node.Mark()); }
  Diagnostics& diagnostics() const { return *diagnostics_; }

 private:
  std::string file_;
  int first_line_;  // 0-based line of the chunk's first line in the file
  Diagnostics* diagnostics_;
};

// A value found in the YAML, with its dotted path (for messages), its schema path (the path with
// list indexes as "[]" and free-form map keys as "*", prefixed by the document kind — what the
// compatibility table is keyed by) and the line of its key (or, for list items, of the item
// itself). yaml-cpp gives a null value the mark of whatever follows it, so the key's line is the
// one an operator expects to see.
struct Field {
  const Source* source = nullptr;
  YAML::Node value;
  std::string path;
  SourceLocation where;
  std::string schema;

  void error(std::string message) const;
  void warning(std::string message) const;
  // The last component of the path: the key this value was found under. Only for schema keys
  // (no dots); free-form keys such as "tls.crt" come from MapReader::entries().
  std::string_view key() const;
};

// Scalar conversions. Each reports a located error and returns nullopt on a wrong type. String
// errors never echo the value: secrets are strings.
std::optional<std::string> as_string(const Field& field);
std::optional<bool> as_bool(const Field& field);
std::optional<int64_t> as_integer(const Field& field, int64_t min, int64_t max);
// A list of scalars as strings; a scalar where a list is expected is an error.
std::optional<std::vector<std::string>> as_string_list(const Field& field);
// The items of a sequence; a non-sequence is an error and gives an empty list.
std::vector<Field> as_list(const Field& field);

class MapReader;
// A mapping; anything else is an error.
std::optional<MapReader> as_map(const Field& field);

// Field access on one YAML mapping.
class MapReader {
 public:
  MapReader(const Source& source, YAML::Node node, std::string path, SourceLocation where,
            std::string schema);

  const std::string& path() const { return path_; }
  SourceLocation where() const { return where_; }
  const Source& source() const { return *source_; }
  std::string child_path(std::string_view key) const;

  // True when the key is present with a non-null value. Does not mark the key as read.
  bool has(std::string_view key) const;
  // Where a present key is written (the mapping's own place when absent).
  SourceLocation where_of(std::string_view key) const;
  // The value of a key that is present and not null; marks the key as read either way.
  std::optional<Field> take(std::string_view key);

  std::optional<std::string> string(std::string_view key);
  // Missing, null or empty is an error (reported at this mapping).
  std::optional<std::string> required_string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
  std::optional<MapReader> map(std::string_view key);
  std::vector<Field> list(std::string_view key);

  // A key outside the Gloo schema that is known and deliberately unused (Kubernetes
  // bookkeeping such as `status`); Gloo fields go through the compatibility table instead.
  void accept(std::string_view key);
  // Every key not read so far: answered from the compatibility table (ignored → warning, not
  // applicable → one info line per load, refused → error), else "unknown field" warning.
  void finish();

  // Keys in document order, for maps with free-form keys (labels, secret data).
  struct Entry {
    std::string key;
    Field field;
  };
  std::vector<Entry> entries();

 private:
  struct Key {
    std::string name;
    SourceLocation where;
    YAML::Node value;
    bool read = false;
  };
  Key* find(std::string_view key);
  const Key* find(std::string_view key) const;
  Field field_of(const Key& key, std::string_view schema_key) const;
  std::string child_schema(std::string_view key) const;

  const Source* source_;
  std::string path_;
  SourceLocation where_;
  std::string schema_;
  std::vector<Key> keys_;
};

// A field whose compatibility-table row says it does not apply (NotApplicable): collected into one
// info line per load and reason. finish() does this for keys no parser reads.
void note_not_applicable(const Field& field);

// A short, single-line rendering of a non-secret scalar for messages.
std::string quote_value(std::string_view value);

}  // namespace lambdagate::config::detail
