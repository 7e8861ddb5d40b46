// What a listener enforces, from its Gateway document (see listener_settings.hpp).
#include "lambdagate/app/listener_settings.hpp"

#include <algorithm>

namespace lambdagate::app {

namespace {

using Hcm = config::HttpConnectionManagerSettings;

void set_timeout(std::chrono::milliseconds& target, const std::optional<std::chrono::milliseconds>& value) {
  if (value && value->count() > 0) target = *value;
}

http::EscapedSlashes escaped_slashes(Hcm::PathWithEscapedSlashesAction action) {
  switch (action) {
    case Hcm::PathWithEscapedSlashesAction::RejectRequest:
      return http::EscapedSlashes::Reject;
    case Hcm::PathWithEscapedSlashesAction::UnescapeAndForward:
      return http::EscapedSlashes::UnescapeAndForward;
    case Hcm::PathWithEscapedSlashesAction::UnescapeAndRedirect:
      return http::EscapedSlashes::UnescapeAndRedirect;
    case Hcm::PathWithEscapedSlashesAction::ImplementationSpecificDefault:
    case Hcm::PathWithEscapedSlashesAction::KeepUnchanged:
      break;
  }
  return http::EscapedSlashes::Keep;
}

http::UnderscoreHeaders underscores(Hcm::HeadersWithUnderscoresAction action) {
  switch (action) {
    case Hcm::HeadersWithUnderscoresAction::RejectClientRequest:
      return http::UnderscoreHeaders::Reject;
    case Hcm::HeadersWithUnderscoresAction::DropHeader:
      return http::UnderscoreHeaders::Drop;
    case Hcm::HeadersWithUnderscoresAction::Allow:
      break;
  }
  return http::UnderscoreHeaders::Allow;
}

}  // namespace

http::ServerLimits listener_limits(const config::Gateway* gateway) {
  http::ServerLimits limits;
  if (gateway && gateway->health_check) limits.health_check_path = gateway->health_check->path;
  if (gateway && gateway->proxy_protocol) {
    limits.proxy_protocol = true;
    limits.allow_without_proxy_protocol = gateway->proxy_protocol->allow_requests_without_proxy_protocol;
  }
  if (!gateway || !gateway->http_connection_manager_settings) return limits;
  const Hcm& hcm = *gateway->http_connection_manager_settings;
  set_timeout(limits.header_timeout, hcm.request_headers_timeout);
  set_timeout(limits.idle_timeout, hcm.idle_timeout);
  set_timeout(limits.body_timeout, hcm.request_timeout);
  if (hcm.request_timeout && hcm.request_timeout->count() > 0)
    limits.header_timeout = std::min(limits.header_timeout, *hcm.request_timeout);
  set_timeout(limits.write_timeout, hcm.stream_idle_timeout);
  if (hcm.max_request_headers_kb) limits.max_header_bytes = *hcm.max_request_headers_kb * 1024;
  if (hcm.max_headers_count) limits.headers.max_headers_count = *hcm.max_headers_count;
  if (hcm.max_requests_per_connection) limits.max_requests_per_connection = *hcm.max_requests_per_connection;
  if (hcm.max_connection_duration) limits.max_connection_duration = *hcm.max_connection_duration;
  if (hcm.headers_with_underscores_action)
    limits.headers.underscores = underscores(*hcm.headers_with_underscores_action);
  if (hcm.normalize_path) limits.paths.normalize = *hcm.normalize_path;
  if (hcm.merge_slashes) limits.paths.merge_slashes = *hcm.merge_slashes;
  if (hcm.use_remote_address) limits.client_address.use_remote_address = *hcm.use_remote_address;
  if (hcm.xff_num_trusted_hops) limits.client_address.xff_num_trusted_hops = *hcm.xff_num_trusted_hops;
  if (hcm.skip_xff_append) limits.client_address.skip_xff_append = *hcm.skip_xff_append;
  if (hcm.path_with_escaped_slashes_action)
    limits.paths.escaped_slashes = escaped_slashes(*hcm.path_with_escaped_slashes_action);
  return limits;
}

std::size_t connection_cap(const std::optional<config::Settings>& settings, std::uint64_t descriptor_limit) {
  if (settings && settings->listener.max_connections) return *settings->listener.max_connections;
  return http::connection_cap_for_descriptors(descriptor_limit);
}

std::uint64_t bytes_in_flight_cap(const std::optional<config::Settings>& settings) {
  if (settings && settings->listener.max_bytes_in_flight) return *settings->listener.max_bytes_in_flight;
  return kDefaultBytesInFlight;
}

}  // namespace lambdagate::app
