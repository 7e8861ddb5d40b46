#include <catch2/catch.hpp>

#include "lambdagate/app/cli.hpp"

using namespace lambdagate;

// Every flag of DESIGN.md §1 parses, in both "--flag value" and "--flag=value" forms.
TEST_CASE("parse_cli accepts the documented flags", "[app]") {
  auto parsed = app::parse_cli({"--config", "a.yaml", "--config=dir", "--listen", "127.0.0.1:9000", "--admin=off",
                                "--threads", "3", "--log-level", "debug", "--log-format", "json",
                                "--drain-timeout", "5", "--shutdown-delay", "7", "--access-log", "off"});
  REQUIRE(parsed.options);
  const auto& o = *parsed.options;
  CHECK(o.config_paths == std::vector<std::string>{"a.yaml", "dir"});
  REQUIRE(o.listen);
  CHECK(o.listen->host == "127.0.0.1");
  CHECK(o.listen->port == 9000);
  CHECK_FALSE(o.admin);
  CHECK(o.threads == 3);
  CHECK(o.log_level == spdlog::level::debug);
  CHECK(o.log_format == observability::LogFormat::Json);
  CHECK(o.drain_timeout == std::chrono::seconds(5));
  CHECK(o.shutdown_delay == std::chrono::seconds(7));
  CHECK_FALSE(o.access_log);
  CHECK(app::parse_cli({"--config", "c", "--drain-timeout=0"}).options->drain_timeout == std::chrono::seconds(0));
}

// Defaults: admin on 127.0.0.1:19000, text logs at info, listener left to Gateway documents.
TEST_CASE("parse_cli defaults", "[app]") {
  auto parsed = app::parse_cli({"--config", "c"});
  REQUIRE(parsed.options);
  CHECK_FALSE(parsed.options->listen);
  REQUIRE(parsed.options->admin);
  CHECK(parsed.options->admin->to_string() == "127.0.0.1:19000");
  CHECK(parsed.options->log_level == spdlog::level::info);
  CHECK(parsed.options->drain_timeout == std::chrono::seconds(20));
  CHECK(parsed.options->shutdown_delay == std::chrono::seconds(0));
  CHECK(parsed.options->access_log);
}

// Bad arguments are errors with a message, never a crash.
TEST_CASE("parse_cli rejects bad arguments", "[app]") {
  const std::vector<std::vector<std::string>> bad = {
      {},                                      // --config missing
      {"--config"},                            // no value
      {"--config", "c", "--listen", "nope"},   // no port
      {"--config", "c", "--listen", "h:99999"},
      {"--config", "c", "--threads", "0"},
      {"--config", "c", "--log-level", "loud"},
      {"--config", "c", "--log-format", "xml"},
      {"--config", "c", "--bogus"},
      {"--config", "c", "--drain-timeout"},
      {"--config", "c", "--drain-timeout", "-1"},
      {"--config", "c", "--drain-timeout", "5s"},
      {"--config", "c", "--drain-timeout", "3601"},
      {"--config", "c", "--shutdown-delay", "-1"},
      {"--config", "c", "--shutdown-delay", "5s"},
      {"--config", "c", "--access-log", "no"},
  };
  for (const auto& args : bad) {
    auto parsed = app::parse_cli(args);
    CHECK_FALSE(parsed.options);
    CHECK_FALSE(parsed.error.empty());
  }
  CHECK(app::parse_cli({"--help"}).options->show_help);
  CHECK(app::parse_cli({"--version"}).options->show_version);
}

// IPv6 literals need brackets; host names are kept for resolution at start-up.
TEST_CASE("parse_host_port", "[app]") {
  CHECK(app::parse_host_port("[::1]:8080")->host == "::1");
  CHECK(app::parse_host_port("localhost:80")->host == "localhost");
  CHECK(app::parse_host_port("0.0.0.0:0")->port == 0);
  CHECK_FALSE(app::parse_host_port(":80"));
  CHECK_FALSE(app::parse_host_port("[::1]8080"));
  CHECK_FALSE(app::parse_host_port("host:"));
}
