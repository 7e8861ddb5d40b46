// libFuzzer target for the discovery listing parsers (src/aws/lambda_listing.cpp): the JSON
// pages of ListFunctions(FunctionVersion=ALL) and ListAliases, as Lambda (or whatever answers at
// its endpoint) sends them.
//
// Input: [mode][json]. mode bit 0: ListAliases instead of ListFunctions.
//
// Checked, beyond "no crash, no sanitizer report":
// - a page's entries have their required names (FunctionName, or an alias Name) and a version;
// - a page written back as JSON parses to the same page (nothing is invented or lost);
// - an error is a short fixed text naming the operation, never the body's bytes.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/aws/lambda_listing.hpp"

namespace aws = lambdagate::aws;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const aws::ListParseError& error, std::string_view operation) {
  check(error.message.starts_with(operation) && error.message.size() <= 96);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 0x01u) {
    const auto parsed = aws::parse_list_aliases(json);
    if (const auto* error = std::get_if<aws::ListParseError>(&parsed)) {
      check_error(*error, "ListAliases");
      return 0;
    }
    const auto& page = std::get<aws::ListPage<aws::AliasInfo>>(parsed);
    nlohmann::json out = {{"Aliases", nlohmann::json::array()}, {"NextMarker", page.next_marker}};
    for (const auto& alias : page.items) {
      check(!alias.name.empty());
      out["Aliases"].push_back(
          {{"Name", alias.name}, {"FunctionVersion", alias.function_version}, {"AliasArn", alias.alias_arn}});
    }
    // Strings that are not UTF-8 cannot be written back: nlohmann refuses them (the parser did too).
    const auto again = aws::parse_list_aliases(out.dump());
    const auto& page2 = std::get<aws::ListPage<aws::AliasInfo>>(again);
    check(page2.items == page.items && page2.next_marker == page.next_marker);
    return 0;
  }
  const auto parsed = aws::parse_list_functions(json);
  if (const auto* error = std::get_if<aws::ListParseError>(&parsed)) {
    check_error(*error, "ListFunctions");
    return 0;
  }
  const auto& page = std::get<aws::ListPage<aws::FunctionVersionInfo>>(parsed);
  nlohmann::json out = {{"Functions", nlohmann::json::array()}, {"NextMarker", page.next_marker}};
  for (const auto& function : page.items) {
    check(!function.function_name.empty() && !function.version.empty());
    out["Functions"].push_back({{"FunctionName", function.function_name},
                                {"Version", function.version},
                                {"FunctionArn", function.function_arn}});
  }
  const auto again = aws::parse_list_functions(out.dump());
  const auto& page2 = std::get<aws::ListPage<aws::FunctionVersionInfo>>(again);
  check(page2.items == page.items && page2.next_marker == page.next_marker);
  return 0;
}
