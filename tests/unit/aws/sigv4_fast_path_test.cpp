// SigV4Signer's one-pass signing held to the pure steps of sigv4.hpp: every request of both AWS
// suites is signed both ways (and must also match the suite's own answer), then the inputs the
// suites do not cover: paths and queries that need the pure functions' slow path, header names
// in any case, repeated headers, odd whitespace, many headers, and the signer's per-second,
// per-day and per-key state.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "lambdagate/aws/sigv4.hpp"
#include "unit/aws/sigv4_corpus.hpp"

using namespace lambdagate::testing::sigv4_corpus;

namespace {

using lambdagate::core::SystemTime;

// The request as the signer left it, minus its authorization: what the pure steps must sign.
ParsedRequest as_signed(const ParsedRequest& original, const SigningRequest& signed_request) {
  ParsedRequest out = original;
  out.headers = signed_request.headers;
  std::erase_if(out.headers, [](const auto& h) { return h.first == "authorization"; });
  return out;
}

struct BothWays {
  std::string authorization;  // what sign() put on the request (and returned)
  lambdagate::aws::SigningResult traced;
  Computed pure;
};

// Signs `request` with sign() on `fast` and sign_traced() on a fresh signer, and computes the pure
// steps on the request sign() produced.
BothWays sign_both_ways(SigV4Signer& fast, const ParsedRequest& request, const Credentials& creds,
                        SystemTime now, const std::string& service, const std::string& region,
                        bool normalize) {
  BothWays out;
  SigningRequest fast_request = to_signing_request(request);
  const std::string_view returned = fast.sign(fast_request, creds, now);
  out.authorization = *header_value(fast_request.headers, "authorization");
  CHECK(returned == out.authorization);
  CHECK(header_count(fast_request.headers, "authorization") == 1);
  CHECK(header_count(fast_request.headers, "x-amz-date") == 1);

  SigV4Signer fresh(service, region, normalize);
  SigningRequest traced_request = to_signing_request(request);
  out.traced = fresh.sign_traced(traced_request, creds, now);
  CHECK(traced_request.headers == fast_request.headers);

  const std::string amz_date = sigv4::format_amz_date(now);
  out.pure = compute(as_signed(request, fast_request), amz_date, creds.access_key_id, creds.secret_access_key,
                     region, service, normalize);
  return out;
}

void check_equal(const BothWays& got) {
  CHECK(got.authorization == got.pure.authorization);
  CHECK(got.traced.canonical_request == got.pure.canonical_request);
  CHECK(got.traced.string_to_sign == got.pure.string_to_sign);
  CHECK(got.traced.signature == got.pure.signature);
  CHECK(got.traced.authorization == got.pure.authorization);
}

SystemTime at(const char* iso8601) { return parse_iso8601(iso8601); }

}  // namespace

// Set A: one long-lived signer signs every request in turn (its buffers and caches carried from
// one request to the next), and each result equals the pure steps and the suite's .authz.
TEST_CASE("SigV4Signer::sign equals the pure steps on corpus set A", "[sigv4][corpus][fast]") {
  const auto cases = set_a_cases();
  REQUIRE(cases.size() == 34);
  SigV4Signer fast(kService, kRegion);
  for (const auto& c : cases) {
    DYNAMIC_SECTION("set A: " << c.name) {
      ParsedRequest request = parse_request(read_file(c.file(".req")));
      Credentials creds{kAccessKeyId, kSecret, "", std::nullopt};
      // The signer adds the token from the credentials; post-sts-header-before carries it already
      // (the signer replaces it), post-sts-header-after adds it after signing (so none here).
      if (c.name == "get-vanilla-with-session-token") creds.session_token = kVanillaSessionToken;
      if (auto token = header_value(request.headers, "x-amz-security-token")) creds.session_token = *token;

      const BothWays got = sign_both_ways(fast, request, creds, corpus_time(), kService, kRegion, true);
      check_equal(got);
      CHECK(got.authorization == read_file(c.file(".authz")));
      CHECK(got.traced.canonical_request == read_file(c.file(".creq")));
      CHECK(got.traced.string_to_sign == read_file(c.file(".sts")));
    }
  }
}

