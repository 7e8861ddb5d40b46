#include "lambdagate/core/redact.hpp"

namespace lambdagate::core {

std::string mask_secret(std::string_view value) {
  if (value.empty()) return {};
  // Access key ids (AKIA…/ASIA…) are identifiers, not secrets; their prefix helps operators
  // tell long-term from temporary keys. Everything else is masked whole.
  if (value.size() >= 16 && (value.starts_with("AKIA") || value.starts_with("ASIA"))) {
    return std::string(value.substr(0, 4)) + "****";
  }
  return "****";
}

}  // namespace lambdagate::core
