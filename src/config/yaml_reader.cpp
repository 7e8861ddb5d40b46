#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "lambdagate/config/compatibility.hpp"

namespace lambdagate::config::detail {

namespace {

// yaml-cpp tags: "?" for a plain scalar, "!" for a quoted one. Kubernetes and Gloo reject
// "true" or "8080" in quotes for bool and integer fields, so we do too.
bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::string_view type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return is_quoted(node) ? "a string" : "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace

void Diagnostics::error(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::Error, std::move(where), std::move(message)});
  ++errors_;
}

void Diagnostics::warning(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::Warning, std::move(where), std::move(message)});
}

void Diagnostics::info(SourceLocation where, std::string message) {
  items_.push_back({Diagnostic::Severity::Info, std::move(where), std::move(message)});
}

void Diagnostics::collect(const std::string& topic, Severity severity, SourceLocation where, std::string item,
                          Formatter format) {
  auto it =
      std::find_if(collected_.begin(), collected_.end(), [&](const auto& c) { return c.first == topic; });
  if (it == collected_.end()) {
    collected_.push_back({topic, Collected{severity, {}, {}, std::move(format)}});
    it = std::prev(collected_.end());
  }
  Collected& c = it->second;
  // The same place reached twice (a RouteTable shared by two VirtualServices) counts once.
  if (std::any_of(c.places.begin(), c.places.end(),
                  [&](const SourceLocation& p) { return p.file == where.file && p.line == where.line; }))
    return;
  c.places.push_back(where);
  auto known = std::find_if(c.items.begin(), c.items.end(), [&](const Item& i) { return i.text == item; });
  if (known == c.items.end()) {
    c.items.push_back({std::move(item), 0, where});
    known = std::prev(c.items.end());
  }
  ++known->count;
}

void Diagnostics::flush_collected(
    const std::function<bool(const SourceLocation&, const SourceLocation&)>& before) {
  for (auto& [topic, c] : collected_) {
    const SourceLocation first = *std::min_element(c.places.begin(), c.places.end(), before);
    std::stable_sort(c.items.begin(), c.items.end(),
                     [&](const Item& a, const Item& b) { return before(a.first, b.first); });
    std::vector<std::pair<std::string, std::size_t>> items;
    for (const Item& item : c.items) items.emplace_back(item.text, item.count);
    std::string message = c.format(items, c.places.size());
    if (c.severity == Severity::Error) {
      error(first, std::move(message));
    } else if (c.severity == Severity::Warning) {
      warning(first, std::move(message));
    } else {
      info(first, std::move(message));
    }
  }
  collected_.clear();
}

SourceLocation Source::at(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return {file_, 0};
  return {file_, first_line_ + mark.line + 1};
}

void Field::error(std::string message) const { source->diagnostics().error(where, std::move(message)); }

void Field::warning(std::string message) const { source->diagnostics().warning(where, std::move(message)); }

std::string_view Field::key() const {
  std::string_view p = path;
  std::size_t dot = p.rfind('.');
  return dot == std::string_view::npos ? p : p.substr(dot + 1);
}