// Set B: every case, with its own service, region and path normalization; a case whose token is
// added after signing is signed with credentials that have none, which is what the suite signs.
TEST_CASE("SigV4Signer::sign equals the pure steps on corpus set B", "[sigv4][corpus][fast]") {
  const auto cases = set_b_cases();
  REQUIRE(cases.size() == 38);
  for (const auto& c : cases) {
    DYNAMIC_SECTION("set B: " << c.name) {
      const ParsedRequest request = set_b_request(c, false);
      Credentials creds = set_b_credentials(c);
      if (c.context.value("omit_session_token", false)) creds.session_token.clear();
      const std::string service = c.context.at("service").get<std::string>();
      const std::string region = c.context.at("region").get<std::string>();
      const bool normalize = c.context.at("normalize").get<bool>();
      SigV4Signer fast(service, region, normalize);
      const SystemTime now = parse_iso8601(c.context.at("timestamp").get<std::string>());

      const BothWays got = sign_both_ways(fast, request, creds, now, service, region, normalize);
      check_equal(got);
      CHECK(got.authorization == signed_request_authorization(c.dir / "header-signed-request.txt"));
      CHECK(got.traced.canonical_request == read_file(c.dir / "header-canonical-request.txt"));
      CHECK(got.traced.string_to_sign == read_file(c.dir / "header-string-to-sign.txt"));
      // Signing again on the same signer (a retry) gives the same answer.
      SigningRequest again = to_signing_request(request);
      CHECK(fast.sign(again, creds, now) == got.authorization);
    }
  }
}

// Paths the signer hands to the pure canonical_uri (not normalized, relative, empty) and paths it
// encodes itself, with normalization on and off.
TEST_CASE("SigV4Signer::sign equals the pure steps on paths the corpora leave out", "[sigv4][fast]") {
  const std::vector<std::string> paths = {
      "",
      "/",
      "/a/b/",
      "/a//b",
      "//",
      "/a/./b/../c",
      "/a/b/..",
      "/a/b/.",
      "/.hidden/..dots/.../x.",
      "a/b",
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations",
      "/2015-03-31/functions/my-function/invocations",
      "/\xE1\x88\xB4/a b/~_-.",
      "/%2F%2e%2E/x",
  };
  SigV4Signer normalizing("lambda", "us-east-1", true);
  SigV4Signer literal("s3", "us-east-1", false);
  const Credentials creds{kAccessKeyId, kSecret, "token", std::nullopt};
  for (const auto& path : paths) {
    DYNAMIC_SECTION("path '" << path << "'") {
      ParsedRequest request;
      request.method = "GET";
      request.path = path;
      request.headers = {{"Host", "example.amazonaws.com"}};
      check_equal(sign_both_ways(normalizing, request, creds, corpus_time(), "lambda", "us-east-1", true));
      check_equal(sign_both_ways(literal, request, creds, corpus_time(), "s3", "us-east-1", false));
    }
  }
}

