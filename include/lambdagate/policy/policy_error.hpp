#pragma once
// PolicyError: a request policy that cannot be compiled from its config (a CORS policy without
// origins, a bad RE2 pattern, a key that does not parse, an impossible bucket). Thrown only
// while a snapshot is built, never on the request path; the message starts with the policy's
// file:line when known.
#include <stdexcept>
#include <string>

#include "lambdagate/config/model.hpp"

namespace lambdagate::policy {

class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line: " for messages, or "" when the location is unknown.
inline std::string where_prefix(const config::SourceLocation& where) {
  if (where.file.empty()) return {};
  return where.file + ":" + std::to_string(where.line) + ": ";
}

}  // namespace lambdagate::policy
