// Authenticator: token extraction, provider selection and validationPolicy (see authenticator.hpp).
#include "lambdagate/policy/authenticator.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/percent_decoding.hpp"
#include "lambdagate/policy/jwks_fetcher.hpp"
#include "lambdagate/policy/policy_error.hpp"
#include "lambdagate/policy/verified_token_cache.hpp"

namespace lambdagate::policy {

namespace {

using json = nlohmann::json;
namespace beast_http = boost::beast::http;

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && core::iequals_ascii(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A claim by name: the top-level member first, else a dotted path into nested objects
// ("realm_access.roles"), as Envoy's claim_to_headers reads nested claims.
const json* find_claim(const json& claims, const std::string& name) {
  if (const auto it = claims.find(name); it != claims.end()) return &*it;
  const json* node = &claims;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    if (!node->is_object()) return nullptr;
    const auto it = node->find(name.substr(start, dot - start));
    if (it == node->end()) return nullptr;
    node = &*it;
    start = dot + 1;
  }
  return node;
}

bool is_scalar(const json& v) { return v.is_string() || v.is_number() || v.is_boolean() || v.is_null(); }

std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

// API Gateway's rendering of one claim as a string.
std::string api_gateway_string(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && std::all_of(v.begin(), v.end(), is_scalar)) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out.push_back(' ');
      out += v[i].is_string() ? v[i].get<std::string>() : dump(v[i]);
    }
    out.push_back(']');
    return out;
  }
  return dump(v);
}

void split_spaces(std::string_view text, json& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) out.push_back(std::string(text.substr(i, j - i)));
    i = j;
  }
}

json scopes_of(const json& claims) {
  if (const auto scope = claims.find("scope"); scope != claims.end() && scope->is_string()) {
    json out = json::array();
    split_spaces(scope->get_ref<const std::string&>(), out);
    return out;
  }
  if (const auto scp = claims.find("scp"); scp != claims.end()) {
    json out = json::array();
    if (scp->is_string()) {
      split_spaces(scp->get_ref<const std::string&>(), out);
      return out;
    }
    if (scp->is_array()) {
      for (const auto& s : *scp) {
        if (s.is_string()) out.push_back(s);
      }
      return out;
    }
  }
  return nullptr;
}

json string_claims(const json& claims) {
  json out = json::object();
  for (const auto& [name, value] : claims.items()) out[name] = api_gateway_string(value);
  return out;
}

// Where a provider found its token.
struct FoundToken {
  std::string_view token;
  std::string storage;  // a query parameter's decoded value
  std::string header;   // lower-case header name; empty for a query parameter
};

}  // namespace

struct Authenticator::Provider {
  std::string name;
  JwtRules rules;
  std::vector<config::JwtTokenSource::Header> headers;
  std::vector<std::string> query_params;
  bool keep_token = false;
  std::vector<config::JwtClaimToHeader> claims_to_headers;
  std::shared_ptr<const KeySource> keys;
  std::shared_ptr<JwksFetcher> fetcher;  // null for local keys

  bool find_token(const http::RequestHeader& request, FoundToken& found) const {
    for (const auto& source : headers) {
      const auto range = request.equal_range(source.header);
      for (auto it = range.first; it != range.second; ++it) {
        const std::string_view value(it->value().data(), it->value().size());
        // Auth schemes are case-insensitive (RFC 7235 §2.1): "bearer x" is a Bearer token.
        if (!starts_with_ignore_case(value, source.prefix)) continue;
        const std::string_view token = trim(value.substr(source.prefix.size()));
        if (token.empty()) continue;
        found.token = token;
        found.header = source.header;
        return true;
      }
    }
    if (query_params.empty()) return false;
    const std::string_view target(request.target().data(), request.target().size());
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) return false;
    std::string_view query = target.substr(q + 1);
    if (const std::size_t hash = query.find('#'); hash != std::string_view::npos)
      query = query.substr(0, hash);
    for (const auto& param : query_params) {
      std::size_t start = 0;
      while (start <= query.size()) {
        const std::size_t end = std::min(query.find('&', start), query.size());
        const std::string_view pair = query.substr(start, end - start);
        const std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == param && eq + 1 < pair.size()) {
          found.storage = core::percent_decode(pair.substr(eq + 1));
          found.token = found.storage;
          found.header.clear();
          return true;
        }
        start = end + 1;
      }
    }
    return false;
  }
};