// Queries: none, one pair already canonical (the signer copies it), and everything the pure
// canonical_query_string must decode, re-encode or sort.
TEST_CASE("SigV4Signer::sign equals the pure steps on queries the corpora leave out", "[sigv4][fast]") {
  const std::vector<std::string> queries = {
      "",
      "Qualifier=prod",
      "Qualifier=%24LATEST",
      "Qualifier=$LATEST",
      "Qualifier=%7e",
      "Qualifier=%7E",
      "Qualifier=%2a",
      "Qualifier=%41",
      "Qualifier=%",
      "Qualifier=%4",
      "Qualifier=%zz",
      "Qualifier=a+b",
      "Qualifier=a=b",
      "Qualifier",
      "Qualifier=",
      "=v",
      "=",
      "b=2&a=1",
      "a=1&&a=0&",
      "Marker=abc%3D%3D&MaxItems=50",
  };
  SigV4Signer fast("lambda", "us-east-1");
  const Credentials creds{kAccessKeyId, kSecret, "", std::nullopt};
  for (const auto& query : queries) {
    DYNAMIC_SECTION("query '" << query << "'") {
      ParsedRequest request;
      request.method = "POST";
      request.path = "/2015-03-31/functions/f/invocations";
      request.query = query;
      request.headers = {{"host", "lambda.us-east-1.amazonaws.com"}};
      check_equal(sign_both_ways(fast, request, creds, corpus_time(), "lambda", "us-east-1", true));
    }
  }
}

// Header names in any case (the signer views lower-case names and copies only the others),
// repeated names across cases, values the canonical form trims and collapses, unsigned headers,
// and more headers than the signer sorts by insertion.
TEST_CASE("SigV4Signer::sign equals the pure steps on headers the corpora leave out", "[sigv4][fast]") {
  std::vector<std::pair<std::string, HeaderList>> tables = {
      {"mixed case",
       {{"Host", "h"},
        {"Content-Type", "application/json"},
        {"X-Amz-Invocation-Type", "Event"},
        {"x-b", "1"}}},
      {"repeated names in different cases, in arrival order",
       {{"host", "h"}, {"X-Dup", "first"}, {"x-a", "0"}, {"x-dup", "second"}, {"X-DUP", "third"}}},
      {"whitespace",
       {{"host", "  h  "},
        {"x-tabs", "\ta\t\tb \t c\t"},
        {"x-folded", "one\r\n two"},
        {"x-tabs-only", "\tx\t\ty\t"},
        {"x-line-breaks-only", "a\nb\r\nc\v\fd"},
        {"x-empty", ""},
        {"x-spaces-only", "    "},
        {"x-quoted", "\"a   b   c\""}}},
      {"names alike in their first eight bytes, and prefixes of one another",
       {{"host", "h"},
        {"x-amz-dz", "1"},
        {"x-amz-d", "2"},
        {"X-Amz-Da", "3"},
        {"x-amz-date-2", "4"},
        {"x-amz-datf", "5"},
        {"x-amz-dat", "6"},
        {"x-amz-meta-b", "7"},
        {"x-amz-meta-a", "8"},
        {"x-amz-meta", "9"},
        {"x-a", "10"},
        {"x", "11"},
        {"x-amz-meta-a", "12"}}},
      {"unsigned headers left out",
       {{"host", "h"},
        {"User-Agent", "ua"},
        {"connection", "keep-alive"},
        {"Transfer-Encoding", "chunked"},
        {"X-Amzn-Trace-Id", "t"},
        {"Authorization", "stale"},
        {"X-Amz-Date", "stale"},
        {"X-Amz-Security-Token", "stale"}}},
  };
  HeaderList many = {{"host", "h"}};
  for (int i = 0; i < 40; ++i) {
    many.emplace_back((i % 2 ? "X-Many-" : "x-many-") + std::to_string((i * 7) % 20), std::to_string(i));
  }
  tables.emplace_back("40 headers, repeated names", many);

  SigV4Signer fast("lambda", "us-east-1");
  const Credentials creds{kAccessKeyId, kSecret, "session", std::nullopt};
  for (const auto& [name, headers] : tables) {
    DYNAMIC_SECTION(name) {
      ParsedRequest request;
      request.method = "POST";
      request.path = "/p";
      request.headers = headers;
      request.body = "{\"k\": 1}";
      check_equal(sign_both_ways(fast, request, creds, corpus_time(), "lambda", "us-east-1", true));
    }
  }
}

