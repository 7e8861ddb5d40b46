// The entry points of the daemon (see runtime.hpp). run_gateway is a few named steps; the
// objects and the steps themselves are GatewayProcess's (gateway_process.hpp).
#include "lambdagate/app/runtime.hpp"

#include <cstdio>

#include "gateway_process.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

namespace lambdagate::app {

int validate_only(const CliOptions& options, std::FILE* out) {
  core::SystemClock clock;
  // No registries: static keys are used as they are, nothing is fetched or discovered.
  wiring::Environment environment;
  environment.ssl_files_optional = true;
  const auto loaded = wiring::load_snapshot(options.config_paths, 1, clock.system_now(), environment);
  for (const auto& line : loaded.errors) std::fprintf(out, "%s\n", line.c_str());
  for (const auto& line : loaded.report) std::fprintf(out, "%s\n", line.c_str());
  if (!loaded.snapshot) {
    std::fprintf(out, "configuration is invalid: %zu error(s)\n", loaded.errors.size());
    return kExitInvalidConfig;
  }
  std::fprintf(out, "configuration is valid: %zu upstream(s), %zu virtual service(s), %zu route(s)\n",
               loaded.snapshot->upstreams.size(), loaded.snapshot->config->virtual_services.size(),
               loaded.snapshot->routes->route_count());
  return kExitOk;
}

int run_gateway(const CliOptions& options, std::shared_ptr<spdlog::logger> logger) {
  GatewayProcess process(options, std::move(logger));
  if (auto failed = process.load_configuration()) return *failed;
  if (auto failed = process.bind_listeners()) return *failed;
  process.start_serving();
  process.serve_until_shutdown();
  return process.stop();
}

}  // namespace lambdagate::app