std::string quote_value(std::string_view value) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (char c : value.substr(0, kMax)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (value.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::optional<std::string> as_string(const Field& field) {
  if (field.value.IsNull()) return std::string();
  if (!field.value.IsScalar()) {
    field.error("'" + field.path + "' must be a string, got " + std::string(type_name(field.value)));
    return std::nullopt;
  }
  return field.value.Scalar();
}

std::optional<bool> as_bool(const Field& field) {
  if (field.value.IsScalar() && !is_quoted(field.value)) {
    // yaml-cpp accepts the YAML 1.1 spellings (yes/no/on/off) as Kubernetes' go-yaml does.
    bool value = false;
    if (YAML::convert<bool>::decode(field.value, value)) return value;
  }
  std::string got = !field.value.IsScalar()  ? std::string(type_name(field.value))
                    : is_quoted(field.value) ? "the quoted string " + quote_value(field.value.Scalar())
                                             : quote_value(field.value.Scalar());
  field.error("'" + field.path + "' must be true or false, got " + got);
  return std::nullopt;
}

std::optional<int64_t> as_integer(const Field& field, int64_t min, int64_t max) {
  std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (!field.value.IsScalar() || is_quoted(field.value)) {
    field.error("'" + field.path + "' must be an integer" + range + ", got " +
                std::string(type_name(field.value)));
    return std::nullopt;
  }
  const std::string& text = field.value.Scalar();
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  // Decimal only: YAML 1.1 octal/hex spellings of a port or status are more likely mistakes.
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    field.error("'" + field.path + "' must be an integer" + range + ", got " + quote_value(text));
    return std::nullopt;
  }
  return value;
}

std::vector<Field> as_list(const Field& field) {
  std::vector<Field> items;
  if (field.value.IsNull()) return items;
  if (!field.value.IsSequence()) {
    field.error("'" + field.path + "' must be a list, got " + std::string(type_name(field.value)));
    return items;
  }
  std::size_t index = 0;
  for (const YAML::Node& item : field.value) {
    SourceLocation where = field.source->at(item);
    if (where.line == 0) where = field.where;
    items.push_back(
        {field.source, item, field.path + "[" + std::to_string(index) + "]", where, field.schema + "[]"});
    ++index;
  }
  return items;
}

std::optional<std::vector<std::string>> as_string_list(const Field& field) {
  if (!field.value.IsNull() && !field.value.IsSequence()) {
    field.error("'" + field.path + "' must be a list, got " + std::string(type_name(field.value)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const Field& item : as_list(field)) {
    if (auto value = as_string(item)) {
      out.push_back(std::move(*value));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<MapReader> as_map(const Field& field) {
  if (field.value.IsNull())
    return MapReader(*field.source, YAML::Node(YAML::NodeType::Map), field.path, field.where, field.schema);
  if (!field.value.IsMap()) {
    field.error("'" + field.path + "' must be a mapping, got " + std::string(type_name(field.value)));
    return std::nullopt;
  }
  return MapReader(*field.source, field.value, field.path, field.where, field.schema);
}

MapReader::MapReader(const Source& source, YAML::Node node, std::string path, SourceLocation where,
                     std::string schema)
    : source_(&source), path_(std::move(path)), where_(std::move(where)), schema_(std::move(schema)) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    SourceLocation key_where = source.at(it->first);
    if (key_where.line == 0) key_where = where_;
    if (!it->first.IsScalar()) {
      source.diagnostics().error(key_where,
                                 "keys in '" + (path_.empty() ? "document" : path_) + "' must be strings");
      continue;
    }
    std::string name = it->first.Scalar();
    if (const Key* first = find(name)) {
      // Kubernetes rejects duplicate keys; yaml-cpp would silently keep the first.
      source.diagnostics().error(key_where, "duplicate key '" + child_path(name) + "' (first at line " +
                                                std::to_string(first->where.line) + ")");
      continue;
    }
    keys_.push_back({std::move(name), key_where, it->second, false});
  }
}

std::string MapReader::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

MapReader::Key* MapReader::find(std::string_view key) {
  for (Key& k : keys_) {
    if (k.name == key) return &k;
  }
  return nullptr;
}

const MapReader::Key* MapReader::find(std::string_view key) const {
  for (const Key& k : keys_) {
    if (k.name == key) return &k;
  }
  return nullptr;
}

std::string MapReader::child_schema(std::string_view key) const {
  // A document's root schema is "Kind:"; below it, components are joined with dots.
  if (!schema_.empty() && schema_.back() == ':') return schema_ + std::string(key);
  return schema_ + "." + std::string(key);
}

Field MapReader::field_of(const Key& key, std::string_view schema_key) const {
  return {source_, key.value, child_path(key.name), key.where, child_schema(schema_key)};
}

SourceLocation MapReader::where_of(std::string_view key) const {
  const Key* k = find(key);
  return k != nullptr ? k->where : where_;
}

bool MapReader::has(std::string_view key) const {
  const Key* k = find(key);
  return k != nullptr && !k->value.IsNull();
}

std::optional<Field> MapReader::take(std::string_view key) {
  Key* k = find(key);
  if (k == nullptr) return std::nullopt;
  k->read = true;
  source_->diagnostics().record(child_schema(key), FieldTrace::Handling::Parsed);
  if (k->value.IsNull()) return std::nullopt;
  return field_of(*k, k->name);
}

std::optional<std::string> MapReader::string(std::string_view key) {
  auto field = take(key);
  if (!field) return std::nullopt;
  return as_string(*field);
}

std::optional<std::string> MapReader::required_string(std::string_view key) {
  auto field = take(key);
  if (!field) {
    source_->diagnostics().error(where_, "'" + child_path(key) + "' is required");
    return std::nullopt;
  }
  auto value = as_string(*field);
  if (value && value->empty()) {
    field->error("'" + field->path + "' must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapReader::boolean(std::string_view key) {
  auto field = take(key);
  if (!field) return std::nullopt;
  return as_bool(*field);
}

std::optional<int64_t> MapReader::integer(std::string_view key, int64_t min, int64_t max) {
  auto field = take(key);
  if (!field) return std::nullopt;
  return as_integer(*field, min, max);
}

std::optional<MapReader> MapReader::map(std::string_view key) {
  auto field = take(key);
  if (!field) return std::nullopt;
  return as_map(*field);
}

std::vector<Field> MapReader::list(std::string_view key) {
  auto field = take(key);
  if (!field) return {};
  return as_list(*field);
}

void MapReader::accept(std::string_view key) {
  if (Key* k = find(key)) k->read = true;
}

namespace {

std::string join_quoted(const std::vector<std::pair<std::string, std::size_t>>& items) {
  std::string out;
  for (const auto& [item, count] : items) out += (out.empty() ? "'" : ", '") + item + "'";
  return out;
}

}  // namespace

void note_not_applicable(const Field& field) {
  const GlooField* row = find_gloo_field(field.schema);
  if (row == nullptr) return;
  // One line per load for each reason, however many documents carry such fields.
  std::string note(row->note);
  field.source->diagnostics().collect(
      "not applicable: " + note, Diagnostic::Severity::Info, field.where, field.path,
      [note](const auto& items, std::size_t) { return note + ": " + join_quoted(items); });
}

void MapReader::finish() {
  Diagnostics& diagnostics = source_->diagnostics();
  for (Key& k : keys_) {
    if (k.read) continue;
    k.read = true;
    const std::string schema = child_schema(k.name);
    const std::string path = child_path(k.name);
    const GlooField* row = find_gloo_field(schema);
    if (row == nullptr && k.value.IsMap() && gloo_field_has_children(schema)) {
      // A mapping the parsers do not read but whose fields the table knows (Settings'
      // spec.gateway): answer each of them.
      if (auto nested = as_map(field_of(k, k.name))) nested->finish();
      continue;
    }
    const bool answered =
        row != nullptr && (row->status == FieldStatus::Ignored || row->status == FieldStatus::NotApplicable ||
                           row->status == FieldStatus::Refused);
    diagnostics.record(schema, answered ? FieldTrace::Handling::FromTable : FieldTrace::Handling::Unknown);
    if (!answered) {
      diagnostics.warning(k.where, "unknown field '" + k.name + "'" +
                                       (path_.empty() ? std::string() : " in '" + path_ + "'"));
      continue;
    }
    if (row->status == FieldStatus::Ignored) {
      diagnostics.warning(k.where, "'" + path + "' is ignored: " + std::string(row->note));
    } else if (row->status == FieldStatus::Refused) {
      diagnostics.error(k.where, "'" + path + "' is not supported: " + std::string(row->note));
    } else {
      note_not_applicable(field_of(k, k.name));
    }
  }
}

std::vector<MapReader::Entry> MapReader::entries() {
  std::vector<Entry> out;
  if (!keys_.empty()) source_->diagnostics().record(child_schema("*"), FieldTrace::Handling::Parsed);
  for (Key& k : keys_) {
    k.read = true;
    out.push_back({k.name, field_of(k, "*")});
  }
  return out;
}

}  // namespace lambdagate::config::detail
