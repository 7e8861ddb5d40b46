#pragma once
// The one redaction helper: every secret that could reach a log line or an admin answer passes
// through here first.
#include <string>
#include <string_view>

namespace lambdagate::core {

// Masks a secret value: an access key id keeps its first 4 characters ("AKIA****"), anything
// else becomes "****". Empty stays empty so "not set" remains visible.
std::string mask_secret(std::string_view value);

}  // namespace lambdagate::core
