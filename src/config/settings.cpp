// gloo.solo.io/v1 Settings: the spec.gloo.awsOptions switches lambdagate implements so far, and
// function discovery (spec.discovery.fdsMode plus the extension spec.lambdagate.discovery).
// A real Gloo Settings document carries much more (control-plane addresses, rate limits, ...);
// each of those fields gets a "not supported" warning.
#include <charconv>
#include <cmath>
#include <limits>

#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

// Below this, polling would be Gloo's once-a-second ListFunctions storm again.
constexpr std::chrono::milliseconds kMinPollInterval{1000};
// Lambda's control-plane APIs allow about 15 calls per second per account, shared with every
// other client of the account; more than this would only buy throttling.
constexpr double kMaxAliasCallsPerSecond = 100;

void parse_fds_mode(MapReader& discovery, DiscoverySettings& out) {
  auto field = discovery.take("fdsMode");
  if (!field) return;
  auto text = as_string(*field);
  if (!text) return;
  using FdsMode = DiscoverySettings::FdsMode;
  // Protobuf enum names, upper-case as Gloo's YAML writes them.
  if (*text == "BLACKLIST") {
    out.fds_mode = FdsMode::Blacklist;
  } else if (*text == "WHITELIST") {
    out.fds_mode = FdsMode::Whitelist;
  } else if (*text == "DISABLED") {
    out.fds_mode = FdsMode::Disabled;
  } else {
    field->error("'" + field->path + "' must be BLACKLIST, WHITELIST or DISABLED, got " + quote_value(*text));
    return;
  }
  out.fds_mode_set = true;
}

// A positive decimal number (no YAML 1.1 hex or infinity spellings).
std::optional<double> positive_number(const Field& field, double max) {
  const std::string range = "a number greater than 0 and at most " + std::to_string(static_cast<int>(max));
  if (!field.value.IsScalar()) {
    field.error("'" + field.path + "' must be " + range);
    return std::nullopt;
  }
  const std::string& text = field.value.Scalar();
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0 || value > max) {
    field.error("'" + field.path + "' must be " + range + ", got " + quote_value(text));
    return std::nullopt;
  }
  return value;
}

// spec.lambdagate.discovery: how often and how far discovery looks.
void parse_discovery_extension(MapReader& ext, DiscoverySettings& out) {
  auto discovery = ext.map("discovery");
  if (!discovery) return;
  if (auto field = discovery->take("pollInterval")) {
    if (auto interval = duration_of(*field)) {
      if (*interval < kMinPollInterval) {
        field->error("'" + field->path + "' must be at least 1s");
      } else {
        out.poll_interval = *interval;
      }
    }
  }
  if (auto aliases = discovery->boolean("aliases")) out.aliases = *aliases;
  if (auto field = discovery->take("aliasCallsPerSecond")) {
    if (auto rate = positive_number(*field, kMaxAliasCallsPerSecond)) out.alias_calls_per_second = *rate;
  }
  discovery->finish();
}

// A byte count: an integer, or a Kubernetes quantity ("64Mi", "512Ki", "1G").
std::optional<uint64_t> byte_size(const Field& field) {
  struct Suffix {
    std::string_view text;
    uint64_t factor;
  };
  constexpr Suffix kSuffixes[] = {
      {"Ki", 1ull << 10}, {"Mi", 1ull << 20}, {"Gi", 1ull << 30},     {"Ti", 1ull << 40},
      {"k", 1000ull},     {"M", 1000'000ull}, {"G", 1000'000'000ull}, {"T", 1000'000'000'000ull}};
  auto text = as_string(field);
  if (!text) return std::nullopt;
  std::string_view digits = *text;
  uint64_t factor = 1;
  for (const Suffix& suffix : kSuffixes) {
    if (digits.ends_with(suffix.text)) {
      digits.remove_suffix(suffix.text.size());
      factor = suffix.factor;
      break;
    }
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || value == 0 ||
      value > std::numeric_limits<uint64_t>::max() / factor) {
    field.error("'" + field.path +
                "' must be a positive number of bytes, or a quantity such as 64Mi or 1G, got " +
                quote_value(*text));
    return std::nullopt;
  }
  return value * factor;
}

