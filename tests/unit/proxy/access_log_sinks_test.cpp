#include <catch2/catch.hpp>

#include "lambdagate/config/loader.hpp"
#include "lambdagate/wiring/access_log_sinks.hpp"

using namespace lambdagate;

namespace {

std::string gateway(const std::string& name, int port, const std::string& access_log) {
  return "apiVersion: gateway.solo.io/v1\n"
         "kind: Gateway\n"
         "metadata: {name: " + name + ", namespace: gloo-system}\n"
         "spec:\n"
         "  bindAddress: '::'\n"
         "  bindPort: " + std::to_string(port) + "\n"
         "  httpGateway: {}\n" + access_log;
}

const std::string kTextSink =
    "  options:\n"
    "    accessLoggingService:\n"
    "      accessLog:\n"
    "      - fileSink: {path: /tmp/a.log, stringFormat: '%RESPONSE_CODE% %LAMBDAGATE_FUNCTION%'}\n";

std::shared_ptr<const config::Config> load(const std::string& yaml) {
  auto result = config::load_config_from_strings({{"gw.yaml", yaml}});
  REQUIRE(result.ok());
  return result.config;
}

}  // namespace

// Each plain Gateway gets its compiled sinks; a request is matched to its Gateway by the port it
// arrived on, and a Gateway without sinks leaves the built-in access log in charge.
TEST_CASE("fileSinks are compiled per Gateway and chosen by listener port", "[proxy][access-log]") {
  auto config = load(gateway("with-log", 8080, kTextSink) + "---\n" + gateway("without", 8081, ""));
  std::vector<std::string> errors;
  proxy::Snapshot snapshot;
  snapshot.access_logs = wiring::compile_access_logs(*config, errors);
  CHECK(errors.empty());
  REQUIRE(snapshot.access_logs.size() == 2);

  const auto* sinks = snapshot.access_log_sinks(8080);
  REQUIRE(sinks != nullptr);
  REQUIRE(sinks->size() == 1);
  CHECK(sinks->front().path == "/tmp/a.log");
  observability::AccessLogFacts facts;
  facts.response_code = 201;
  facts.function = "fn";
  std::string line;
  sinks->front().format.format(facts, line);
  CHECK(line == "201 fn");

  CHECK(snapshot.access_log_sinks(8081) == nullptr);
  // A port no Gateway binds (the --listen listener): the first Gateway's sinks.
  CHECK(snapshot.access_log_sinks(12345) == sinks);
}

// An unknown operator is an error naming the file, the line of stringFormat and the operator.
TEST_CASE("an unknown command operator is a config error with file and line", "[proxy][access-log]") {
  auto config = load(gateway("bad", 8080,
                             "  options:\n"
                             "    accessLoggingService:\n"
                             "      accessLog:\n"
                             "      - fileSink:\n"
                             "          path: /tmp/a.log\n"
                             "          jsonFormat:\n"
                             "            ok: '%RESPONSE_CODE%'\n"
                             "            bad: '%NOPE%'\n"));
  std::vector<std::string> errors;
  wiring::compile_access_logs(*config, errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.yaml:15: access log jsonFormat: unknown command operator %NOPE%");
}
