#pragma once
// Compiles the Gateways' accessLoggingService fileSinks into what the request path formats with
// (proxy::GatewayAccessLogs). A format with an unknown or malformed command operator is a
// configuration error with the file and line of its stringFormat / jsonFormat.
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::wiring {

// One entry per plain-HTTP Gateway document, in load order; `errors` gets "file:line: message".
std::vector<proxy::GatewayAccessLogs> compile_access_logs(const config::Config& config,
                                                          std::vector<std::string>& errors);

}  // namespace lambdagate::wiring
