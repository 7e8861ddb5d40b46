// What a listener enforces from its Gateway (app/listener_settings.hpp): the safe defaults
// without a Gateway, each httpConnectionManagerSettings field mapped onto the session limits, and
// the connection cap from maxConnections or the descriptor limit.
#include "lambdagate/app/listener_settings.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace lambdagate;
using namespace std::chrono_literals;
using Hcm = config::HttpConnectionManagerSettings;

}  // namespace

// Without a Gateway (or without settings) the defaults of issue 12 apply: a header timeout of at
// most 10 s, normalised and merged paths.
TEST_CASE("listener settings: safe defaults", "[app][listener]") {
  const http::ServerLimits limits = app::listener_limits(nullptr);
  CHECK(limits.header_timeout <= 10s);
  CHECK(limits.paths.normalize);
  CHECK(limits.paths.merge_slashes);
  CHECK(limits.paths.escaped_slashes == http::EscapedSlashes::Keep);
  config::Gateway bare;
  CHECK(app::listener_limits(&bare).header_timeout == limits.header_timeout);
}

// Every honoured field lands in its limit; a zero timeout keeps the default (no unbounded wait).
TEST_CASE("listener settings: httpConnectionManagerSettings", "[app][listener]") {
  config::Gateway gateway;
  Hcm& hcm = gateway.http_connection_manager_settings.emplace();
  hcm.request_headers_timeout = 2s;
  hcm.idle_timeout = 30s;
  hcm.request_timeout = 1500ms;
  hcm.stream_idle_timeout = 0ms;
  hcm.max_request_headers_kb = 16;
  hcm.max_headers_count = 20;
  hcm.max_requests_per_connection = 100;
  hcm.headers_with_underscores_action = Hcm::HeadersWithUnderscoresAction::RejectClientRequest;
  hcm.merge_slashes = false;
  hcm.normalize_path = true;
  hcm.path_with_escaped_slashes_action = Hcm::PathWithEscapedSlashesAction::UnescapeAndRedirect;
  const http::ServerLimits limits = app::listener_limits(&gateway);
  CHECK(limits.header_timeout == 1500ms);  // capped by requestTimeout
  CHECK(limits.idle_timeout == 30s);
  CHECK(limits.body_timeout == 1500ms);
  CHECK(limits.write_timeout == http::ServerLimits{}.write_timeout);
  CHECK(limits.max_header_bytes == 16 * 1024);
  CHECK(limits.headers.max_headers_count == 20);
  CHECK(limits.max_requests_per_connection == 100);
  CHECK(limits.headers.underscores == http::UnderscoreHeaders::Reject);
  CHECK_FALSE(limits.paths.merge_slashes);
  CHECK(limits.paths.normalize);
  CHECK(limits.paths.escaped_slashes == http::EscapedSlashes::UnescapeAndRedirect);
}

// maxConnections wins; otherwise half of what the descriptor limit leaves after a reserve.
TEST_CASE("listener settings: the connection cap", "[app][listener]") {
  CHECK(app::connection_cap(std::nullopt, 256) == 96);
  CHECK(app::connection_cap(std::nullopt, 1'048'576) == 524'256);
  CHECK(app::connection_cap(std::nullopt, 10) == 1);
  config::Settings settings;
  settings.listener.max_connections = 50;
  CHECK(app::connection_cap(settings, 256) == 50);
}

// The budget is shared: over the cap it refuses, warns on the first refusal, and frees a slot
// when a connection ends.
TEST_CASE("listener settings: the connection budget", "[app][listener]") {
  std::vector<std::string> warnings;
  http::ConnectionBudget budget(2, [&](std::string_view m) { warnings.emplace_back(m); });
  CHECK(budget.try_acquire());
  CHECK(budget.try_acquire());
  CHECK_FALSE(budget.try_acquire());
  CHECK_FALSE(budget.try_acquire());
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains("connection limit of 2"));
  budget.release();
  CHECK(budget.try_acquire());
  CHECK(budget.refused() == 2);
}
