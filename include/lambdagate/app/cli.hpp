#pragma once
// The command line of DESIGN.md §1, parsed into plain values (pure; tested without a process).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

#include "lambdagate/observability/logging.hpp"

namespace lambdagate::app {

struct HostPort {
  std::string host;
  unsigned short port = 0;
  std::string to_string() const;
};

// "0.0.0.0:8080", "[::1]:8080", "localhost:8080"; nullopt when malformed.
std::optional<HostPort> parse_host_port(std::string_view text);

// `lambdagate ...` runs the gateway; `lambdagate discover ...` lists functions once and exits.
enum class Command { Run, Discover };

struct CliOptions {
  Command command = Command::Run;
  std::vector<std::string> config_paths;
  std::optional<HostPort> listen;  // unset: Gateway documents, else 0.0.0.0:8080
  std::optional<HostPort> admin = HostPort{"127.0.0.1", 19000};  // nullopt: --admin off
  unsigned threads = 0;  // 0: number of cores
  // SIGTERM/SIGINT: how long in-flight requests may take before the process exits anyway. Keep it
  // below Kubernetes' terminationGracePeriodSeconds (30 s by default).
  std::chrono::seconds drain_timeout{20};
  // SIGTERM/SIGINT: how long the listeners keep accepting and serving after /readyz turned 503,
  // so a load balancer sees the pod unready and stops sending before connections are refused.
  std::chrono::seconds shutdown_delay{0};
  spdlog::level::level_enum log_level = spdlog::level::info;
  observability::LogFormat log_format = observability::LogFormat::Text;
  bool access_log = true;  // --access-log off: no built-in access log line (Gateway fileSinks still write)
  bool validate = false;
  bool show_version = false;
  bool show_help = false;
};

struct CliParse {
  std::optional<CliOptions> options;
  std::string error;  // set when options is empty
};

CliParse parse_cli(const std::vector<std::string>& args);  // args without argv[0]
std::string usage();

}  // namespace lambdagate::app
