// SigV4 against the AWS signing corpora in tests/data/sigv4 (see its README.md): every
// header-signing case of set A (botocore's aws4_testsuite) and set B (aws-c-auth's v4 suite),
// checking the canonical request, the string to sign and the signature, plus SigV4Signer end to
// end and its signing-key cache. The corpus readers are in sigv4_corpus.hpp;
// sigv4_fast_path_test.cpp holds SigV4Signer to the pure steps on the same requests.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "lambdagate/aws/sigv4.hpp"
#include "unit/aws/sigv4_corpus.hpp"

using namespace lambdagate::testing::sigv4_corpus;

// Set A: each .req through the pure functions must give exactly the .creq, .sts and .authz.
TEST_CASE("SigV4 corpus set A (aws4_testsuite), header signing", "[sigv4][corpus]") {
  const auto cases = set_a_cases();
  REQUIRE(cases.size() == 34);

  for (const auto& c : cases) {
    DYNAMIC_SECTION("set A: " << c.name) {
      ParsedRequest request = parse_request(read_file(c.file(".req")));
      // The token is not in this .req: a signer adds it from the credentials and signs it.
      // (post-sts-header-before carries it already; post-sts-header-after adds it after signing.)
      if (c.name == "get-vanilla-with-session-token") {
        request.headers.emplace_back("X-Amz-Security-Token", kVanillaSessionToken);
      }
      const auto amz_date = header_value(request.headers, "x-amz-date");
      REQUIRE(amz_date);

      const Computed got = compute(request, *amz_date, kAccessKeyId, kSecret, kRegion, kService, true);
      CHECK(got.canonical_request == read_file(c.file(".creq")));
      CHECK(got.string_to_sign == read_file(c.file(".sts")));
      CHECK(got.authorization == read_file(c.file(".authz")));
    }
  }
}

// Set B: the same for every v4 case's header variant, with context.json's inputs.
TEST_CASE("SigV4 corpus set B (aws-c-auth v4), header signing", "[sigv4][corpus]") {
  const auto cases = set_b_cases();
  REQUIRE(cases.size() == 38);

  for (const auto& c : cases) {
    DYNAMIC_SECTION("set B: " << c.name) {
      const ParsedRequest request = set_b_request(c, true);
      const Credentials creds = set_b_credentials(c);
      const std::string amz_date =
          sigv4::format_amz_date(parse_iso8601(c.context.at("timestamp").get<std::string>()));
      const Computed got =
          compute(request, amz_date, creds.access_key_id, creds.secret_access_key,
                  c.context.at("region").get<std::string>(), c.context.at("service").get<std::string>(),
                  c.context.at("normalize").get<bool>());
      CHECK(got.canonical_request == read_file(c.dir / "header-canonical-request.txt"));
      CHECK(got.string_to_sign == read_file(c.dir / "header-string-to-sign.txt"));
      CHECK(got.signature == read_file(c.dir / "header-signature.txt"));
      CHECK(got.authorization == signed_request_authorization(c.dir / "header-signed-request.txt"));
    }
  }
}

// The signer does the same steps: for every set-B case whose token is signed, sign_traced() gives
// the corpus' intermediate strings and results and leaves x-amz-date, the token and authorization
// on the request once.
TEST_CASE("SigV4Signer::sign_traced reproduces corpus set B", "[sigv4][corpus][signer]") {
  const auto cases = set_b_cases();
  REQUIRE(cases.size() == 38);
  std::size_t signed_cases = 0;
  for (const auto& c : cases) {
    if (c.context.value("omit_session_token", false)) continue;  // the signer always signs a token
    ++signed_cases;
    DYNAMIC_SECTION("signer, set B: " << c.name) {
      const ParsedRequest request = set_b_request(c, false);
      const Credentials creds = set_b_credentials(c);
      SigV4Signer signer(c.context.at("service").get<std::string>(),
                         c.context.at("region").get<std::string>(), c.context.at("normalize").get<bool>());
      SigningRequest to_sign = to_signing_request(request);
      const auto result =
          signer.sign_traced(to_sign, creds, parse_iso8601(c.context.at("timestamp").get<std::string>()));

      CHECK(result.canonical_request == read_file(c.dir / "header-canonical-request.txt"));
      CHECK(result.string_to_sign == read_file(c.dir / "header-string-to-sign.txt"));
      CHECK(result.signature == read_file(c.dir / "header-signature.txt"));
      CHECK(result.authorization == signed_request_authorization(c.dir / "header-signed-request.txt"));
      CHECK(header_count(to_sign.headers, "x-amz-date") == 1);
      CHECK(header_value(to_sign.headers, "x-amz-date") == "20150830T123600Z");
      CHECK(header_count(to_sign.headers, "authorization") == 1);
      CHECK(header_value(to_sign.headers, "authorization") == result.authorization);
      CHECK(header_count(to_sign.headers, "x-amz-security-token") == (creds.session_token.empty() ? 0u : 1u));
      if (!creds.session_token.empty()) {
        CHECK(header_value(to_sign.headers, "x-amz-security-token") == creds.session_token);
      }
    }
  }
  CHECK(signed_cases == 37);
}