// The signer remakes the date each second and the scope each day, and the Authorization prefix
// when the access key or the day changes: one signer through a sequence of (time, key) pairs, each
// result equal to the pure steps, going back to earlier seconds and keys as well.
TEST_CASE("SigV4Signer::sign follows the second, the day and the access key", "[sigv4][fast]") {
  using namespace std::chrono;
  struct Step {
    SystemTime time;
    const char* access_key_id;
    const char* secret;
  };
  const SystemTime t = corpus_time();
  const Step steps[] = {
      {t, kAccessKeyId, kSecret},
      {t + 400ms, kAccessKeyId, kSecret},  // same second
      {t + 1s, kAccessKeyId, kSecret},     // next second
      {t + 999ms, kAccessKeyId, kSecret},  // back to the first second
      {t, "AKIDOTHER", kSecret},           // another access key, same secret: new Credential=
      {t + 12h, "AKIDOTHER", kSecret},     // next day: new scope, new key
      {t + 12h, kAccessKeyId, "other-secret"},
      {at("2015-08-30T23:59:59Z"), kAccessKeyId, kSecret},
      {t - 24h * 365, kAccessKeyId, kSecret},  // a year before
  };
  const ParsedRequest request =
      parse_request(read_file(kCorpus / "aws4_testsuite" / "get-vanilla" / "get-vanilla.req"));
  SigV4Signer fast(kService, kRegion);
  for (const auto& step : steps) {
    const Credentials creds{step.access_key_id, step.secret, kVanillaSessionToken, std::nullopt};
    INFO(sigv4::format_amz_date(step.time) << " " << step.access_key_id << " " << step.secret);
    SigningRequest signing = to_signing_request(request);
    const std::string authorization(fast.sign(signing, creds, step.time));
    CHECK(header_value(signing.headers, "x-amz-date") == sigv4::format_amz_date(step.time));
    const Computed pure = compute(as_signed(request, signing), sigv4::format_amz_date(step.time),
                                  step.access_key_id, step.secret, kRegion, kService, true);
    CHECK(authorization == pure.authorization);
  }
}

// The canonical request is hashed from the state after its session token line while method,
// path, query and the headers up to the token repeat: one signer signs an Invoke with a 1 KB token
// through payloads, later headers, seconds, functions and tokens that change, going back to
// earlier ones as well, and each result equals the pure steps.
TEST_CASE("SigV4Signer::sign resumes the canonical request hash only while its beginning repeats",
          "[sigv4][fast]") {
  using namespace std::chrono;
  struct Step {
    const char* what;
    SystemTime time;
    std::string path;
    std::string token;
    std::string body;
    std::string envoy_path;  // x-envoy-original-path: sorts after the token
  };
  const SystemTime t = corpus_time();
  const std::string invoke = "/2015-03-31/functions/f/invocations";
  const std::string token(1024, 'T');
  const std::string other_token = std::string(1023, 'T') + "U";  // differs in its last byte only
  const std::vector<Step> steps = {
      {"first", t, invoke, token, "\"abc\"", "/a"},
      {"another payload", t + 100ms, invoke, token, "\"other\"", "/a"},
      {"another header after the token", t + 200ms, invoke, token, "\"abc\"", "/b/c"},
      {"next second", t + 1s, invoke, token, "\"abc\"", "/a"},
      {"back to the first second", t + 300ms, invoke, token, "\"abc\"", "/a"},
      {"another function", t + 400ms, "/2015-03-31/functions/g/invocations", token, "\"abc\"", "/a"},
      {"another token", t + 500ms, invoke, other_token, "\"abc\"", "/a"},
      {"no token", t + 600ms, invoke, "", "\"abc\"", "/a"},
      {"the first again", t, invoke, token, "\"abc\"", "/a"},
      {"the first again, once more", t, invoke, token, "", "/a"},
  };
  SigV4Signer fast("lambda", "us-east-1");
  for (const auto& step : steps) {
    INFO(step.what);
    ParsedRequest request;
    request.method = "POST";
    request.path = step.path;
    request.headers = {{"host", "lambda.us-east-1.amazonaws.com"},
                       {"content-type", "application/json"},
                       {"x-amz-invocation-type", "RequestResponse"},
                       {"x-amz-log-type", "None"},
                       {"x-envoy-original-path", step.envoy_path}};
    request.body = step.body;
    const Credentials creds{kAccessKeyId, kSecret, step.token, std::nullopt};
    check_equal(sign_both_ways(fast, request, creds, step.time, "lambda", "us-east-1", true));
  }
}

