#pragma once
// FakeEnv: a process environment for tests. aws::EnvLookup is a plain function pointer, so the
// fake is a map behind a function; each test sets the variables it needs with fake_env().
#include <map>
#include <optional>
#include <string>

namespace lambdagate::testing {

inline std::map<std::string, std::string>& fake_env() {
  static std::map<std::string, std::string> env;
  return env;
}

inline std::optional<std::string> fake_lookup(const char* name) {
  const auto it = fake_env().find(name);
  if (it == fake_env().end()) return std::nullopt;
  return it->second;
}

}  // namespace lambdagate::testing