// Set A requests already carry X-Amz-Date (and post-sts-header-before its token): the signer
// replaces them with its own values instead of adding a second copy.
TEST_CASE("SigV4Signer::sign replaces signing headers already on the request", "[sigv4][signer]") {
  const fs::path root = kCorpus / "aws4_testsuite";
  SigV4Signer signer(kService, kRegion);
  Credentials creds{kAccessKeyId, kSecret, "", std::nullopt};

  SECTION("get-vanilla") {
    const ParsedRequest request = parse_request(read_file(root / "get-vanilla" / "get-vanilla.req"));
    SigningRequest to_sign = to_signing_request(request);
    to_sign.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 stale");
    const auto result = signer.sign_traced(to_sign, creds, corpus_time());
    CHECK(result.canonical_request == read_file(root / "get-vanilla" / "get-vanilla.creq"));
    CHECK(result.authorization == read_file(root / "get-vanilla" / "get-vanilla.authz"));
    CHECK(header_count(to_sign.headers, "x-amz-date") == 1);
    CHECK(header_count(to_sign.headers, "authorization") == 1);
    CHECK(header_count(to_sign.headers, "x-amz-security-token") == 0);
  }

  SECTION("post-sts-header-before") {
    const fs::path dir = root / "post-sts-token" / "post-sts-header-before";
    const ParsedRequest request = parse_request(read_file(dir / "post-sts-header-before.req"));
    creds.session_token = *header_value(request.headers, "x-amz-security-token");
    SigningRequest to_sign = to_signing_request(request);
    const auto result = signer.sign_traced(to_sign, creds, corpus_time());
    CHECK(result.canonical_request == read_file(dir / "post-sts-header-before.creq"));
    CHECK(result.string_to_sign == read_file(dir / "post-sts-header-before.sts"));
    CHECK(result.authorization == read_file(dir / "post-sts-header-before.authz"));
    CHECK(header_count(to_sign.headers, "x-amz-security-token") == 1);
  }

  SECTION("signing the same request twice (a retry) gives the same single set of headers") {
    const ParsedRequest request = parse_request(read_file(root / "get-vanilla" / "get-vanilla.req"));
    SigningRequest to_sign = to_signing_request(request);
    creds.session_token = kVanillaSessionToken;
    const auto first = signer.sign_traced(to_sign, creds, corpus_time());
    const auto second = signer.sign_traced(to_sign, creds, corpus_time());
    CHECK(first.authorization == second.authorization);
    const fs::path dir = root / "get-vanilla-with-session-token";
    CHECK(second.authorization == read_file(dir / "get-vanilla-with-session-token.authz"));
    CHECK(header_count(to_sign.headers, "x-amz-date") == 1);
    CHECK(header_count(to_sign.headers, "x-amz-security-token") == 1);
    CHECK(header_count(to_sign.headers, "authorization") == 1);
  }
}

// The signer keeps one derived key; it must notice a new UTC day and a new secret. One signer
// goes through a sequence of (secret, time) pairs and every result must equal the pure
// computation for that pair, including going back to the first pair.
TEST_CASE("SigV4Signer re-derives its signing key when the date or the secret changes", "[sigv4][signer]") {
  const fs::path dir = kCorpus / "aws4_testsuite" / "get-vanilla";
  const ParsedRequest base = parse_request(read_file(dir / "get-vanilla.req"));
  SigV4Signer signer(kService, kRegion);

  using namespace std::chrono;
  struct Step {
    const char* secret;
    lambdagate::core::SystemTime time;
  };
  const auto day_end = sys_days{2015y / August / 30} + 23h + 59min + 59s;
  const Step steps[] = {
      {kSecret, corpus_time()},
      {kSecret, corpus_time() + 1h},     // same day: cached key
      {kSecret, day_end},                // still the same day
      {kSecret, day_end + 1s},           // 2015-08-31: new key
      {"rotated-secret", day_end + 2s},  // new secret, same day: new key
      {kSecret, day_end + 3s},           // the old secret again on the new day
      {kSecret, corpus_time()},          // back to the first pair
  };
  for (const auto& step : steps) {
    SigningRequest to_sign = to_signing_request(base);
    Credentials creds{kAccessKeyId, step.secret, "", std::nullopt};
    const auto result = signer.sign_traced(to_sign, creds, step.time);

    ParsedRequest expected_request = base;
    expected_request.headers = to_sign.headers;
    std::erase_if(expected_request.headers, [](const auto& h) { return h.first == "authorization"; });
    const std::string amz_date = sigv4::format_amz_date(step.time);
    const Computed expected =
        compute(expected_request, amz_date, kAccessKeyId, step.secret, kRegion, kService, true);
    INFO("secret " << step.secret << " at " << amz_date);
    CHECK(result.string_to_sign == expected.string_to_sign);
    CHECK(result.signature == expected.signature);
    CHECK(result.authorization == expected.authorization);
  }
  // And the first pair is still the corpus answer.
  SigningRequest to_sign = to_signing_request(base);
  CHECK(signer.sign(to_sign, Credentials{kAccessKeyId, kSecret, "", std::nullopt}, corpus_time()) ==
        read_file(dir / "get-vanilla.authz"));
}

