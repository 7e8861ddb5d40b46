// The request policies inside `options` (gloo-edge-options.md): cors, JWT (jwtStaged / jwt),
// local rate limits and lambdagate's concurrency cap. Parsed and checked here; compiled and
// enforced by the policy module.
#include <algorithm>
#include <limits>

#include "config/documents.hpp"
#include "config/field_checks.hpp"
#include "lambdagate/core/ascii.hpp"

namespace lambdagate::config::detail {

namespace {

using std::chrono::milliseconds;

// Envoy's local rate limit filter refuses shorter fill intervals.
constexpr milliseconds kMinFillInterval{50};

// A list of non-empty strings; reports and drops empty entries.
std::vector<std::string> non_empty_strings(MapReader& reader, std::string_view key, bool& ok) {
  auto field = reader.take(key);
  if (!field) return {};
  auto list = as_string_list(*field);
  if (!list) {
    ok = false;
    return {};
  }
  std::vector<std::string> out;
  for (std::string& value : *list) {
    if (value.empty()) {
      field->error("'" + field->path + "' has an empty entry");
      ok = false;
      continue;
    }
    out.push_back(std::move(value));
  }
  return out;
}

std::optional<CorsPolicy> parse_cors(const Field& field, OptionsLevel level) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  CorsPolicy policy;
  policy.where = field.where;
  bool ok = true;
  policy.allow_origin = non_empty_strings(*reader, "allowOrigin", ok);
  if (auto regex_field = reader->take("allowOriginRegex")) {
    if (auto patterns = as_string_list(*regex_field)) {
      for (std::string& pattern : *patterns) {
        if (!check_regex(*regex_field, pattern)) {
          ok = false;
          continue;
        }
        policy.allow_origin_regex.push_back(std::move(pattern));
      }
    } else {
      ok = false;
    }
  }
  policy.allow_methods = non_empty_strings(*reader, "allowMethods", ok);
  policy.allow_headers = non_empty_strings(*reader, "allowHeaders", ok);
  policy.expose_headers = non_empty_strings(*reader, "exposeHeaders", ok);
  if (auto max_age = reader->take("maxAge")) {
    if (auto text = as_string(*max_age)) {
      // Sent as written, as Envoy does; browsers only understand a number of seconds.
      if (!std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
        max_age->warning("'" + max_age->path + "' " + quote_value(*text) +
                         " is not a number of seconds; browsers will ignore it");
      }
      policy.max_age = *text;
    } else {
      ok = false;
    }
  }
  policy.allow_credentials = reader->boolean("allowCredentials");
  if (auto disable = reader->take("disableForRoute")) {
    policy.disable_for_route = as_bool(*disable).value_or(false);
    if (level == OptionsLevel::VirtualHost && policy.disable_for_route) {
      // Gloo logs the same and ignores it.
      disable->warning("'" + disable->path + "' only applies to routes; ignored on a virtual host");
      policy.disable_for_route = false;
    }
  }
  reader->finish();
  if (ok && policy.allow_origin.empty() && policy.allow_origin_regex.empty()) {
    // Gloo refuses it too ("must provide at least one of AllowOrigin or AllowOriginRegex"), even
    // beside disableForRoute.
    field.error("'" + field.path + "' must allow at least one origin (allowOrigin or allowOriginRegex)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return policy;
}

std::optional<JwtValidationPolicy> parse_validation_policy(const Field& field) {
  auto text = as_string(field);
  if (!text) return std::nullopt;
  if (*text == "REQUIRE_VALID") return JwtValidationPolicy::RequireValid;
  if (*text == "ALLOW_MISSING") return JwtValidationPolicy::AllowMissing;
  if (*text == "ALLOW_MISSING_OR_FAILED") return JwtValidationPolicy::AllowMissingOrFailed;
  field.error("'" + field.path + "' must be REQUIRE_VALID, ALLOW_MISSING or ALLOW_MISSING_OR_FAILED, got " +
              quote_value(*text));
  return std::nullopt;
}

bool parse_jwks(MapReader& jwks, JwtProvider& provider, const std::string& ns) {
  bool ok = true;
  auto local = jwks.take("local");
  auto remote = jwks.take("remote");
  jwks.finish();
  if ((local ? 1 : 0) + (remote ? 1 : 0) != 1) {
    jwks.source().diagnostics().error(jwks.where(),
                                      "'" + jwks.path() + "' must set exactly one of 'local' and 'remote'");
    return false;
  }
  if (local) {
    auto reader = as_map(*local);
    if (!reader) return false;
    auto key = reader->required_string("key");
    reader->finish();
    if (!key) return false;
    provider.local_jwks = *key;
    return true;
  }
  auto reader = as_map(*remote);
  if (!reader) return false;
  RemoteJwks out;
  auto url_field = reader->take("url");
  if (!url_field) {
    reader->source().diagnostics().error(reader->where(), "'" + reader->child_path("url") + "' is required");
    ok = false;
  } else if (auto url = as_string(*url_field)) {
    if (url->starts_with("https://")) {
      out.url = *url;
    } else if (url->starts_with("http://")) {
      url_field->warning("'" + url_field->path +
                         "' is plain http: keys fetched without TLS can be replaced in transit");
      out.url = *url;
    } else {
      url_field->error("'" + url_field->path + "' must be an https:// URL, got " + quote_value(*url));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto ref = reader->take("upstreamRef")) out.upstream_ref = parse_resource_ref(*ref, ns);
  if (auto duration = reader->take("cacheDuration")) {
    auto value = duration_of(*duration);
    if (value && value->count() == 0) {
      duration->error("'" + duration->path + "' must be at least 1ms");
      ok = false;
    } else if (value) {
      out.cache_duration = *value;
    } else {
      ok = false;
    }
  }
  reader->take("asyncFetch");  // lambdagate always fetches in the background
  reader->finish();
  provider.remote_jwks = std::move(out);
  return ok;
}

bool parse_token_source(MapReader& source, JwtTokenSource& out) {
  bool ok = true;
  for (const Field& item : source.list("headers")) {
    auto reader = as_map(item);
    if (!reader) {
      ok = false;
      continue;
    }
    auto header_field = reader->take("header");
    auto prefix = reader->string("prefix").value_or("");
    reader->finish();
    std::string name;
    if (!header_field) {
      item.error("'" + reader->child_path("header") + "' is required");
    } else if (auto text = as_string(*header_field)) {
      name = header_name_of(*header_field, *text);
    }
    if (name.empty()) {
      ok = false;
      continue;
    }
    out.headers.push_back({std::move(name), std::move(prefix)});
  }
  out.query_params = non_empty_strings(source, "queryParams", ok);
  source.finish();
  return ok;
}

bool parse_claims_to_headers(MapReader& provider_reader, JwtProvider& provider) {
  bool ok = true;
  for (const Field& item : provider_reader.list("claimsToHeaders")) {
    auto reader = as_map(item);
    if (!reader) {
      ok = false;
      continue;
    }
    JwtClaimToHeader entry;
    auto claim = reader->required_string("claim");
    auto header_field = reader->take("header");
    entry.append = reader->boolean("append").value_or(false);
    reader->finish();
    if (!header_field) {
      item.error("'" + reader->child_path("header") + "' is required");
    } else if (auto text = as_string(*header_field)) {
      entry.header = header_name_of(*header_field, *text);
    }
    if (!claim || entry.header.empty()) {
      ok = false;
      continue;
    }
    entry.claim = *claim;
    provider.claims_to_headers.push_back(std::move(entry));
  }
  return ok;
}

std::optional<JwtProvider> parse_provider(const std::string& name, const Field& field,
                                          const std::string& ns) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  JwtProvider provider;
  provider.name = name;
  provider.where = field.where;
  bool ok = true;
  provider.issuer = reader->string("issuer").value_or("");
  provider.audiences = non_empty_strings(*reader, "audiences", ok);
  if (auto jwks = reader->map("jwks")) {
    ok = parse_jwks(*jwks, provider, ns) && ok;
  } else {
    if (!reader->has("jwks")) field.error("'" + reader->child_path("jwks") + "' is required");
    ok = false;
  }
  if (auto source = reader->map("tokenSource")) ok = parse_token_source(*source, provider.token_source) && ok;
  provider.keep_token = reader->boolean("keepToken").value_or(false);
  ok = parse_claims_to_headers(*reader, provider) && ok;
  if (auto skew = reader->take("clockSkewSeconds")) {
    if (auto value = as_integer(*skew, 0, std::numeric_limits<uint32_t>::max())) {
      provider.clock_skew = std::chrono::seconds(*value);
    } else {
      ok = false;
    }
  }
  reader->finish();  // attachFailedStatusToMetadata: answered from the table
  if (!ok) return std::nullopt;
  return provider;
}

// A VhostExtension: providers (a map by name), validationPolicy, the deprecated
// allowMissingOrFailedJwt.
std::optional<JwtConfig> parse_vhost_jwt(const Field& field, const std::string& ns) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  JwtConfig config;
  config.where = field.where;
  bool ok = true;
  if (auto providers = reader->map("providers")) {
    for (auto& [name, provider_field] : providers->entries()) {
      if (auto provider = parse_provider(name, provider_field, ns)) {
        config.providers.push_back(std::move(*provider));
      } else {
        ok = false;
      }
    }
  } else if (reader->has("providers")) {
    ok = false;
  }
  if (reader->boolean("allowMissingOrFailedJwt").value_or(false))
    config.validation_policy = JwtValidationPolicy::AllowMissingOrFailed;
  if (auto policy_field = reader->take("validationPolicy")) {
    if (auto policy = parse_validation_policy(*policy_field)) {
      config.validation_policy = *policy;
    } else {
      ok = false;
    }
  }
  reader->finish();
  if (ok && config.providers.empty()) {
    field.error("'" + field.path + "' has no providers; a JWT policy needs at least one");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return config;
}

// A RouteExtension: {disable}.
void parse_route_jwt(const Field& field, RouteOptions& out) {
  auto reader = as_map(field);
  if (!reader) return;
  if (auto disable = reader->boolean("disable")) {
    out.jwt_disabled = out.jwt_disabled || *disable;
    out.jwt_disable_written = true;
  }
  reader->finish();
}

}  // namespace

std::optional<uint32_t> parse_positive_count(const Field& field) {
  auto value = as_integer(field, 1, std::numeric_limits<uint32_t>::max());
  if (!value) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

std::optional<LocalRateLimit> parse_token_bucket(const Field& field) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  LocalRateLimit bucket;
  bucket.where = field.where;
  bool ok = true;
  if (auto max = reader->take("maxTokens")) {
    if (auto value = parse_positive_count(*max)) {
      bucket.max_tokens = *value;
    } else {
      ok = false;
    }
  } else {
    field.error("'" + reader->child_path("maxTokens") + "' is required (at least 1)");
    ok = false;
  }
  if (auto per_fill = reader->take("tokensPerFill")) {
    if (auto value = parse_positive_count(*per_fill)) {
      bucket.tokens_per_fill = *value;
    } else {
      ok = false;
    }
  }
  if (auto interval = reader->take("fillInterval")) {
    if (auto value = duration_of(*interval)) {
      if (*value < kMinFillInterval) {
        interval->error("'" + interval->path + "' must be at least 50ms");
        ok = false;
      } else {
        bucket.fill_interval = *value;
      }
    } else {
      ok = false;
    }
  }
  reader->finish();
  if (!ok) return std::nullopt;
  return bucket;
}

void parse_cors_options(MapReader& options, RouteOptions& out, OptionsLevel level) {
  if (auto field = options.take("cors")) {
    out.cors = parse_cors(*field, level);
    if (out.cors) note_pending(options.source().diagnostics(), PendingFeature::Cors, field->where);
  }
  if (level != OptionsLevel::VirtualHost) return;
  if (auto merge = options.map("corsPolicyMergeSettings")) {
    if (auto expose = merge->take("exposeHeaders")) {
      auto text = as_string(*expose);
      if (text == "UNION") {
        out.cors_merge_expose_headers = CorsMergeExposeHeaders::Union;
      } else if (text == "DEFAULT") {
        out.cors_merge_expose_headers = CorsMergeExposeHeaders::Default;
      } else if (text) {
        expose->error("'" + expose->path + "' must be DEFAULT or UNION, got " + quote_value(*text));
      }
    }
    merge->finish();
  }
}

void parse_jwt_options(MapReader& options, RouteOptions& out, OptionsLevel level, const std::string& ns) {
  Diagnostics& diagnostics = options.source().diagnostics();
  auto staged = options.take("jwtStaged");
  auto older = options.take("jwt");
  if (staged && older) {
    // One oneof in Gloo's options.
    older->error("'" + older->path + "' and '" + staged->path + "' are both set; set one of them");
    return;
  }
  if (level == OptionsLevel::Route) {
    if (older) parse_route_jwt(*older, out);
    if (staged) {
      if (auto stages = as_map(*staged)) {
        for (std::string_view stage : {"beforeExtAuth", "afterExtAuth"}) {
          if (auto field = stages->take(stage)) parse_route_jwt(*field, out);
        }
        stages->finish();
      }
    }
    return;
  }
  if (older) {
    out.jwt = parse_vhost_jwt(*older, ns);
  } else if (staged) {
    if (auto stages = as_map(*staged)) {
      auto before = stages->take("beforeExtAuth");
      auto after = stages->take("afterExtAuth");
      stages->finish();
      if (before && after) {
        // lambdagate has no external auth between the two stages: one verification would have to
        // satisfy two policies. Refused rather than silently dropping one of them.
        after->error(
            "'" + after->path + "' and '" + before->path +
            "' are both set: lambdagate has no external auth, so both stages are one; set one of them");
      } else if (before || after) {
        out.jwt = parse_vhost_jwt(before ? *before : *after, ns);
      }
    }
  }
  if (out.jwt) note_pending(diagnostics, PendingFeature::Jwt, out.jwt->where);
}

void parse_rate_limit_options(MapReader& options, RouteOptions& out) {
  auto ratelimit = options.map("ratelimit");
  if (!ratelimit) return;
  if (auto local = ratelimit->take("localRatelimit")) {
    out.rate_limit = parse_token_bucket(*local);
    if (out.rate_limit)
      note_pending(options.source().diagnostics(), PendingFeature::LocalRateLimits, local->where);
  }
  ratelimit->finish();  // rateLimits, includeVhRateLimits: answered from the table
}

void parse_lambdagate_options(MapReader& options, RouteOptions& out) {
  auto extension = options.map("lambdagate");
  if (!extension) return;
  if (auto cap = extension->take("maxConcurrency")) {
    out.max_concurrency = parse_positive_count(*cap);
    if (out.max_concurrency)
      note_pending(options.source().diagnostics(), PendingFeature::ConcurrencyCaps, cap->where);
  }
  extension->finish();
}

}  // namespace lambdagate::config::detail
