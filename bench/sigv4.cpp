// SigV4 signing benchmark: nanoseconds per signed Lambda Invoke, and per piece of the signing.
//
// The request is the one issue 14 measures: POST /2015-03-31/functions/my-function/invocations on
// https://lambda.us-east-1.amazonaws.com, a 5-byte payload ("abc" as JSON), temporary credentials
// (so x-amz-security-token is sent and signed) and a signing key already cached. Rows:
//
//   invoke request   AwsLambdaClient::wire_now, the whole construction invoke() pays for: the
//                    credentials lookup, the signature, the serialised head. Within one second the
//                    same Invoke is made from the head of the one before (SignedCaller::repeat).
//                    invoke request, two functions in turn: each one signed and serialised in
//                    full (the Invoke headers, the canonical request, to_wire). (Plain calls:
//                    invoke() waits in a coroutine only before the first credentials have arrived.)
//   sign             SigV4Signer::sign on the request SignedCaller hands it (host, content-type,
//                    x-amz-invocation-type, x-amz-log-type), signed again each time (a retry does
//                    the same: the signing headers are replaced), so each call finds the request
//                    equal to the one before and reuses its canonical request. sign, unlike the
//                    request before: two functions in turn, so the canonical request is written
//                    each time. sign_traced: the same as sign, also copying out the canonical
//                    request and string to sign, as tests do.
//   pieces           the pure steps of sigv4.hpp on the same request: the payload hash, the canonical
//                    request (headers, URI, query, the string), the string to sign (with the SHA-256
//                    of the canonical request) and the signature (one HMAC with the cached key).
//   floor            what signing cannot avoid: SHA-256 of the payload and of the canonical
//                    request, and one HMAC with the key already set, each on a reused context.
//
// The machine is shared and noisy: time is this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
// time spent waiting for a core while other jobs run is not counted; every row is measured in each
// of several interleaved rounds and the median is printed (with the fastest round beside it). Even
// so, a whole run can come out slower while the neighbours are busy: compare runs made side by
// side, and take the median of several. For counts that do not move with the neighbours,
// `bench/sigv4.sh --callgrind` runs each row under callgrind and prints instructions per operation
// (under valgrind OpenSSL runs its portable SHA-256, about 1,900 instructions per 64-byte block,
// not the CPU's SHA instructions: hashing weighs more in those counts than in the times).
//
// Usage: sigv4 [rounds=9] [token_bytes=64]
//        sigv4 --one ROW_ID N [token_bytes]   (ROW_ID N times inside measured_loop, for callgrind)
//        sigv4 --ids                          (the row ids)
#include "lambdagate/aws/sigv4.hpp"

#include <time.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/aws/sha256.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/http/client.hpp"

namespace {

using namespace lambdagate;
namespace sigv4 = aws::sigv4;

volatile std::size_t g_sink;

// A session token of `n` bytes in STS's alphabet (base64), the same every run.
std::string session_token(std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(n, 'A');
  std::uint32_t x = 2463534242u;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = kAlphabet[x % 64];
  }
  return out;
}

// The signer never sends: the benchmark stops at the signed wire request.
class NoHttpClient final : public http::HttpClient {
public:
  lambdagate::core::Task<http::ClientResult> send(const http::Endpoint&, http::ClientRequest,
                                                  core::Deadline) override {
    co_return http::ClientError{http::ClientErrorKind::ConnectFailed, "the benchmark sends nothing"};
  }
};

// Credentials as the cache publishes them: one immutable snapshot, handed out by shared_ptr.
class FixedCredentials final : public aws::CredentialsSource {
public:
  explicit FixedCredentials(aws::Credentials credentials)
      : credentials_(std::make_shared<const aws::Credentials>(std::move(credentials))) {}
  std::shared_ptr<const aws::Credentials> current(core::SystemTime) const override { return credentials_; }

private:
  std::shared_ptr<const aws::Credentials> credentials_;
};

struct Fixture {
  core::SystemClock clock;
  NoHttpClient http;
  http::Endpoint endpoint = *http::parse_endpoint("https://lambda.us-east-1.amazonaws.com");
  std::string region = "us-east-1";
  aws::Credentials credentials;
  std::shared_ptr<FixedCredentials> source;
  aws::AwsLambdaClient client;
  aws::InvokeRequest invoke;

