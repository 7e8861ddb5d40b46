#include "config/yaml_reader.hpp"

#include <charconv>

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
    items.push_back({field.source, item, field.path + "[" + std::to_string(index) + "]", where});
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
    return MapReader(*field.source, YAML::Node(YAML::NodeType::Map), field.path, field.where);
  if (!field.value.IsMap()) {
    field.error("'" + field.path + "' must be a mapping, got " + std::string(type_name(field.value)));
    return std::nullopt;
  }
  return MapReader(*field.source, field.value, field.path, field.where);
}

MapReader::MapReader(const Source& source, YAML::Node node, std::string path, SourceLocation where)
    : source_(&source), path_(std::move(path)), where_(std::move(where)) {
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

Field MapReader::field_of(const Key& key) const {
  return {source_, key.value, child_path(key.name), key.where};
}

bool MapReader::has(std::string_view key) const {
  const Key* k = find(key);
  return k != nullptr && !k->value.IsNull();
}

std::optional<Field> MapReader::take(std::string_view key) {
  Key* k = find(key);
  if (k == nullptr) return std::nullopt;
  k->read = true;
  if (k->value.IsNull()) return std::nullopt;
  return field_of(*k);
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

void MapReader::not_supported(std::string_view key, std::string_view consequence) {
  Key* k = find(key);
  if (k == nullptr || k->read) return;
  k->read = true;
  source_->diagnostics().warning(
      k->where, "'" + child_path(key) + "' is not supported yet, " + std::string(consequence));
}

void MapReader::rest_not_supported(std::string_view consequence) {
  for (Key& k : keys_) {
    if (!k.read) not_supported(k.name, consequence);
  }
}

void MapReader::accept(std::string_view key) {
  if (Key* k = find(key)) k->read = true;
}

void MapReader::finish() {
  for (Key& k : keys_) {
    if (k.read) continue;
    k.read = true;
    source_->diagnostics().warning(
        k.where, "unknown field '" + k.name + "'" + (path_.empty() ? std::string() : " in '" + path_ + "'"));
  }
}

std::vector<MapReader::Entry> MapReader::entries() {
  std::vector<Entry> out;
  for (Key& k : keys_) {
    k.read = true;
    out.push_back({k.name, field_of(k)});
  }
  return out;
}

}  // namespace lambdagate::config::detail
