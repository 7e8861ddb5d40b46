#include "lambdagate/app/cli.hpp"

#include <charconv>

namespace lambdagate::app {

std::string HostPort::to_string() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    hp.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (hp.host.empty() || port_text.empty()) return std::nullopt;
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || p != port_text.data() + port_text.size() || value > 65535) return std::nullopt;
  hp.port = static_cast<unsigned short>(value);
  return hp;
}

std::string usage() {
  return R"(lambdagate: an API gateway for AWS Lambda that reads Gloo's VirtualService/Upstream YAML

usage:
  lambdagate --config PATH [--config PATH ...] [options]
  lambdagate discover --config PATH [--config PATH ...]
                           one-shot function discovery: list each discovered Upstream's functions
                           (ListFunctions, signed with its credentials) and print every Upstream
                           as YAML with its lambdaFunctions filled in; exit 0, or 2 if a listing
                           failed (that Upstream is printed with its hand-written functions)

options:
  --config PATH            YAML file or directory (all *.yaml|*.yml in it); repeatable; required
  --listen HOST:PORT       plain-HTTP listener: the first plain Gateway's address (default 0.0.0.0:8080)
  --admin HOST:PORT|off    admin listener: /healthz, /readyz (default 127.0.0.1:19000)
  --threads N              worker threads (default: number of cores)
  --drain-timeout SECONDS  on SIGTERM/SIGINT, how long in-flight requests may take (default 20)
  --shutdown-delay SECONDS on SIGTERM/SIGINT, keep serving this long after /readyz turns 503,
                           before the listeners close (default 0)
  --log-level LEVEL        trace|debug|info|warn|error (default info)
  --log-format FORMAT      text|json (default text)
  --access-log on|off      the built-in access log on stdout (default on); a Gateway's
                           accessLoggingService fileSink replaces it for that Gateway either way
  --validate               check the configuration, print every problem as FILE:LINE: message,
                           exit 0 if valid, 1 if not; binds nothing, calls no AWS API
  --version                print the version and exit
  --help                   print this help and exit

exit codes: 0 clean shutdown, 1 invalid configuration or arguments, 2 runtime failure
signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the configuration (as does a change
to any --config file or directory)
)";
}

CliParse parse_cli(const std::vector<std::string>& args) {
  CliOptions options;
  auto fail = [](std::string message) { return CliParse{std::nullopt, std::move(message)}; };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.starts_with("--")) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (arg == "--help" || arg == "-h") {
      options.show_help = true;
    } else if (arg == "--version") {
      options.show_version = true;
    } else if (arg == "--validate") {
      options.validate = true;
    } else if (arg == "--config" || arg == "-c") {
      auto v = value();
      if (!v || v->empty()) return fail("--config needs a path");
      options.config_paths.push_back(*v);
    } else if (arg == "--listen") {
      auto v = value();
      auto hp = v ? parse_host_port(*v) : std::nullopt;
      if (!hp) return fail("--listen needs HOST:PORT, got '" + v.value_or("") + "'");
      options.listen = hp;
    } else if (arg == "--admin") {
      auto v = value();
      if (v && *v == "off") {
        options.admin.reset();
      } else {
        auto hp = v ? parse_host_port(*v) : std::nullopt;
        if (!hp) return fail("--admin needs HOST:PORT or off, got '" + v.value_or("") + "'");
        options.admin = hp;
      }
    } else if (arg == "--threads") {
      auto v = value();
      unsigned n = 0;
      if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ec != std::errc{} || n == 0 || n > 256) {
        return fail("--threads needs a number from 1 to 256, got '" + v.value_or("") + "'");
      }
      options.threads = n;
    } else if (arg == "--drain-timeout") {
      auto v = value();
      unsigned n = 0;
      const char* end = v ? v->data() + v->size() : nullptr;
      auto parsed = v ? std::from_chars(v->data(), end, n) : std::from_chars_result{};
      if (!v || v->empty() || parsed.ec != std::errc{} || parsed.ptr != end || n > 3600) {
        return fail("--drain-timeout needs a number of seconds from 0 to 3600, got '" + v.value_or("") + "'");
      }
      options.drain_timeout = std::chrono::seconds(n);
    } else if (arg == "--shutdown-delay") {
      auto v = value();
      unsigned n = 0;
      const char* end = v ? v->data() + v->size() : nullptr;
      auto parsed = v ? std::from_chars(v->data(), end, n) : std::from_chars_result{};
      if (!v || v->empty() || parsed.ec != std::errc{} || parsed.ptr != end || n > 3600) {
        return fail("--shutdown-delay needs a number of seconds from 0 to 3600, got '" + v.value_or("") + "'");
      }
      options.shutdown_delay = std::chrono::seconds(n);
    } else if (arg == "--log-level") {
      auto v = value();
      auto level = v ? observability::parse_log_level(*v) : std::nullopt;
      if (!level) return fail("--log-level needs trace|debug|info|warn|error, got '" + v.value_or("") + "'");
      options.log_level = *level;
    } else if (arg == "--log-format") {
      auto v = value();
      auto format = v ? observability::parse_log_format(*v) : std::nullopt;
      if (!format) return fail("--log-format needs text|json, got '" + v.value_or("") + "'");
      options.log_format = *format;
    } else if (arg == "--access-log") {
      auto v = value();
      if (!v || (*v != "on" && *v != "off")) return fail("--access-log needs on|off, got '" + v.value_or("") + "'");
      options.access_log = *v == "on";
    } else if (arg == "discover" && i == 0) {
      options.command = Command::Discover;
    } else {
      return fail("unknown argument '" + args[i] + "'");
    }
  }
  if (options.command == Command::Discover && options.validate) {
    return fail("discover and --validate do not go together");
  }
  if (!options.show_help && !options.show_version && options.config_paths.empty()) {
    return fail("--config is required");
  }
  return CliParse{options, {}};
}

}  // namespace lambdagate::app
