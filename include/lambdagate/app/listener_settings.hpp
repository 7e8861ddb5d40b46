#pragma once
// What a listener enforces, from its Gateway document (issue 12): the session limits from
// httpGateway.options.httpConnectionManagerSettings over lambdagate's safe defaults, and the
// process-wide connection cap. Pure: the runtime calls these once, when it binds the listeners
// (a reload does not rebind them, so these settings apply from the next start).
#include <cstdint>
#include <optional>

#include "lambdagate/config/model.hpp"
#include "lambdagate/http/server.hpp"

namespace lambdagate::app {

// The session limits of a listener for `gateway` (null: no Gateway document, the defaults).
// Mapped: requestHeadersTimeout → header timeout; idleTimeout → keep-alive idle timeout;
// requestTimeout → body timeout (and caps the header timeout); streamIdleTimeout → write
// timeout; maxRequestHeadersKb; maxHeadersCount; maxRequestsPerConnection;
// headersWithUnderscoresAction; normalizePath; mergeSlashes; pathWithEscapedSlashesAction.
// A zero timeout means "disabled" in Envoy; here it keeps the default, since no timeout at all
// would let one client hold a connection forever.
http::ServerLimits listener_limits(const config::Gateway* gateway);

// The process-wide connection cap: spec.lambdagate.listener.maxConnections when written, else
// derived from the descriptor limit (http::connection_cap_for_descriptors).
std::size_t connection_cap(const std::optional<config::Settings>& settings, std::uint64_t descriptor_limit);

// The cap on request bytes buffered at once over the process: Settings
// spec.lambdagate.listener.maxBytesInFlight, else kDefaultBytesInFlight (256 MiB: some forty
// requests at Lambda's 6 MiB limit, far below a pod's memory).
inline constexpr std::uint64_t kDefaultBytesInFlight = 256ull * 1024 * 1024;
std::uint64_t bytes_in_flight_cap(const std::optional<config::Settings>& settings);

}  // namespace lambdagate::app
