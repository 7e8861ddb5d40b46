// `lambdagate discover`: Gloo's "verify Lambda function discovery" step as a one-shot command.
// It loads the configuration, fetches each discovered Upstream's credentials the way the gateway
// does, runs one discovery round per Upstream, and prints every Upstream as YAML an operator can
// apply, with its lambdaFunctions filled in.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "lambdagate/app/runtime.hpp"
#include "lambdagate/aws/lambda_listing.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/discovery/discoverer.hpp"
#include "lambdagate/discovery/discovery_policy.hpp"
#include "lambdagate/discovery/function_lister.hpp"
#include "lambdagate/discovery/upstream_yaml.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/proxy/snapshot.hpp"
#include "lambdagate/wiring/credentials_registry.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

namespace lambdagate::app {

namespace asio = boost::asio;

namespace {

// One Upstream's round: what to print for it.
struct Listing {
  const proxy::UpstreamRuntime* upstream = nullptr;
  std::shared_ptr<discovery::DiscoveredFunctions> functions;
  discovery::RoundResult result;
};

core::Task<void> run_rounds(std::vector<Listing>& listings, http::HttpClient& http,
                            const core::Clock& clock, const discovery::DiscoveryOptions& options,
                            wiring::CredentialsRegistry& registry) {
  auto sleeper = std::make_shared<core::TimerSleeper>(clock);
  for (auto& listing : listings) {
    const auto& up = *listing.upstream;
    auto client = std::make_unique<aws::LambdaListingClient>(http, up.endpoint, up.region, up.credentials, clock);
    auto lister = std::make_shared<discovery::LambdaFunctionLister>(std::move(client));
    auto discoverer =
        std::make_shared<discovery::Discoverer>(up.key, lister, listing.functions, clock, sleeper, options);
    listing.result = co_await discoverer->run_round();
  }
  registry.stop_all();
}

}  // namespace

int run_discover(const CliOptions& options, std::FILE* out, std::shared_ptr<spdlog::logger> logger) {
  core::SystemClock clock;
  auto loaded = config::load_config(options.config_paths);
  for (const auto& d : loaded.diagnostics) {
    if (d.severity == config::Diagnostic::Severity::Error) {
      logger->error("{}", d.to_string());
    } else {
      logger->warn("{}", d.to_string());
    }
  }
  if (!loaded.ok()) return kExitInvalidConfig;

  http::TlsOptions tls;
  if (auto bundle = aws::process_env("AWS_CA_BUNDLE"); bundle && !bundle->empty()) tls.ca_bundle_file = *bundle;
  // Declared in the order they are built, so they are destroyed in reverse: the io_context last,
  // once every coroutine on it has ended.
  asio::io_context io;
  http::PooledHttpClient pool(io.get_executor(), clock, tls);
  wiring::CredentialsRegistry registry(io.get_executor(), pool, clock,
                                       std::make_shared<core::TimerSleeper>(clock));
  wiring::Environment environment;
  environment.credentials = &registry;
  environment.session_name = "lambdagate-discover";
  auto build = wiring::build_snapshot(loaded.config, environment, 1, clock.system_now());
  for (const auto& w : build.warnings) logger->warn("{}", w);
  for (const auto& e : build.errors) logger->error("{}", e);
  if (!build.snapshot) {
    // Caches of the Upstreams before the bad one may have started: end them before returning.
    registry.stop_all();
    pool.close_idle();
    io.run();
    return kExitInvalidConfig;
  }

  const config::Settings* settings = loaded.config->settings ? &*loaded.config->settings : nullptr;
  std::vector<Listing> listings;
  for (const auto& [ref, upstream] : build.snapshot->upstreams) {
    if (!discovery::is_discovered(*upstream.upstream, settings)) continue;
    listings.push_back({&upstream, std::make_shared<discovery::DiscoveredFunctions>(), {}});
  }
  auto discovery_options = discovery::discovery_options(settings);
  // The rounds stop the credential caches and close the pool's idle connections when they are
  // done; run() returns once every coroutine (the caches' refresh loops included) has ended.
  asio::co_spawn(io, run_rounds(listings, pool, clock, discovery_options, registry),
                 [&registry, &pool](std::exception_ptr) {
                   registry.stop_all();
                   pool.close_idle();
                 });
  io.run();

  // Every Upstream in the order the configuration has them.
  int status = kExitOk;
  std::vector<discovery::UpstreamFunctions> rendered;
  for (const auto& upstream : loaded.config->upstreams) {
    discovery::UpstreamFunctions item;
    item.upstream = &upstream;
    const auto key = upstream.metadata.namespace_ + "/" + upstream.metadata.name;
    auto it = std::find_if(listings.begin(), listings.end(),
                           [&](const Listing& l) { return l.upstream->upstream == &upstream; });
    if (it == listings.end()) {
      item.note = "function discovery is off for this Upstream; only its hand-written functions";
    } else if (!it->result.ok()) {
      item.note = "discovery failed: " + it->result.error + "; only its hand-written functions";
      logger->error("upstream {}: function discovery failed: {}", key, it->result.error);
      status = kExitRuntimeFailure;
    } else {
      item.catalog = it->functions->catalog();
      logger->info("upstream {}: {} function(s) discovered in {} page(s)", key, it->result.functions,
                   it->result.pages);
    }
    rendered.push_back(std::move(item));
  }
  const std::string yaml = discovery::render_upstreams_yaml(rendered);
  std::fwrite(yaml.data(), 1, yaml.size(), out);
  std::fflush(out);
  logger->flush();
  return status;
}

}  // namespace lambdagate::app