struct Authenticator::Evaluation {
  AuthResult result;
  std::vector<JwksFetcher*> refetch;  // remote JWKS that lacked the token's key
};

std::string bearer_realm(std::string_view scheme, std::string_view host, std::string_view target) {
  const std::size_t end = target.find_first_of("?#");
  std::string out;
  out.reserve(scheme.size() + 3 + host.size() + target.size());
  out.append(scheme).append("://").append(host).append(target.substr(0, end));
  return out;
}

std::string bearer_challenge(std::string_view realm, bool token_present) {
  std::string out = "Bearer realm=\"";
  for (char c : realm) {
    if (c == '"' || c == '\\') out.push_back('\\');
    // A header value cannot carry these; the realm is informational, so drop them.
    if (c == '\r' || c == '\n' || c == '\0') continue;
    out.push_back(c);
  }
  out.push_back('"');
  if (token_present) out.append(", error=\"invalid_token\"");
  return out;
}

std::optional<std::string> claim_header_value(const json& value) {
  std::string out = value.is_string() ? value.get<std::string>() : dump(value);
  if (out.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) return std::nullopt;
  return out;
}

std::string api_gateway_v2_authorizer(const json& claims) {
  json out = {{"jwt", {{"claims", string_claims(claims)}, {"scopes", scopes_of(claims)}}}};
  return dump(out);
}

std::string api_gateway_v1_authorizer(const json& claims) {
  json out = {{"claims", string_claims(claims)}, {"scopes", scopes_of(claims)}};
  return dump(out);
}

Authenticator::Authenticator(const config::JwtConfig& config, RemoteJwksResolver remote, JwtLimits limits)
    : policy_(config.validation_policy), limits_(limits) {
  for (const auto& p : config.providers) {
    auto provider = std::make_unique<Provider>();
    provider->name = p.name;
    provider->rules.issuer = p.issuer;
    provider->rules.audiences = p.audiences;
    provider->rules.clock_skew = p.clock_skew;
    provider->headers = p.token_source.headers;
    provider->query_params = p.token_source.query_params;
    if (provider->headers.empty() && provider->query_params.empty()) {
      provider->headers.push_back({"authorization", "Bearer "});
      provider->query_params.push_back("access_token");
    }
    for (auto& header : provider->headers) header.header = core::to_lower_ascii(header.header);
    provider->keep_token = p.keep_token;
    provider->claims_to_headers = p.claims_to_headers;
    for (auto& c : provider->claims_to_headers) c.header = core::to_lower_ascii(c.header);
    const std::string where = where_prefix(p.where) + "jwt provider '" + p.name + "': ";
    if (!p.local_jwks.empty()) {
      KeySetParse parsed = KeySet::parse(p.local_jwks);
      if (!parsed.ok()) throw PolicyError(where + "jwks.local.key: " + parsed.error);
      provider->keys = std::make_shared<const KeySource>(std::move(parsed.keys));
    } else if (p.remote_jwks) {
      if (!remote) throw PolicyError(where + "jwks.remote is not available here");
      provider->fetcher = remote(p);
      if (!provider->fetcher)
        throw PolicyError(where + "jwks.remote.url '" + p.remote_jwks->url + "' has no fetcher");
      provider->keys = provider->fetcher->source();
    } else {
      throw PolicyError(where + "jwks.local or jwks.remote is required");
    }
    providers_.push_back(std::move(provider));
  }
  if (providers_.empty())
    throw PolicyError(where_prefix(config.where) + "jwt: at least one provider is required");
}

Authenticator::~Authenticator() = default;

std::size_t Authenticator::provider_count() const { return providers_.size(); }

