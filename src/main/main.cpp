// lambdagate: the thin main. Everything it calls lives in the libraries (src/app and below).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "lambdagate/app/cli.hpp"
#include "lambdagate/app/runtime.hpp"
#include "lambdagate/observability/logging.hpp"

int main(int argc, char** argv) {
  using namespace lambdagate;
  // A write to a closed pipe or socket must be an error value, not the death of the daemon: its
  // stdout may be a pipe whose reader goes away (`lambdagate ... | head`), and a client may
  // close its connection while a response is written.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = app::parse_cli(args);
  if (!parsed.options) {
    std::fprintf(stderr, "lambdagate: %s\n\n%s", parsed.error.c_str(), app::usage().c_str());
    return app::kExitInvalidConfig;
  }
  const auto& options = *parsed.options;
  if (options.show_help) {
    std::printf("%s", app::usage().c_str());
    return app::kExitOk;
  }
  if (options.show_version) {
    std::printf("lambdagate %s\n", LAMBDAGATE_VERSION);
    return app::kExitOk;
  }
  if (options.validate) return app::validate_only(options, stdout);
  if (options.command == app::Command::Discover) {
    return app::run_discover(options, stdout, observability::make_logger(options.log_level, options.log_format));
  }
  return app::run_gateway(options, observability::make_logger(options.log_level, options.log_format));
}
