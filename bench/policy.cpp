// Request-policy benchmark: what CORS, JWT verification and the local rate limit cost per request.
//
// - CORS: reading the fields from a Beast request and deciding (exact origin, regex origin,
//   preflight, disallowed origin).
// - JWT: Authenticator::authenticate on a request with `Authorization: Bearer`, one provider with
//   a cached key (JWKS with that key and two others), a token with typical claims and one
//   claimsToHeaders mapping — the whole per-request cost, uncached and with the token in the
//   worker's verified-token cache as the request path keeps it — and verify_jwt alone, for RS256
//   (2048-bit), PS256 (2048-bit), ES256 (P-256) and EdDSA (Ed25519).
// - Rate limit: SharedTokenBucket::try_take from 1 and 2 threads at once (the machine's cores),
//   every call a successful compare-and-swap, and the per-connection bucket; and a
//   ConcurrencyLimiter acquire + release.
//
// The machine is shared and busy (other builds run beside it), so wall time says more about the
// neighbours than about the code: each case is timed in CPU time of the thread running it
// (CLOCK_THREAD_CPUTIME_ID), in each of several interleaved rounds, and the median printed. For
// the 2-thread cases that is each thread's own cost, contention (CAS retries, cache-line
// transfers) included. Keys are generated at start (nothing secret is stored).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "lambdagate/policy/authenticator.hpp"
#include "lambdagate/policy/verified_token_cache.hpp"
#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/policy/concurrency_limiter.hpp"
#include "lambdagate/policy/cors.hpp"
#include "lambdagate/policy/rate_limit.hpp"

namespace {

using namespace lambdagate;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
namespace beast_http = boost::beast::http;
using Request = lambdagate::http::Request;

volatile std::uintptr_t g_sink;

// CPU seconds used by the calling thread.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// ---- keys and tokens (made here with OpenSSL) -----------------------------------------------

struct Key {
  EVP_PKEY* pkey;
  std::string kind;  // "RSA", "P-256", "Ed25519"
};

Key make_key(const std::string& kind) {
  if (kind == "RSA") return {EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), kind};
  if (kind == "P-256") return {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), kind};
  return {EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), kind};
}

std::string bn_b64(EVP_PKEY* key, const char* name, std::size_t pad) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string bytes(pad ? pad : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return policy::base64url::encode(bytes);
}

json jwk(const Key& key, const std::string& kid) {
  json out;
  if (key.kind == "RSA") {
    out = {{"kty", "RSA"}, {"n", bn_b64(key.pkey, "n", 0)}, {"e", bn_b64(key.pkey, "e", 0)}};
  } else if (key.kind == "P-256") {
    out = {{"kty", "EC"},
           {"crv", "P-256"},
           {"x", bn_b64(key.pkey, "qx", 32)},
           {"y", bn_b64(key.pkey, "qy", 32)}};
  } else {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    EVP_PKEY_get_raw_public_key(key.pkey, raw, &len);
    out = {{"kty", "OKP"},
           {"crv", "Ed25519"},
           {"x", policy::base64url::encode({reinterpret_cast<char*>(raw), len})}};
  }
  out["kid"] = kid;
  return out;
}

std::string sign(const Key& key, const std::string& alg, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, key.kind == "Ed25519" ? nullptr : EVP_sha256(), nullptr, key.pkey);
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &len, data, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg == "ES256") {
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(ecdsa);
    return raw;
  }
  return sig;
}

std::string token(const Key& key, const std::string& alg, const std::string& kid, std::int64_t now) {
  const json header = {{"alg", alg}, {"kid", kid}, {"typ", "JWT"}};
  const json claims = {{"iss", "https://idp.example.com/"},
                       {"sub", "auth0|5f7c8ec7c33c6c004bbafe82"},
                       {"aud", json::array({"https://api.example.com", "https://idp.example.com/userinfo"})},
                       {"iat", now - 60},
                       {"exp", now + 3600},
                       {"azp", "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"},
                       {"scope", "openid profile email read:orders write:orders"},
                       {"email", "someone@example.com"}};
  const std::string input =
      policy::base64url::encode(header.dump()) + "." + policy::base64url::encode(claims.dump());
  return input + "." + policy::base64url::encode(sign(key, alg, input));
}

// ---- timing ----------------------------------------------------------------------------------

struct Case {
  std::string group;
  std::string name;
  std::function<std::uintptr_t(std::size_t)> body;  // runs n operations
  unsigned threads = 1;
  std::size_t iterations = 0;
  std::vector<double> samples;  // ns per operation (per thread)
};