// spec.lambdagate.listener: the hardening caps, for every listener of the process.
void parse_listener_limits(MapReader& ext, ListenerLimits& out) {
  auto listener = ext.map("listener");
  if (!listener) return;
  out.where = listener->where();
  if (auto field = listener->take("maxConnections")) out.max_connections = parse_positive_count(*field);
  if (auto field = listener->take("maxBytesInFlight")) out.max_bytes_in_flight = byte_size(*field);
  listener->finish();  // both are enforced (app/listener_settings.cpp, app/gateway_process.cpp)
}

}  // namespace

void parse_settings(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  Settings settings;
  settings.metadata = header.metadata;
  settings.where = header.where;

  if (auto spec = doc.map("spec")) {
    if (auto gloo = spec->map("gloo")) {
      if (auto aws = gloo->map("awsOptions")) {
        settings.fallback_to_first_function = aws->boolean("fallbackToFirstFunction").value_or(false);
        settings.propagate_original_routing = aws->boolean("propagateOriginalRouting").value_or(false);
        if (auto sac = aws->map("serviceAccountCredentials")) {
          ServiceAccountCredentials out;
          out.uri = sac->string("uri").value_or("");
          out.region = sac->string("region").value_or("");
          if (auto field = sac->take("timeout")) out.timeout = duration_of(*field);
          if (out.timeout && out.timeout->count() == 0) {
            diagnostics.error(sac->where(), "'" + sac->child_path("timeout") + "' must be greater than zero");
          }
          // Gloo names an Envoy cluster for STS; lambdagate connects to `uri` itself.
          sac->string("cluster");
          sac->finish();
          settings.service_account_credentials = std::move(out);
        }
        const bool discovey =
            aws->boolean("enableCredentialsDiscovey").value_or(false);  // sic: Gloo's spelling
        const bool discovery = aws->boolean("enableCredentialsDiscovery").value_or(false);
        settings.enable_credentials_discovery = discovey || discovery;
        aws->finish();  // credentialRefreshDelay: answered from the table
      }
      if (auto policy = gloo->map("invalidConfigPolicy")) {
        // Helm writes this block in every install; only replaceInvalidRoutes: true asks for a
        // behaviour lambdagate does not have (the code and body only matter with it).
        if (auto replace = policy->take("replaceInvalidRoutes"); replace && as_bool(*replace).value_or(false))
          warn_ignored(*replace);
        policy->integer("invalidRouteResponseCode", 0, 599);
        policy->string("invalidRouteResponseBody");
        policy->finish();
      }
      gloo->finish();  // control-plane addresses and switches: answered from the table
    }
    if (auto discovery = spec->map("discovery")) {
      parse_fds_mode(*discovery, settings.discovery);
      discovery->finish();  // udsOptions, fdsOptions: answered from the table
    }
    if (auto ext = spec->map("lambdagate")) {
      parse_discovery_extension(*ext, settings.discovery);
      if (auto field = ext->take("credentialRefreshMargin"))
        settings.credential_refresh_margin = duration_of(*field);
      if (settings.credential_refresh_margin && settings.credential_refresh_margin->count() == 0) {
        diagnostics.error(ext->where(),
                          "'" + ext->child_path("credentialRefreshMargin") + "' must be greater than zero");
      }
      parse_listener_limits(*ext, settings.listener);
      ext->finish();
    }
    // Kubernetes sources, control-plane addresses, Enterprise servers: answered from the table.
    spec->finish();
  } else if (!doc.has("spec")) {
    diagnostics.error(header.where, "'spec' is required");
    return;
  }

  if (state.config.settings) {
    // Two Settings would make fallbackToFirstFunction depend on file order.
    const SourceLocation& first = state.config.settings->where;
    diagnostics.error(header.where, "more than one Settings document (first is " +
                                        display(state.config.settings->metadata) + " at " + first.file + ":" +
                                        std::to_string(first.line) + ")");
    return;
  }
  state.config.settings = std::move(settings);
}

}  // namespace lambdagate::config::detail