// A request equal to the one before but for its payload reuses the canonical request up to the
// payload hash: one signer, all within one second and with one token, goes through requests
// that differ from the one before in one part each (method, query, a header's value, a header
// more or less, a header's name case) and through repeats, and each result equals the pure steps.
TEST_CASE("SigV4Signer::sign reuses the canonical request only for an equal request", "[sigv4][fast]") {
  using namespace std::chrono;
  struct Step {
    const char* what;
    std::string method;
    std::string query;
    HeaderList headers;
    std::string body;
  };
  const HeaderList base = {{"host", "lambda.us-east-1.amazonaws.com"},
                           {"content-type", "application/json"},
                           {"x-amz-invocation-type", "RequestResponse"}};
  HeaderList other_value = base;
  other_value[2].second = "Event";
  HeaderList one_more = base;
  one_more.emplace_back("x-amz-client-context", "e30=");
  HeaderList upper_name = base;
  upper_name[1].first = "Content-Type";
  const std::string q = "Qualifier=prod";
  const std::vector<Step> steps = {
      {"first", "POST", q, base, "\"abc\""},
      {"the same", "POST", q, base, "\"abc\""},
      {"another payload", "POST", q, base, "\"xyz\""},
      {"another method", "PUT", q, base, "\"xyz\""},
      {"the method back", "POST", q, base, "\"xyz\""},
      {"another query", "POST", "Qualifier=dev", base, "\"xyz\""},
      {"no query", "POST", "", base, "\"xyz\""},
      {"another header value", "POST", q, other_value, "\"xyz\""},
      {"one header more", "POST", q, one_more, "\"xyz\""},
      {"one header less", "POST", q, base, "\"xyz\""},
      {"a name in upper case", "POST", q, upper_name, "\"xyz\""},
      {"the first again", "POST", q, base, "\"abc\""},
      {"no payload", "POST", q, base, ""},
  };
  SigV4Signer fast("lambda", "us-east-1");
  const Credentials creds{kAccessKeyId, kSecret, std::string(1024, 'T'), std::nullopt};
  const SystemTime t = corpus_time();
  for (const auto& step : steps) {
    INFO(step.what);
    ParsedRequest request;
    request.method = step.method;
    request.path = "/2015-03-31/functions/f/invocations";
    request.query = step.query;
    request.headers = step.headers;
    request.body = step.body;
    check_equal(sign_both_ways(fast, request, creds, t + 10ms, "lambda", "us-east-1", true));
  }
}