double run(Case& c, std::size_t n) {
  if (c.threads == 1) {
    const double start = thread_cpu_seconds();
    g_sink = c.body(n);
    return thread_cpu_seconds() - start;
  }
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> seconds(c.threads);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < c.threads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load()) {
      }
      const double start = thread_cpu_seconds();
      g_sink = c.body(n);
      seconds[t] = thread_cpu_seconds() - start;
    });
  }
  while (ready.load() < c.threads) {
  }
  go.store(true);
  for (auto& th : threads) th.join();
  return *std::max_element(seconds.begin(), seconds.end());
}

std::size_t calibrate(Case& c, double target) {
  std::size_t n = 1;
  for (;;) {
    const double t = run(c, n);
    if (t >= target / 4 || n >= (std::size_t{1} << 28)) {
      return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * target / t));
    }
    n *= 4;
  }
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const double target = 0.02;  // seconds per sample
  std::vector<Case> cases;

  // CORS.
  config::CorsPolicy cors;
  cors.allow_origin = {"https://app.example.com", "https://admin.example.com"};
  cors.allow_origin_regex = {R"(https://[a-z0-9-]+\.preview\.example\.com)"};
  cors.allow_methods = {"GET", "POST", "PUT", "DELETE"};
  cors.allow_headers = {"authorization", "content-type"};
  cors.expose_headers = {"x-request-id"};
  cors.max_age = "600";
  cors.allow_credentials = true;
  auto rules = std::make_shared<policy::CorsRules>(cors);
  auto cors_case = [&](std::string name, beast_http::verb verb, std::string origin, bool acrm) {
    auto request = std::make_shared<Request>(verb, "/orders", 11);
    request->set(beast_http::field::host, "api.example.com");
    request->set(beast_http::field::origin, origin);
    if (acrm) request->set(beast_http::field::access_control_request_method, "PUT");
    cases.push_back({"CORS", std::move(name), [rules, request](std::size_t n) {
                       std::uintptr_t sink = 0;
                       for (std::size_t i = 0; i < n; ++i) {
                         const auto d = policy::evaluate_cors(rules.get(), policy::cors_request_of(*request));
                         sink += d.headers.size + static_cast<std::uintptr_t>(d.action);
                       }
                       return sink;
                     }});
  };
  cors_case("actual, exact origin", beast_http::verb::get, "https://admin.example.com", false);
  cors_case("actual, regex origin", beast_http::verb::get, "https://pr-1234.preview.example.com", false);
  cors_case("preflight, exact origin", beast_http::verb::options, "https://app.example.com", true);
  cors_case("disallowed origin", beast_http::verb::get, "https://evil.example.net", false);

  // JWT.
  const auto now_tp = std::chrono::system_clock::now();
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(now_tp.time_since_epoch()).count();
  const Key rsa = make_key("RSA");
  const Key ec = make_key("P-256");
  const Key ed = make_key("Ed25519");
  const Key other_rsa = make_key("RSA");
  const std::string jwks =
      json{{"keys", json::array({jwk(other_rsa, "old"), jwk(rsa, "rsa"), jwk(ec, "ec"), jwk(ed, "ed")})}}
          .dump();
  config::JwtConfig jwt_config;
  config::JwtProvider provider;
  provider.name = "idp";
  provider.issuer = "https://idp.example.com/";
  provider.audiences = {"https://api.example.com"};
  provider.local_jwks = jwks;
  provider.claims_to_headers = {{"sub", "x-user-id", false}};
  jwt_config.providers.push_back(provider);
  auto auth = std::make_shared<policy::Authenticator>(jwt_config);
  auto keys = policy::KeySet::parse(jwks).keys;
  policy::JwtRules jwt_rules{provider.issuer, provider.audiences, std::chrono::seconds{60}};
  const std::pair<std::string, std::pair<const Key*, std::string>> algs[] = {
      {"RS256", {&rsa, "rsa"}}, {"PS256", {&rsa, "rsa"}}, {"ES256", {&ec, "ec"}}, {"EdDSA", {&ed, "ed"}}};
  for (const auto& [alg, key_kid] : algs) {
    const std::string t = token(*key_kid.first, alg, key_kid.second, now);
    auto request = std::make_shared<Request>(beast_http::verb::get, "/orders", 11);
    request->set(beast_http::field::host, "api.example.com");
    request->set(beast_http::field::authorization, "Bearer " + t);
    const auto check = auth->authenticate(*request, now_tp, "http://api.example.com/orders");
    if (!check.claims) {
      std::fprintf(stderr, "%s: token did not verify (%s)\n", alg.c_str(),
                   check.failure ? std::string(policy::to_string(*check.failure)).c_str() : "?");
      return 1;
    }
    cases.push_back(
        {"JWT", alg + " authenticate (whole request)", [auth, request, now_tp](std::size_t n) {
           std::uintptr_t sink = 0;
           for (std::size_t i = 0; i < n; ++i) {
             sink +=
                 auth->authenticate(*request, now_tp, "http://api.example.com/orders").headers_to_add.size();
           }
           return sink;
         }});
    // The request path: the worker's verified-token cache makes a repeated token a lookup plus
    // the time checks (and the claimsToHeaders mapping).
    auto cache = std::make_shared<policy::VerifiedTokenCache>();
    cases.push_back(
        {"JWT", alg + " authenticate, token cached (per worker)", [auth, request, now_tp, cache](std::size_t n) {
           std::uintptr_t sink = 0;
           for (std::size_t i = 0; i < n; ++i) {
             const auto result = auth->authenticate(*request, now_tp, "http://api.example.com/orders", cache.get());
             sink += result.headers_to_add.size();
           }
           return sink;
         }});
    cases.push_back({"JWT", alg + " verify_jwt only", [keys, jwt_rules, t, now_tp](std::size_t n) {
                       std::uintptr_t sink = 0;
                       for (std::size_t i = 0; i < n; ++i) {
                         sink += policy::verify_jwt(t, keys.get(), jwt_rules, now_tp).index();
                       }
                       return sink;
                     }});
  }

  // Rate limits and the concurrency cap.
  config::LocalRateLimit huge;
  huge.max_tokens = 4'000'000'000u;
  huge.tokens_per_fill = 1;
  huge.fill_interval = std::chrono::milliseconds(1000);
  auto bucket = std::make_shared<policy::SharedTokenBucket>(huge, Clock::now());
  for (unsigned threads : {1u, 2u}) {
    Case c{"Rate limit", "shared bucket, " + std::to_string(threads) + " thread(s) at once",
           [bucket](std::size_t n) {
             std::uintptr_t sink = 0;
             for (std::size_t i = 0; i < n; ++i) sink += bucket->try_take(Clock::now()).remaining;
             return sink;
           }};
    c.threads = threads;
    cases.push_back(std::move(c));
  }
  cases.push_back({"Rate limit", "per-connection bucket", [huge](std::size_t n) {
                     policy::ConnectionTokenBucket b(huge, Clock::now());
                     std::uintptr_t sink = 0;
                     for (std::size_t i = 0; i < n; ++i) sink += b.try_take(Clock::now()).remaining;
                     return sink;
                   }});
  auto limiter = std::make_shared<policy::ConcurrencyLimiter>(1'000'000);
  for (unsigned threads : {1u, 2u}) {
    Case c{"Concurrency cap", "acquire + release, " + std::to_string(threads) + " thread(s) at once",
           [limiter](std::size_t n) {
             std::uintptr_t sink = 0;
             for (std::size_t i = 0; i < n; ++i) sink += limiter->try_acquire().has_value();
             return sink;
           }};
    c.threads = threads;
    cases.push_back(std::move(c));
  }

  for (auto& c : cases) c.iterations = calibrate(c, target);
  for (int round = 0; round < rounds; ++round) {
    for (auto& c : cases) {
      c.samples.push_back(run(c, c.iterations) * 1e9 / static_cast<double>(c.iterations));
    }
  }

  std::printf(
      "Median CPU time per operation over %d rounds (the running thread's CPU time; per thread in the "
      "2-thread rows)\n\n",
      rounds);
  std::printf("| policy | case | median | min | max |\n|---|---|---:|---:|---:|\n");
  for (const auto& c : cases) {
    const double med = median(c.samples);
    const double lo = *std::min_element(c.samples.begin(), c.samples.end());
    const double hi = *std::max_element(c.samples.begin(), c.samples.end());
    if (c.group == "JWT") {
      std::printf("| %s | %s | %.1f µs | %.1f µs | %.1f µs |\n", c.group.c_str(), c.name.c_str(), med / 1000,
                  lo / 1000, hi / 1000);
    } else {
      std::printf("| %s | %s | %.0f ns | %.0f ns | %.0f ns |\n", c.group.c_str(), c.name.c_str(), med, lo,
                  hi);
    }
  }
  return 0;
}
