#pragma once
// Runtime: the daemon's entry points (DESIGN.md §1, §7). run_gateway loads the configuration,
// publishes the snapshot, binds one listener per worker (SO_REUSEPORT) plus the admin listener,
// runs N worker threads each with its own io_context and connection pool, and handles signals:
// SIGTERM/SIGINT run the shutdown sequence (app/shutdown.hpp; drain bounded by --drain-timeout),
// SIGHUP reloads, as does a change to a --config file or directory (ConfigWatcher). A reload
// publishes a new snapshot or, if the configuration is invalid, logs every error and keeps the
// old one; both outcomes are counted (admin::RuntimeStatus).
#include <memory>

#include <spdlog/logger.h>

#include "lambdagate/app/cli.hpp"

namespace lambdagate::app {

// Exit codes of DESIGN.md §1.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalidConfig = 1;
inline constexpr int kExitRuntimeFailure = 2;

// --validate: prints every problem as FILE:LINE: message to `out`; returns the exit code.
int validate_only(const CliOptions& options, std::FILE* out);

// `lambdagate discover`: one discovery round per discovered Upstream, then every Upstream as YAML
// (like `kubectl get us -oyaml` in Gloo's guide) to `out`; problems go to the logger. Returns 0,
// 1 for an invalid configuration, 2 when a listing failed.
int run_discover(const CliOptions& options, std::FILE* out, std::shared_ptr<spdlog::logger> logger);

// Runs the gateway until a shutdown signal; returns the exit code.
int run_gateway(const CliOptions& options, std::shared_ptr<spdlog::logger> logger);

}  // namespace lambdagate::app