  // The request SignedCaller hands the signer, and what the pure steps need.
  aws::SigningRequest signing;
  std::string amz_date;
  std::string date;
  aws::HeaderList signed_headers;  // signing.headers plus x-amz-date and the token
  std::string payload_hash;
  std::string canonical_request;
  std::string scope;
  std::string string_to_sign;
  std::string signing_key;

  explicit Fixture(std::size_t token_bytes)
      : credentials{"ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    session_token(token_bytes), std::nullopt},
        source(std::make_shared<FixedCredentials>(credentials)),
        client(http, endpoint, region, source, clock) {
    invoke.function_name = "my-function";
    invoke.payload = R"("abc")";

    signing.method = "POST";
    signing.path = aws::invoke_path(invoke.function_name);
    signing.headers = {{"host", endpoint.host_header()},
                       {"content-type", "application/json"},
                       {"x-amz-invocation-type", "RequestResponse"},
                       {"x-amz-log-type", "None"}};
    signing.payload = invoke.payload;

    amz_date = sigv4::format_amz_date(clock.system_now());
    date = amz_date.substr(0, 8);
    signed_headers = signing.headers;
    signed_headers.emplace_back("x-amz-date", amz_date);
    signed_headers.emplace_back("x-amz-security-token", credentials.session_token);
    payload_hash = sigv4::sha256_hex(signing.payload);
    canonical_request = build_canonical_request();
    scope = sigv4::credential_scope(date, region, "lambda");
    string_to_sign = sigv4::string_to_sign(amz_date, scope, canonical_request);
    signing_key = sigv4::derive_signing_key(credentials.secret_access_key, date, region, "lambda");
  }

  std::string build_canonical_request() const {
    const auto headers = sigv4::canonical_headers(signed_headers);
    return sigv4::canonical_request(signing.method, sigv4::canonical_uri(signing.path),
                                    sigv4::canonical_query_string(signing.query), headers, payload_hash);
  }
};

// --- rows --------------------------------------------------------------------------------------

struct Row {
  const char* id;    // for --one
  const char* name;
  std::function<void(Fixture&, std::size_t n)> run;  // n operations
};

void run_invoke_requests(Fixture& f, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const auto wire = f.client.wire_now(f.invoke);
    g_sink = g_sink + std::get<http::WireRequest>(*wire).head.size();
  }
}

void run_invoke_requests_in_turn(Fixture& f, std::size_t n) {
  aws::InvokeRequest other = f.invoke;
  other.function_name = "my-other-function";
  for (std::size_t i = 0; i < n; ++i) {
    const auto wire = f.client.wire_now(i % 2 ? other : f.invoke);
    g_sink = g_sink + std::get<http::WireRequest>(*wire).head.size();
  }
}