// sign_repeat: the request signed last, with another payload, signed as a fresh signer signs that
// request in full (the full path is proven above against the pure steps and both AWS suites);
// and nothing once the second, the key, the access key id or the token is not the one it was
// signed with, or before anything was signed.
TEST_CASE("SigV4Signer::sign_repeat signs the last request again only in its second and with its credentials",
          "[sigv4][fast]") {
  using namespace std::chrono;
  const Credentials creds{kAccessKeyId, kSecret, std::string(1024, 'T'), std::nullopt};
  const SystemTime t = corpus_time();
  ParsedRequest request;
  request.method = "POST";
  request.path = "/2015-03-31/functions/f/invocations";
  request.query = "Qualifier=prod";
  request.headers = {{"host", "lambda.us-east-1.amazonaws.com"},
                     {"content-type", "application/json"},
                     {"x-amz-invocation-type", "RequestResponse"}};
  request.body = "\"abc\"";
  // The signature a fresh signer gives `request` with `payload`, in full.
  const auto full_signature = [](ParsedRequest with, std::string payload, const Credentials& c,
                                 SystemTime at) {
    with.body = std::move(payload);
    SigV4Signer fresh("lambda", "us-east-1");
    SigningRequest signing = to_signing_request(with);
    const std::string authorization(fresh.sign(signing, c, at));
    return authorization.substr(authorization.size() - 64);
  };

  SigV4Signer fast("lambda", "us-east-1");
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", creds, t));  // nothing signed yet
  SigningRequest first = to_signing_request(request);
  fast.sign(first, creds, t + 10ms);
  for (const std::string& payload :
       std::vector<std::string>{"\"xyz\"", "", "\"abc\"", std::string(5000, 'p')}) {
    INFO("payload of " << payload.size() << " bytes");
    const auto repeated = fast.sign_repeat(payload, creds, t + 990ms);
    REQUIRE(repeated);
    CHECK(*repeated == full_signature(request, payload, creds, t + 990ms));
  }
  // sign() after repeats still finds its request equal to the one before, and signs it right.
  SigningRequest again = to_signing_request(request);
  const std::string authorization(fast.sign(again, creds, t + 500ms));
  CHECK(authorization.substr(authorization.size() - 64) == full_signature(request, request.body, creds, t));

  CHECK_FALSE(fast.sign_repeat("\"xyz\"", creds, t + 1s));   // the next second
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", creds, t - 1ms));  // the second before
  Credentials other = creds;
  other.session_token = std::string(1024, 'U');
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", other, t));
  other = creds;
  other.session_token.clear();
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", other, t));
  other = creds;
  other.secret_access_key = "another secret";
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", other, t));
  other = creds;
  other.access_key_id = "AKIDOTHER";
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", other, t));
  CHECK(fast.sign_repeat("\"xyz\"", creds, t));  // and with its own, still

  // Without a token: repeated without one only.
  Credentials no_token = creds;
  no_token.session_token.clear();
  SigningRequest plain = to_signing_request(request);
  fast.sign(plain, no_token, t);
  CHECK_FALSE(fast.sign_repeat("\"xyz\"", creds, t));
  const auto repeated = fast.sign_repeat("\"xyz\"", no_token, t);
  REQUIRE(repeated);
  CHECK(*repeated == full_signature(request, "\"xyz\"", no_token, t));

  // After another request, that one is repeated.
  ParsedRequest other_request = request;
  other_request.query = "Qualifier=dev";
  SigningRequest second = to_signing_request(other_request);
  fast.sign(second, creds, t);
  const auto repeated_other = fast.sign_repeat("\"xyz\"", creds, t);
  REQUIRE(repeated_other);
  CHECK(*repeated_other == full_signature(other_request, "\"xyz\"", creds, t));
  CHECK(*repeated_other != full_signature(request, "\"xyz\"", creds, t));
}

// sigv4::append_uri_encoded (Invoke's paths, built on the request path) encodes as the plain
// uri_encode the signer is checked against: every byte value alone, with and without '/' kept,
// and runs of kept bytes between bytes that are escaped.
TEST_CASE("sigv4::append_uri_encoded equals uri_encode", "[sigv4][fast]") {
  std::vector<std::string> inputs = {"",
                                     "my-function",
                                     "a:b",
                                     "/2015-03-31/functions/f/invocations",
                                     "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
                                     "%2F%",
                                     "caf\xc3\xa9 au lait~_.-",
                                     "//..//"};
  for (int c = 0; c < 256; ++c) inputs.emplace_back(1, static_cast<char>(c));
  for (const auto& input : inputs) {
    for (const bool keep_slash : {false, true}) {
      INFO("input " << input << ", keep_slash " << keep_slash);
      std::string out = "prefix";
      sigv4::append_uri_encoded(out, input, keep_slash);
      CHECK(out == "prefix" + sigv4::uri_encode(input, keep_slash));
    }
  }
}
