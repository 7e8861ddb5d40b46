// lambdagate: the thin main. Everything it calls lives in the libraries (src/app and below).
#include <cstdio>
#include <string>
#include <vector>

#include "lambdagate/app/cli.hpp"
#include "lambdagate/app/runtime.hpp"
#include "lambdagate/observability/logging.hpp"

int main(int argc, char** argv) {
  using namespace lambdagate;
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
