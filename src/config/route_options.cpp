// Route and virtual-host `options` (Gloo's RouteOptions / VirtualHostOptions, gloo.md §3):
// timeout, retries, prefixRewrite and headerManipulation; every other Gloo option is a "not
// supported" warning.
#include <algorithm>

#include "config/documents.hpp"
#include "lambdagate/core/ascii.hpp"
#include "config/duration.hpp"
#include "config/field_checks.hpp"

namespace lambdagate::config::detail {

namespace {

using std::chrono::milliseconds;

// Envoy's cap is much higher, but every retry of a Lambda call is a paid invocation and the
// route timeout bounds them all anyway; more than this is a mistake.
constexpr int64_t kMaxNumRetries = 10;

struct RetryOnName {
  std::string_view name;
  uint32_t bit;
};

constexpr RetryOnName kRetryOnNames[] = {
    {"5xx", kRetryOn5xx},
    {"gateway-error", kRetryOnGatewayError},
    {"connect-failure", kRetryOnConnectFailure},
    {"reset", kRetryOnReset},
    {"retriable-status-codes", kRetryOnRetriableStatusCodes},
    {"retriable-4xx", kRetryOnRetriable4xx},
    {"throttled", kRetryOnThrottled},
};

// Envoy conditions (x-envoy-retry-on and x-envoy-retry-grpc-on) that have no meaning for a Lambda
// invocation: HTTP/2 and HTTP/3 stream events, Envoy's own rate limiter, response headers, gRPC.
constexpr std::string_view kUnsupportedRetryOn[] = {
    "reset-before-request",       "refused-stream", "retriable-headers", "envoy-ratelimited",
    "http3-post-connect-failure", "cancelled",      "deadline-exceeded", "internal",
    "resource-exhausted",         "unavailable",
};

// Headers that describe the connection or the message framing, or that lambdagate itself sets
// for the Lambda call; changing them would break the exchange rather than shape it.
constexpr std::string_view kManagedHeaders[] = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "host",
};

std::string format_ms(milliseconds value) { return std::to_string(value.count()) + "ms"; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<milliseconds> duration_of(const Field& field) {
  auto text = as_string(field);
  if (!text) return std::nullopt;
  std::string reason;
  auto value = parse_duration(*text, reason);
  if (!value)
    field.error("'" + field.path + "' must be a duration: " + reason + ", got " + quote_value(*text));
  return value;
}

namespace {

// A duration that must be positive: zero would mean "disabled" elsewhere, and here there is
// nothing to disable.
std::optional<milliseconds> positive_duration_of(const Field& field, std::string_view zero_hint) {
  auto value = duration_of(field);
  if (value && value->count() == 0) {
    field.error("'" + field.path + "' must be at least 1ms" + std::string(zero_hint));
    return std::nullopt;
  }
  return value;
}

// "5xx,reset": Envoy's comma-separated condition names. Names lambdagate cannot act on are
// warnings; a name Envoy does not have either is a typo, and an error.
bool parse_retry_on(const Field& field, std::string_view text, uint32_t& bits) {
  bool ok = true;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view name = trim(text.substr(start, comma - start));
    start = comma + 1;
    if (name.empty()) continue;
    auto known = std::find_if(std::begin(kRetryOnNames), std::end(kRetryOnNames),
                              [&](const RetryOnName& n) { return n.name == name; });
    if (known != std::end(kRetryOnNames)) {
      bits |= known->bit;
    } else if (std::find(std::begin(kUnsupportedRetryOn), std::end(kUnsupportedRetryOn), name) !=
               std::end(kUnsupportedRetryOn)) {
      field.warning("'" + field.path + "' condition '" + std::string(name) + "' is not supported, ignored");
    } else {
      std::string names;
      for (const RetryOnName& n : kRetryOnNames) names += (names.empty() ? "" : ", ") + std::string(n.name);
      field.error("'" + field.path + "' has an unknown condition " + quote_value(name) +
                  " (lambdagate retries on " + names + ")");
      ok = false;
    }
  }
  return ok;
}

// retryBackOff {baseInterval, maxInterval}; Envoy's defaults are 25ms and ten times the base.
bool parse_back_off(MapReader& back_off, RetryPolicy& policy) {
  bool ok = true;
  if (auto base = back_off.take("baseInterval")) {
    if (auto value = positive_duration_of(*base, "")) {
      policy.base_interval = *value;
    } else {
      ok = false;
    }
  }
  if (auto max = back_off.take("maxInterval")) {
    if (auto value = positive_duration_of(*max, "")) {
      policy.max_interval = *value;
    } else {
      ok = false;
    }
  }
  back_off.finish();
  if (ok && policy.max_interval && policy.base_interval > *policy.max_interval) {
    bool base_written = back_off.has("baseInterval");
    back_off.source().diagnostics().error(
        back_off.where(), "'" + back_off.path() + "' has baseInterval " + format_ms(policy.base_interval) +
                              (base_written ? "" : " (the default)") + " above maxInterval " +
                              format_ms(*policy.max_interval));
    ok = false;
  }
  return ok;
}

std::optional<RetryPolicy> parse_retries(MapReader& retries) {
  RetryPolicy policy;
  bool ok = true;
  auto retry_on = retries.take("retryOn");
  if (retry_on) {
    auto text = as_string(*retry_on);
    ok = text && parse_retry_on(*retry_on, *text, policy.retry_on) && ok;
  } else {
    retries.source().diagnostics().warning(
        retries.where(), "'" + retries.child_path("retryOn") + "' is not set, so no attempt is retried");
  }
  if (auto count = retries.take("numRetries")) {
    if (auto value = as_integer(*count, 0, kMaxNumRetries)) {
      policy.num_retries = *value == 0 ? 1 : static_cast<uint32_t>(*value);  // Gloo: 0 means 1
    } else {
      ok = false;
    }
  }
  if (auto per_try = retries.take("perTryTimeout")) {
    if (auto value = positive_duration_of(*per_try, "; leave it out for no per-try timeout")) {
      policy.per_try_timeout = *value;
    } else {
      ok = false;
    }
  }
  if (auto back_off = retries.map("retryBackOff")) {
    ok = parse_back_off(*back_off, policy) && ok;
  } else if (retries.has("retryBackOff")) {
    ok = false;
  }
  auto codes = retries.take("retriableStatusCodes");
  if (codes) {
    if (!codes->value.IsSequence()) ok = false;  // as_list reports it
    for (const Field& item : as_list(*codes)) {
      if (auto code = as_integer(item, 100, 599)) {
        auto status = static_cast<unsigned>(*code);
        auto& list = policy.retriable_status_codes;
        if (std::find(list.begin(), list.end(), status) == list.end()) list.push_back(status);
      } else {
        ok = false;
      }
    }
  }
  retries.finish();  // rateLimitedRetryBackOff, previousPriorities: answered from the table

  // Envoy reads the list only under retriable-status-codes, and that name does nothing without
  // a list; either half alone is almost certainly an oversight.
  bool by_codes = (policy.retry_on & kRetryOnRetriableStatusCodes) != 0;
  if (ok && by_codes && policy.retriable_status_codes.empty()) {
    retry_on->warning("'" + retry_on->path +
                      "' has 'retriable-status-codes' but 'retriableStatusCodes' lists none, so it matches "
                      "nothing");
  } else if (ok && !by_codes && !policy.retriable_status_codes.empty()) {
    codes->warning("'" + codes->path + "' is ignored: 'retryOn' does not include 'retriable-status-codes'");
  }
  if (!ok) return std::nullopt;
  return policy;
}

// A header name to add or remove: lower-cased, a token, and not one lambdagate must own.
std::optional<std::string> header_name(const Field& field, const std::string& name) {
  if (name.starts_with(':')) {
    field.error("'" + field.path + "' " + quote_value(name) +
                " cannot be manipulated: pseudo-headers belong to the protocol");
    return std::nullopt;
  }
  if (!is_token(name)) {
    field.error("'" + field.path + "' " + quote_value(name) + " is not a valid header name");
    return std::nullopt;
  }
  std::string lowered = core::to_lower_ascii(name);
  if (std::find(std::begin(kManagedHeaders), std::end(kManagedHeaders), lowered) !=
      std::end(kManagedHeaders)) {
    field.error("'" + field.path + "' " + quote_value(lowered) +
                " cannot be manipulated: lambdagate manages the connection and framing headers");
    return std::nullopt;
  }
  return lowered;
}

// requestHeadersToAdd / responseHeadersToAdd: [{header: {key, value}, append}].
bool parse_headers_to_add(MapReader& reader, std::string_view key, std::vector<HeaderValue>& out) {
  bool ok = true;
  for (const Field& item : reader.list(key)) {
    auto option = as_map(item);
    if (!option) {
      ok = false;
      continue;
    }
    HeaderValue header;
    header.append = option->boolean("append").value_or(true);
    bool from_secret = option->has("headerSecretRef");
    auto header_field = option->take("header");
    option->finish();  // headerSecretRef: answered from the table
    if (!header_field) {
      if (!from_secret) {
        item.error("'" + option->child_path("header") + "' is required");
        ok = false;
      }
      continue;
    }
    auto pair = as_map(*header_field);
    if (!pair) {
      ok = false;
      continue;
    }
    auto key_field = pair->take("key");
    auto value_field = pair->take("value");
    pair->finish();
    std::optional<std::string> name;
    if (!key_field) {
      pair->source().diagnostics().error(pair->where(), "'" + pair->child_path("key") + "' is required");
    } else if (auto text = as_string(*key_field)) {
      if (text->empty()) {
        key_field->error("'" + key_field->path + "' must not be empty");
      } else {
        name = header_name(*key_field, *text);
      }
    }
    std::optional<std::string> value = value_field ? as_string(*value_field) : std::string();
    // Header values can be credentials: the message never quotes one.
    if (value && has_control_character(*value)) {
      value_field->error("'" + value_field->path +
                         "' must not contain line breaks or other control characters");
      value.reset();
    }
    if (!name || !value) {
      ok = false;
      continue;
    }
    header.key = std::move(*name);
    header.value = std::move(*value);
    out.push_back(std::move(header));
  }
  return ok;
}

// requestHeadersToRemove / responseHeadersToRemove: header names.
bool parse_headers_to_remove(MapReader& reader, std::string_view key, std::vector<std::string>& out) {
  auto field = reader.take(key);
  if (!field) return true;
  auto names = as_string_list(*field);
  if (!names) return false;
  bool ok = true;
  for (const std::string& name : *names) {
    if (name.empty()) {
      field->error("'" + field->path + "' has an empty header name");
      ok = false;
    } else if (auto lowered = header_name(*field, name)) {
      out.push_back(std::move(*lowered));
    } else {
      ok = false;
    }
  }
  return ok;
}

std::optional<HeaderManipulation> parse_header_manipulation(MapReader& reader) {
  HeaderManipulation out;
  bool ok = parse_headers_to_add(reader, "requestHeadersToAdd", out.request_headers_to_add);
  ok = parse_headers_to_remove(reader, "requestHeadersToRemove", out.request_headers_to_remove) && ok;
  ok = parse_headers_to_add(reader, "responseHeadersToAdd", out.response_headers_to_add) && ok;
  ok = parse_headers_to_remove(reader, "responseHeadersToRemove", out.response_headers_to_remove) && ok;
  reader.finish();
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

void parse_route_options(MapReader& options, RouteOptions& out, OptionsLevel level, const std::string& ns) {
  // timeout and prefixRewrite are route options in Gloo; on a virtual host lambdagate reads them as
  // its routes' default (an extension, see the compatibility table).
  if (auto timeout = options.take("timeout")) {
    if (auto value = duration_of(*timeout)) out.timeout = *value;
  }
  if (auto retries = options.map("retries")) out.retries = parse_retries(*retries);
  if (auto rewrite = options.take("prefixRewrite")) {
    if (auto value = as_string(*rewrite)) {
      if (has_control_character(*value) || value->find_first_of(" \t") != std::string::npos) {
        rewrite->error("'" + rewrite->path + "' must not contain spaces or control characters");
      } else {
        out.prefix_rewrite = std::move(*value);
      }
    }
  }
  if (auto headers = options.map("headerManipulation"))
    out.header_manipulation = parse_header_manipulation(*headers);
  parse_cors_options(options, out, level);
  parse_jwt_options(options, out, level, ns);
  parse_rate_limit_options(options, out);
  parse_lambdagate_options(options, out);
  // Every other Gloo option: answered from the compatibility table.
  options.finish();
}

void inherit_options(RouteOptions& route, const RouteOptions& parent) {
  if (!route.timeout) route.timeout = parent.timeout;
  if (!route.retries) route.retries = parent.retries;
  if (!route.prefix_rewrite) route.prefix_rewrite = parent.prefix_rewrite;
  if (!route.header_manipulation) route.header_manipulation = parent.header_manipulation;
  // Gloo's shallow merge: the whole policy, when the child writes none.
  if (!route.cors) route.cors = parent.cors;
  if (!route.jwt_disable_written) {
    route.jwt_disabled = parent.jwt_disabled;
    route.jwt_disable_written = parent.jwt_disable_written;
  }
  if (!route.rate_limit) route.rate_limit = parent.rate_limit;
  if (!route.max_concurrency) route.max_concurrency = parent.max_concurrency;
}

namespace {

void append_missing(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& value : from) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
  }
}

// The route's CORS fields override the virtual host's one by one (a list or string left empty
// and an unset allowCredentials count as not written); exposeHeaders may be the union.
CorsPolicy merge_cors(const CorsPolicy& virtual_host, const CorsPolicy& route,
                      CorsMergeExposeHeaders expose) {
  CorsPolicy out = virtual_host;
  if (!route.allow_origin.empty()) out.allow_origin = route.allow_origin;
  if (!route.allow_origin_regex.empty()) out.allow_origin_regex = route.allow_origin_regex;
  if (!route.allow_methods.empty()) out.allow_methods = route.allow_methods;
  if (!route.allow_headers.empty()) out.allow_headers = route.allow_headers;
  if (expose == CorsMergeExposeHeaders::Union) {
    // Gloo's mergeCors: the virtual host's, then the route's, without duplicates.
    out.expose_headers = virtual_host.expose_headers;
    append_missing(out.expose_headers, route.expose_headers);
  } else if (!route.expose_headers.empty()) {
    out.expose_headers = route.expose_headers;
  }
  if (!route.max_age.empty()) out.max_age = route.max_age;
  if (route.allow_credentials) out.allow_credentials = route.allow_credentials;
  out.disable_for_route = false;
  out.where = route.where;
  return out;
}

}  // namespace

void apply_virtual_host_options(RouteOptions& route, const RouteOptions& virtual_host) {
  if (!route.timeout) route.timeout = virtual_host.timeout;
  if (!route.retries) route.retries = virtual_host.retries;
  if (!route.prefix_rewrite) route.prefix_rewrite = virtual_host.prefix_rewrite;
  if (!route.header_manipulation) route.header_manipulation = virtual_host.header_manipulation;
  if (!route.max_concurrency) route.max_concurrency = virtual_host.max_concurrency;
  if (route.cors && route.cors->disable_for_route) {
    route.cors.reset();
  } else if (route.cors && virtual_host.cors) {
    route.cors = merge_cors(*virtual_host.cors, *route.cors, virtual_host.cors_merge_expose_headers);
  } else if (!route.cors) {
    route.cors = virtual_host.cors;
  }
  // jwt and rate_limit stay the virtual host's own (VirtualService::options).
}

}  // namespace lambdagate::config::detail