std::vector<Row> rows() {
  return {
      {"invoke", "invoke request (wire_now)", run_invoke_requests},
      {"invoke-new", "invoke request, two functions in turn", run_invoke_requests_in_turn},
      {"sign", "sign",
       [](Fixture& f, std::size_t n) {
         aws::SigV4Signer signer("lambda", f.region);
         for (std::size_t i = 0; i < n; ++i) {
           g_sink = g_sink + signer.sign(f.signing, f.credentials, f.clock.system_now()).size();
         }
       }},
      // Two functions in turn: no request equals the one before, so the canonical request is
      // written whole each time (the first call for a function in a second, or requests whose
      // headers differ).
      {"sign-new", "sign, unlike the request before",
       [](Fixture& f, std::size_t n) {
         aws::SigV4Signer signer("lambda", f.region);
         aws::SigningRequest other = f.signing;
         other.path = aws::invoke_path("my-other-function");
         for (std::size_t i = 0; i < n; ++i) {
           aws::SigningRequest& request = i % 2 ? other : f.signing;
           g_sink = g_sink + signer.sign(request, f.credentials, f.clock.system_now()).size();
         }
       }},
      {"sign-traced", "sign_traced (tests, debugging)",
       [](Fixture& f, std::size_t n) {
         aws::SigV4Signer signer("lambda", f.region);
         for (std::size_t i = 0; i < n; ++i) {
           const auto result = signer.sign_traced(f.signing, f.credentials, f.clock.system_now());
           g_sink = g_sink + result.canonical_request.size();
         }
       }},
      {"payload-hash", "  payload hash",
       [](Fixture& f, std::size_t n) {
         for (std::size_t i = 0; i < n; ++i) g_sink = g_sink + sigv4::sha256_hex(f.signing.payload).size();
       }},
      {"canonical-request", "  canonical request",
       [](Fixture& f, std::size_t n) {
         for (std::size_t i = 0; i < n; ++i) g_sink = g_sink + f.build_canonical_request().size();
       }},
      {"string-to-sign", "  string to sign",
       [](Fixture& f, std::size_t n) {
         for (std::size_t i = 0; i < n; ++i) {
           const std::string scope = sigv4::credential_scope(f.date, f.region, "lambda");
           g_sink = g_sink + sigv4::string_to_sign(f.amz_date, scope, f.canonical_request).size();
         }
       }},
      {"hmac", "  HMAC (signature)",
       [](Fixture& f, std::size_t n) {
         for (std::size_t i = 0; i < n; ++i) {
           g_sink = g_sink + sigv4::signature_hex(f.signing_key, f.string_to_sign).size();
         }
       }},
      // The floor: the three hashes sign() cannot avoid, on reused contexts.
      {"floor-payload", "floor: SHA-256 of the payload",
       [](Fixture& f, std::size_t n) {
         aws::Sha256 sha256;
         for (std::size_t i = 0; i < n; ++i) g_sink = g_sink + sha256.digest(f.signing.payload)[0];
       }},
      {"floor-canonical", "floor: SHA-256 of the canonical req.",
       [](Fixture& f, std::size_t n) {
         aws::Sha256 sha256;
         for (std::size_t i = 0; i < n; ++i) g_sink = g_sink + sha256.digest(f.canonical_request)[0];
       }},
      {"floor-hmac", "floor: HMAC with the keyed context",
       [](Fixture& f, std::size_t n) {
         aws::HmacSha256 hmac;
         hmac.set_key(f.signing_key);
         for (std::size_t i = 0; i < n; ++i) g_sink = g_sink + hmac.mac(f.string_to_sign)[0];
       }},
  };
}

// Callgrind collects inside this function only (bench/sigv4.sh --callgrind).
[[gnu::noinline]] void measured_loop(const Row& row, Fixture& f, std::size_t n) { row.run(f, n); }

// This thread's CPU time in nanoseconds.
double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::strcmp(argv[1], "--one") == 0) {
    const std::string name = argv[2];
    const std::size_t n = std::strtoul(argv[3], nullptr, 10);
    Fixture f(argc >= 5 ? std::strtoul(argv[4], nullptr, 10) : 64);
    for (const auto& row : rows()) {
      if (row.id != name) continue;
      row.run(f, 1000);  // warm: the cached key, the buffers, OpenSSL's lazy set-up
      measured_loop(row, f, n);
      return 0;
    }
    std::fprintf(stderr, "no row named '%s'\n", name.c_str());
    return 2;
  }

  if (argc >= 2 && std::strcmp(argv[1], "--ids") == 0) {
    for (const auto& row : rows()) std::printf("%s\n", row.id);
    return 0;
  }
  const int rounds = argc >= 2 ? std::atoi(argv[1]) : 9;
  const std::size_t token_bytes = argc >= 3 ? std::strtoul(argv[2], nullptr, 10) : 64;
  if (rounds < 1) {
    std::fprintf(stderr, "usage: sigv4 [rounds] [token_bytes]\n");
    return 2;
  }
  Fixture f(token_bytes);
  const auto all = rows();
  std::printf(
      "SigV4, small Invoke: 5-byte payload, session token of %zu bytes, canonical request of %zu bytes\n",
      token_bytes, f.canonical_request.size());

  // About 20 ms per row and round.
  std::vector<std::size_t> iterations;
  for (const auto& row : all) {
    row.run(f, 2000);
    const double start = cpu_ns();
    row.run(f, 2000);
    const double ns = (cpu_ns() - start) / 2000;
    iterations.push_back(std::max<std::size_t>(1000, static_cast<std::size_t>(20e6 / std::max(ns, 1.0))));
  }
  std::vector<std::vector<double>> samples(all.size());
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const double start = cpu_ns();
      all[i].run(f, iterations[i]);
      samples[i].push_back((cpu_ns() - start) / static_cast<double>(iterations[i]));
    }
  }
  std::printf("%-34s %12s %12s   (%d rounds)\n", "row", "median ns/op", "fastest", rounds);
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::printf("%-34s %12.0f %12.0f\n", all[i].name, median(samples[i]),
                *std::min_element(samples[i].begin(), samples[i].end()));
  }
  return 0;
}