// The pure helpers on inputs the corpora do not cover.
TEST_CASE("SigV4 helpers", "[sigv4]") {
  SECTION("uri_encode keeps only unreserved bytes (and '/' when asked), upper-case hex") {
    CHECK(sigv4::uri_encode("a-b_c.d~e", false) == "a-b_c.d~e");
    CHECK(sigv4::uri_encode("a b+c/d:e$", false) == "a%20b%2Bc%2Fd%3Ae%24");
    CHECK(sigv4::uri_encode("a b/c", true) == "a%20b/c");
    CHECK(sigv4::uri_encode("\xE1\x88\xB4", false) == "%E1%88%B4");
  }
  SECTION("percent_decode decodes %XX and keeps invalid escapes") {
    CHECK(sigv4::percent_decode("a%3Ab%3a") == "a:b:");
    CHECK(sigv4::percent_decode("100%") == "100%");
    CHECK(sigv4::percent_decode("%zz%4") == "%zz%4");
    CHECK(sigv4::percent_decode("a+b") == "a+b");
  }
  SECTION("canonical_uri signs the wire path: an encoded ':' is encoded again") {
    CHECK(sigv4::canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda/invocations") ==
          "/2015-03-31/functions/arn%253Aaws%253Alambda/invocations");
    CHECK(sigv4::canonical_uri("") == "/");
    CHECK(sigv4::canonical_uri("", false) == "/");
    CHECK(sigv4::canonical_uri("/a/b/../c/./d") == "/a/c/d");
    CHECK(sigv4::canonical_uri("/a/b/..") == "/a/");
    CHECK(sigv4::canonical_uri("/../..") == "/");
    CHECK(sigv4::canonical_uri("//a//b//", false) == "//a//b//");
  }
  SECTION("canonical_query_string sorts encoded pairs, empty values and odd separators") {
    CHECK(sigv4::canonical_query_string("") == "");
    CHECK(sigv4::canonical_query_string("b=2&a=1&a") == "a=&a=1&b=2");
    CHECK(sigv4::canonical_query_string("Qualifier=%24LATEST") == "Qualifier=%24LATEST");
    CHECK(sigv4::canonical_query_string("x=a b&&y=%7e") == "x=a%20b&y=~");
  }
  SECTION("canonical_headers leaves hop-by-hop and SDK-unsigned headers out") {
    const HeaderList headers = {{"Host", "h"},
                                {"User-Agent", "x"},
                                {"Connection", "keep-alive"},
                                {"Expect", "100-continue"},
                                {"Transfer-Encoding", "chunked"},
                                {"X-Amzn-Trace-Id", "t"},
                                {"Authorization", "old"},
                                {"X-Amz-Date", "d"}};
    const auto canonical = sigv4::canonical_headers(headers);
    CHECK(canonical.signed_headers == "host;x-amz-date");
    CHECK(canonical.canonical == "host:h\nx-amz-date:d\n");
  }
  SECTION("format_amz_date is UTC basic ISO-8601") {
    using namespace std::chrono;
    CHECK(sigv4::format_amz_date(corpus_time()) == "20150830T123600Z");
    CHECK(sigv4::format_amz_date(sys_days{2024y / February / 29} + 1h + 2min + 3s + 999ms) ==
          "20240229T010203Z");
    CHECK(sigv4::format_amz_date(sys_days{1999y / December / 31}) == "19991231T000000Z");
  }
  SECTION("hmac_sha256 and hex match RFC 4231 test case 2") {
    CHECK(sigv4::hex(sigv4::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(sigv4::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // The HMAC context is reused per thread: an empty key must not inherit the previous one.
    const std::string empty_key_mac = sigv4::hex(sigv4::hmac_sha256("", "data"));
    CHECK(sigv4::hex(sigv4::hmac_sha256("other", "data")) != empty_key_mac);
    CHECK(sigv4::hex(sigv4::hmac_sha256(std::string_view{}, "data")) == empty_key_mac);
    CHECK(empty_key_mac == "e528c4d99e6177f5841f712a143b90843299a4aa181a06501422d9ca862bd2a5");
  }
}