Authenticator::Evaluation Authenticator::evaluate(const http::RequestHeader& request, core::SystemTime now,
                                                  std::string_view realm, VerifiedTokenCache* cache) const {
  Evaluation out;
  std::optional<JwtFailure> furthest;
  for (const auto& provider : providers_) {
    FoundToken found;
    if (!provider->find_token(request, found)) continue;
    out.result.token_present = true;
    const std::shared_ptr<const KeySet> keys = provider->keys->get();
    // A token this worker verified before with these same keys needs only its time claims
    // checked again; anything else is verified in full (and remembered when it passes).
    std::shared_ptr<const json> cached =
        cache ? cache->find(provider.get(), found.token, keys.get()) : nullptr;
    JwtResult verified = JwtFailure::Malformed;
    if (cached && !check_issuer_and_time(*cached, provider->rules, now)) {
      verified = VerifiedJwt{std::move(cached), Algorithm::RS256, {}};
    } else {
      verified = verify_jwt(found.token, keys.get(), provider->rules, now, limits_);
      if (const auto* ok = std::get_if<VerifiedJwt>(&verified); ok && cache)
        cache->insert(provider.get(), found.token, keys, ok->claims);
    }
    if (auto* ok = std::get_if<VerifiedJwt>(&verified)) {
      AuthResult& result = out.result;
      result.verdict = AuthResult::Verdict::Allow;
      result.failure.reset();
      result.provider = provider->name;
      for (const auto& mapping : provider->claims_to_headers) {
        const json* claim = find_claim(*ok->claims, mapping.claim);
        if (!claim) continue;
        if (auto value = claim_header_value(*claim)) {
          result.headers_to_add.push_back({mapping.header, std::move(*value), mapping.append});
        }
      }
      if (!provider->keep_token) result.header_to_remove = found.header;
      result.claims = std::move(ok->claims);
      out.refetch.clear();
      return out;
    }
    const JwtFailure failure = std::get<JwtFailure>(verified);
    if ((failure == JwtFailure::UnknownKey || failure == JwtFailure::NoKeys) && provider->fetcher) {
      out.refetch.push_back(provider->fetcher.get());
    }
    if (!furthest || failure > *furthest) furthest = failure;
  }

  AuthResult& result = out.result;
  result.failure = result.token_present ? furthest : JwtFailure::Missing;
  bool deny = true;
  switch (policy_) {
    case config::JwtValidationPolicy::RequireValid:
      break;
    case config::JwtValidationPolicy::AllowMissing:
      deny = result.token_present;
      break;
    case config::JwtValidationPolicy::AllowMissingOrFailed:
      deny = false;
      break;
  }
  if (!deny) {
    result.verdict = AuthResult::Verdict::Allow;
    return out;
  }
  result.verdict = result.failure == JwtFailure::AudienceNotAllowed ? AuthResult::Verdict::Forbidden
                                                                    : AuthResult::Verdict::Unauthorized;
  result.www_authenticate = bearer_challenge(realm, result.token_present);
  return out;
}

AuthResult Authenticator::authenticate(const http::RequestHeader& request, core::SystemTime now,
                                       std::string_view realm, VerifiedTokenCache* cache) const {
  return evaluate(request, now, realm, cache).result;
}

core::Task<AuthResult> Authenticator::authenticate_async(const http::RequestHeader& request,
                                                         const core::Clock& clock, core::Deadline deadline,
                                                         std::string_view realm,
                                                         VerifiedTokenCache* cache) const {
  Evaluation first = evaluate(request, clock.system_now(), realm, cache);
  if (first.result.claims || first.refetch.empty()) co_return std::move(first.result);
  std::vector<std::pair<JwksFetcher*, std::uint64_t>> waits;
  for (JwksFetcher* fetcher : first.refetch) {
    // The generation is read before asking, so a fetch completing in between still counts.
    const std::uint64_t seen = fetcher->generation();
    if (fetcher->request_refresh()) waits.emplace_back(fetcher, seen);
  }
  if (waits.empty()) co_return std::move(first.result);
  for (const auto& [fetcher, seen] : waits) {
    const std::uint64_t after = seen;
    co_await fetcher->wait_for_fetch(after, deadline);
  }
  Evaluation second = evaluate(request, clock.system_now(), realm, cache);
  co_return std::move(second.result);
}

}  // namespace lambdagate::policy
