// The ListFunctions / ListAliases response bodies (reference/aws-protocols.md §5), parsed apart
// from the client that fetches them: the discovery fuzz target (tests/fuzz/list_functions_fuzz.cpp)
// takes this file alone.
#include <nlohmann/json.hpp>

#include "lambdagate/aws/lambda_listing.hpp"

namespace lambdagate::aws {

namespace {

// A string member of a JSON object; "" when absent, null or not a string.
std::string string_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// The shared envelope of both listings: the object, its list under `list_key`, and NextMarker.
// Calls `read_item` for each element; returns an error message or "".
template <class T, class ReadItem>
ParsedPage<T> parse_listing(std::string_view json, const char* operation, const char* list_key,
                            ReadItem read_item) {
  const auto body = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  const std::string prefix = std::string(operation) + " response ";
  if (body.is_discarded()) return ListParseError{prefix + "is not valid JSON"};
  if (!body.is_object()) return ListParseError{prefix + "is not a JSON object"};
  const auto list = body.find(list_key);
  // A missing list is not "no functions": publishing it would empty the catalog.
  if (list == body.end() || !list->is_array()) {
    return ListParseError{prefix + "has no '" + list_key + "' list"};
  }
  ListPage<T> page;
  page.items.reserve(list->size());
  std::size_t index = 0;
  for (const auto& item : *list) {
    if (!item.is_object()) {
      return ListParseError{prefix + "entry #" + std::to_string(index + 1) + " is not an object"};
    }
    std::string problem;
    T value = read_item(item, problem);
    if (!problem.empty()) {
      return ListParseError{prefix + "entry #" + std::to_string(index + 1) + " " + problem};
    }
    page.items.push_back(std::move(value));
    ++index;
  }
  const auto marker = body.find("NextMarker");
  if (marker != body.end() && !marker->is_null()) {
    if (!marker->is_string()) return ListParseError{prefix + "has a NextMarker that is not a string"};
    page.next_marker = marker->get<std::string>();
  }
  return page;
}

}  // namespace

ParsedPage<FunctionVersionInfo> parse_list_functions(std::string_view json) {
  return parse_listing<FunctionVersionInfo>(json, "ListFunctions", "Functions",
                                            [](const nlohmann::json& item, std::string& problem) {
                                              FunctionVersionInfo info;
                                              info.function_name = string_member(item, "FunctionName");
                                              info.version = string_member(item, "Version");
                                              info.function_arn = string_member(item, "FunctionArn");
                                              if (info.function_name.empty()) problem = "has no FunctionName";
                                              if (info.version.empty()) info.version = "$LATEST";
                                              return info;
                                            });
}

ParsedPage<AliasInfo> parse_list_aliases(std::string_view json) {
  return parse_listing<AliasInfo>(json, "ListAliases", "Aliases",
                                  [](const nlohmann::json& item, std::string& problem) {
                                    AliasInfo info;
                                    info.name = string_member(item, "Name");
                                    info.function_version = string_member(item, "FunctionVersion");
                                    info.alias_arn = string_member(item, "AliasArn");
                                    if (info.name.empty()) problem = "has no Name";
                                    return info;
                                  });
}

}  // namespace lambdagate::aws
