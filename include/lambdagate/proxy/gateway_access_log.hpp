#pragma once
// A request's line for each of its Gateway's accessLoggingService fileSinks (they replace the
// built-in access log line for that listener, so a request is logged once either way).
#include <string>
#include <vector>

#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/logging.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::proxy {

// `entry` is what the built-in line would carry (its `time` the end of the request);
// `upstream_endpoint` the Lambda endpoint called, or null. `line` is a reused buffer.
void write_access_log_sinks(const std::vector<AccessLogSink>& sinks, const observability::AccessLogEntry& entry,
                            const http::Request& request, const http::Response& response,
                            const http::ConnectionInfo& connection, const http::Endpoint* upstream_endpoint,
                            observability::AccessLog& out, std::string& line);

}  // namespace lambdagate::proxy
