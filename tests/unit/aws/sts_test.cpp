// STS as pure functions: endpoint selection, request bodies, and parsing of real-shaped XML
// answers (success for both operations, ErrorResponse, and everything that is not STS XML).
#include "lambdagate/aws/sts.hpp"

#include <catch2/catch.hpp>

#include "fakes/fake_env.hpp"
#include <chrono>
#include <map>
#include <string>
#include <variant>

#include "lambdagate/aws/sigv4.hpp"

namespace {

using namespace std::chrono_literals;
using namespace lambdagate;
using aws::AssumedRole;
using aws::StsError;
using aws::StsResult;

using lambdagate::testing::fake_env;
using lambdagate::testing::fake_lookup;

constexpr const char* kWebIdentitySuccess =
    R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLEKEY</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>
      <SessionToken>FwoGZXIvYXdzEBYaDExampleSessionToken+/=</SessionToken>
      <Expiration>2026-01-01T12:00:00Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/R/sess</Arn>
      <AssumedRoleId>AROAEXAMPLE:sess</AssumedRoleId>
    </AssumedRoleUser>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE</Provider>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
)";

constexpr const char* kAssumeRoleSuccess =
    R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIACHAINED</AccessKeyId>
      <SecretAccessKey>chained-secret</SecretAccessKey>
      <SessionToken>chained-token</SessionToken>
      <Expiration>2026-01-01T13:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::210987654321:assumed-role/Target/gw</Arn>
      <AssumedRoleId>AROATARGET:gw</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>uuid</RequestId></ResponseMetadata>
</AssumeRoleResponse>
)";

std::string error_xml(const std::string& code, const std::string& message,
                      const std::string& type = "Sender") {
  return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>)" +
         type + "</Type><Code>" + code + "</Code><Message>" + message + R"(</Message></Error>
  <RequestId>4c3d2e1f-0000-1111-2222-333344445555</RequestId>
</ErrorResponse>)";
}

http::ClientResponse response(unsigned status, std::string body) {
  return http::ClientResponse{status, {{"Content-Type", "text/xml"}}, std::move(body)};
}

AssumedRole parsed_ok(const StsResult& result) {
  if (const auto* e = std::get_if<StsError>(&result))
    FAIL("unexpected STS error: " << e->code << " " << e->message);
  return std::get<AssumedRole>(result);
}

StsError parsed_error(const StsResult& result) {
  if (std::holds_alternative<AssumedRole>(result)) FAIL("expected an STS error");
  return std::get<StsError>(result);
}

core::SystemTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

// ---- responses -------------------------------------------------------------------------------

// The AssumeRoleWithWebIdentity success shape of aws-protocols.md §2.3.
TEST_CASE("parse_sts_response reads AssumeRoleWithWebIdentity credentials", "[sts]") {
  const auto role = parsed_ok(aws::parse_sts_response(response(200, kWebIdentitySuccess)));
  CHECK(role.credentials.access_key_id == "ASIAEXAMPLEKEY");
  CHECK(role.credentials.secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  CHECK(role.credentials.session_token == "FwoGZXIvYXdzEBYaDExampleSessionToken+/=");
  CHECK(role.credentials.expiration == utc(2026, 1, 1, 12, 0, 0));
  CHECK(role.assumed_role_arn == "arn:aws:sts::123456789012:assumed-role/R/sess");
}

// The AssumeRole success shape: the same Credentials under AssumeRoleResponse/AssumeRoleResult.
TEST_CASE("parse_sts_response reads AssumeRole credentials", "[sts]") {
  const auto role = parsed_ok(aws::parse_sts_response(response(200, kAssumeRoleSuccess)));
  CHECK(role.credentials.access_key_id == "ASIACHAINED");
  CHECK(role.credentials.secret_access_key == "chained-secret");
  CHECK(role.credentials.session_token == "chained-token");
  CHECK(role.credentials.expiration == utc(2026, 1, 1, 13, 0, 0));
  CHECK(role.assumed_role_arn == "arn:aws:sts::210987654321:assumed-role/Target/gw");
}

// Elements are matched by local name: a namespace prefix, an XML declaration or a CDATA section
// changes nothing.
TEST_CASE("parse_sts_response ignores namespace prefixes", "[sts]") {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<sts:AssumeRoleResponse xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/">
  <sts:AssumeRoleResult><sts:Credentials>
    <sts:AccessKeyId>ASIAPREFIXED</sts:AccessKeyId><sts:SecretAccessKey><![CDATA[s<e>cret]]></sts:SecretAccessKey>
    <sts:SessionToken>tok</sts:SessionToken><sts:Expiration>2026-01-01T12:00:00Z</sts:Expiration>
  </sts:Credentials></sts:AssumeRoleResult>
</sts:AssumeRoleResponse>)";
  const auto role = parsed_ok(aws::parse_sts_response(response(200, xml)));
  CHECK(role.credentials.access_key_id == "ASIAPREFIXED");
  CHECK(role.credentials.secret_access_key == "s<e>cret");
  CHECK(role.assumed_role_arn.empty());
}

// Expiration as ISO-8601 with fractional seconds or an explicit offset; anything else, or a
// time SystemTime cannot hold, is an error.
TEST_CASE("parse_sts_response accepts fractional seconds and UTC offsets in Expiration", "[sts]") {
  using namespace std::chrono;
  const std::string base = kWebIdentitySuccess;
  auto expiry_of = [&](const std::string& text) {
    return parsed_ok(aws::parse_sts_response(response(200, replaced(base, "2026-01-01T12:00:00Z", text))))
        .credentials.expiration;
  };
  CHECK(expiry_of("2026-01-01T12:00:00.250Z") == utc(2026, 1, 1, 12, 0, 0) + 250ms);
  CHECK(expiry_of("2026-01-01T12:00:00+00:00") == utc(2026, 1, 1, 12, 0, 0));
  CHECK(expiry_of("2026-01-01T14:30:00+02:30") == utc(2026, 1, 1, 12, 0, 0));
  CHECK(expiry_of("2026-01-01T07:00:00.5-05:00") == utc(2026, 1, 1, 12, 0, 0) + 500ms);
  CHECK(expiry_of("2024-02-29T00:00:00Z") == utc(2024, 2, 29, 0, 0, 0));

  for (const char* bad :
       {"2026-01-01 12:00:00Z", "2026-01-01T12:00:00", "2026-13-01T12:00:00Z", "2025-02-29T12:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T12:00:00.Z", "1767268800", "2026-01-01T12:00:00Zjunk",
        // Past what SystemTime's 64-bit nanoseconds hold (2262): once an overflow, found by
        // tests/fuzz/sts_xml_fuzz.cpp under UBSan.
        "4052-11-26T12:00:00Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z"}) {
    INFO(bad);
    const auto error =
        parsed_error(aws::parse_sts_response(response(200, replaced(base, "2026-01-01T12:00:00Z", bad))));
    CHECK(error.message.find("Expiration") != std::string::npos);
    CHECK_FALSE(error.retryable);
  }
}

// Every error code of aws-protocols.md §2.4 with its HTTP status and whether to retry it.
TEST_CASE("parse_sts_response classifies ErrorResponse codes", "[sts]") {
  struct Row {
    const char* code;
    unsigned status;
    bool retryable;
  };
  const Row rows[] = {
      {"Throttling", 400, true},
      {"IDPCommunicationError", 400, true},
      {"InvalidIdentityToken", 400, true},
      {"ExpiredTokenException", 400, false},
      {"IDPRejectedClaim", 403, false},
      {"AccessDenied", 403, false},
      {"RegionDisabledException", 403, false},
      {"MalformedPolicyDocument", 400, false},
      {"PackedPolicyTooLarge", 400, false},
      {"ValidationError", 400, false},
      {"InvalidClientTokenId", 403, false},
      {"SignatureDoesNotMatch", 403, false},
      {"InternalFailure", 500, true},
      {"ServiceUnavailable", 503, true},
  };
  for (const auto& row : rows) {
    INFO(row.code);
    const auto error =
        parsed_error(aws::parse_sts_response(response(row.status, error_xml(row.code, "it failed"))));
    CHECK(error.code == row.code);
    CHECK(error.message == "it failed");
    CHECK(error.http_status == row.status);
    CHECK(error.retryable == row.retryable);
    CHECK(aws::is_retryable_sts_error(row.code, row.status) == row.retryable);
  }
  // Status alone decides when there is no code: 5xx and 429 are transient.
  CHECK(aws::is_retryable_sts_error("", 502));
  CHECK(aws::is_retryable_sts_error("", 429));
  CHECK_FALSE(aws::is_retryable_sts_error("", 400));
  CHECK_FALSE(aws::is_retryable_sts_error("AccessDenied", 403));
}

// The message STS sends is kept (it explains AccessDenied), but stripped of control characters
// and cut to a sane length.
TEST_CASE("parse_sts_response keeps STS's message, sanitised", "[sts]") {
  const auto denied = parsed_error(aws::parse_sts_response(
      response(403, error_xml("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))));
  CHECK(denied.message == "Not authorized to perform sts:AssumeRoleWithWebIdentity");

  const auto noisy =
      parsed_error(aws::parse_sts_response(response(400, error_xml("ValidationError", "a\nb\tc"))));
  CHECK(noisy.message == "a b c");

  const auto long_message = parsed_error(
      aws::parse_sts_response(response(400, error_xml("ValidationError", std::string(5000, 'x')))));
  CHECK(long_message.message.size() < 400);

  // A code that is not an identifier is not trusted as one.
  const auto odd = parsed_error(aws::parse_sts_response(response(400, error_xml("Throttling now!", "m"))));
  CHECK(odd.code.empty());
  CHECK_FALSE(odd.retryable);
}

// Bodies that are not XML, or not STS's XML: an error with no code, retryable only for 5xx.
TEST_CASE("parse_sts_response rejects malformed and foreign bodies", "[sts]") {
  SECTION("truncated XML on 200") {
    const std::string body = std::string(kWebIdentitySuccess).substr(0, 200);
    const auto error = parsed_error(aws::parse_sts_response(response(200, body)));
    CHECK(error.code.empty());
    CHECK_FALSE(error.retryable);
    CHECK(error.http_status == 200);
  }
  SECTION("garbage bytes") {
    const auto error =
        parsed_error(aws::parse_sts_response(response(200, std::string("\x01\xff\xfe garbage <<", 14))));
    CHECK(error.code.empty());
    CHECK_FALSE(error.retryable);
  }
  SECTION("empty body") {
    const auto error = parsed_error(aws::parse_sts_response(response(200, "")));
    CHECK_FALSE(error.retryable);
  }
  SECTION("5xx with an HTML page from a load balancer") {
    const auto error = parsed_error(aws::parse_sts_response(
        response(503,
                 "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
                 "<h1>503</h1></center></body></html>")));
    CHECK(error.code.empty());
    CHECK(error.retryable);
    CHECK(error.http_status == 503);
    CHECK(error.message.find("<html>") == std::string::npos);
  }
  SECTION("5xx with non-XML text") {
    const auto error = parsed_error(aws::parse_sts_response(response(502, "Bad Gateway")));
    CHECK(error.retryable);
  }
  SECTION("403 with an HTML page") {
    const auto error =
        parsed_error(aws::parse_sts_response(response(403, "<html><body>Forbidden</body></html>")));
    CHECK_FALSE(error.retryable);
  }
  SECTION("200 with some other XML document") {
    const auto error = parsed_error(
        aws::parse_sts_response(response(200, "<ListBucketResult><Name>b</Name></ListBucketResult>")));
    CHECK(error.code.empty());
    CHECK_FALSE(error.retryable);
  }
  SECTION("a success shape with a non-2xx status") {
    const auto error = parsed_error(aws::parse_sts_response(response(500, kAssumeRoleSuccess)));
    CHECK(error.retryable);
  }
}

// All four Credentials fields are required.
TEST_CASE("parse_sts_response reports a missing Credentials field", "[sts]") {
  const std::string base = kWebIdentitySuccess;
  for (const std::string field : {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}) {
    INFO(field);
    const auto open = base.find("<" + field + ">");
    const auto close = base.find("</" + field + ">");
    REQUIRE(open != std::string::npos);
    std::string body = base;
    body.erase(open, close + field.size() + 3 - open);
    const auto error = parsed_error(aws::parse_sts_response(response(200, body)));
    CHECK(error.message.find(field) != std::string::npos);
    CHECK_FALSE(error.retryable);
    CHECK(error.code.empty());
  }
  const auto no_credentials = parsed_error(aws::parse_sts_response(response(
      200,
      "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser/></AssumeRoleResult></AssumeRoleResponse>")));
  CHECK(no_credentials.message.find("Credentials") != std::string::npos);
}

// ---- requests -------------------------------------------------------------------------------

// The awsQuery form bodies: Action, Version, the parameters, every value percent-encoded.
TEST_CASE("STS request bodies are form-encoded awsQuery", "[sts]") {
  CHECK(aws::assume_role_with_web_identity_body("arn:aws:iam::123456789012:role/web-role", "gw-1",
                                                "eyJhbGciOi.J9-_x~y+z/=") ==
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
        "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb-role&RoleSessionName=gw-1"
        "&WebIdentityToken=eyJhbGciOi.J9-_x~y%2Bz%2F%3D");
  CHECK(aws::assume_role_with_web_identity_body("arn:aws:iam::1:role/r", "s@x", "t", 900s) ==
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
        "&RoleSessionName=s%40x&WebIdentityToken=t&DurationSeconds=900");
  CHECK(aws::assume_role_body("arn:aws:iam::210987654321:role/Target", "gw") ==
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FTarget"
        "&RoleSessionName=gw");
  CHECK(aws::assume_role_body("arn:aws:iam::1:role/r", "gw", 3600s).ends_with("&DurationSeconds=3600"));
}

// RoleSessionName: 2–64 characters of [\w+=,.@-].
TEST_CASE("valid_role_session_name follows STS's pattern", "[sts]") {
  for (const char* good : {"ab", "lambdagate-1700000000", "user@example.com", "a_b+c=d,e.f@g-h",
                           "x123456789012345678901234567890123456789012345678901234567890123"}) {
    INFO(good);
    CHECK(aws::valid_role_session_name(good));
  }
  for (const char* bad : {"", "a", "has space", "slash/no", "colon:no", "ünïcode",
                          "x1234567890123456789012345678901234567890123456789012345678901234"}) {
    INFO(bad);
    CHECK_FALSE(aws::valid_role_session_name(bad));
  }
}

// ---- endpoints ------------------------------------------------------------------------------

// Which STS endpoint a region and the environment select, override by override.
TEST_CASE("sts_endpoint selects overrides, regional, legacy and China endpoints", "[sts]") {
  auto& env = fake_env();
  env.clear();
  std::string error;
  auto endpoint = [&](std::string_view region, std::string_view settings_uri = {}) {
    error.clear();
    return aws::sts_endpoint(region, settings_uri, &fake_lookup, &error);
  };
  auto url_of = [&](std::string_view region, std::string_view settings_uri = {}) -> std::string {
    auto e = endpoint(region, settings_uri);
    if (!e) return "error: " + error;
    return e->to_string();
  };

  SECTION("regional by default") {
    CHECK(url_of("us-west-2") == "https://sts.us-west-2.amazonaws.com:443");
    CHECK(url_of("us-east-1") == "https://sts.us-east-1.amazonaws.com:443");
    CHECK(url_of("ap-east-1") == "https://sts.ap-east-1.amazonaws.com:443");
    CHECK(url_of("aws-global") == "https://sts.amazonaws.com:443");
    env["AWS_STS_REGIONAL_ENDPOINTS"] = "regional";
    CHECK(url_of("us-east-1") == "https://sts.us-east-1.amazonaws.com:443");
  }
  SECTION("legacy: the global endpoint for the legacy regions only") {
    env["AWS_STS_REGIONAL_ENDPOINTS"] = "legacy";
    for (const char* region :
         {"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
          "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
          "us-east-2", "us-west-1", "us-west-2"}) {
      INFO(region);
      CHECK(url_of(region) == "https://sts.amazonaws.com:443");
    }
    CHECK(url_of("ap-east-1") == "https://sts.ap-east-1.amazonaws.com:443");
    CHECK(url_of("eu-south-1") == "https://sts.eu-south-1.amazonaws.com:443");
    CHECK(url_of("cn-north-1") == "https://sts.cn-north-1.amazonaws.com.cn:443");
    env["AWS_STS_REGIONAL_ENDPOINTS"] = "LEGACY";
    CHECK(url_of("us-west-2") == "https://sts.amazonaws.com:443");
  }
  SECTION("China regions use amazonaws.com.cn") {
    CHECK(url_of("cn-north-1") == "https://sts.cn-north-1.amazonaws.com.cn:443");
    CHECK(url_of("cn-northwest-1") == "https://sts.cn-northwest-1.amazonaws.com.cn:443");
    CHECK(url_of("us-gov-west-1") == "https://sts.us-gov-west-1.amazonaws.com:443");
  }
  SECTION("AWS_ENDPOINT_URL_STS beats everything, http and a base path allowed") {
    env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:9000/sts";
    env["AWS_ENDPOINT_URL"] = "http://localhost:4566";
    env["AWS_STS_REGIONAL_ENDPOINTS"] = "legacy";
    const auto e = endpoint("us-east-1", "sts.eu-west-1.amazonaws.com");
    REQUIRE(e);
    CHECK(e->scheme == "http");
    CHECK(e->host == "127.0.0.1");
    CHECK(e->port == 9000);
    CHECK(e->base_path == "/sts");
    // An override needs no region: the caller still signs with its own.
    CHECK(url_of("") == "http://127.0.0.1:9000/sts");
  }
  SECTION("the Settings uri: a bare host means https; a full URL is taken as is") {
    env["AWS_ENDPOINT_URL"] = "http://localhost:4566";
    CHECK(url_of("us-east-1", "sts.eu-west-1.amazonaws.com") == "https://sts.eu-west-1.amazonaws.com:443");
    CHECK(url_of("us-east-1", "sts.eu-west-1.amazonaws.com:8443") ==
          "https://sts.eu-west-1.amazonaws.com:8443");
    CHECK(url_of("us-east-1", "http://fake-sts:8080/base/") == "http://fake-sts:8080/base");
    CHECK(url_of("us-east-1", "  https://sts.example.com  ") == "https://sts.example.com:443");
  }
  SECTION("AWS_ENDPOINT_URL when nothing more specific is set") {
    env["AWS_ENDPOINT_URL"] = "http://localhost:4566";
    CHECK(url_of("us-east-1") == "http://localhost:4566");
    CHECK(url_of("cn-north-1") == "http://localhost:4566");
  }
  SECTION("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns the variables off, not the Settings uri") {
    env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:9000";
    env["AWS_ENDPOINT_URL"] = "http://localhost:4566";
    env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
    CHECK(url_of("us-east-1") == "https://sts.us-east-1.amazonaws.com:443");
    CHECK(url_of("us-east-1", "sts.eu-west-1.amazonaws.com") == "https://sts.eu-west-1.amazonaws.com:443");
  }
  SECTION("empty variables count as unset") {
    env["AWS_ENDPOINT_URL_STS"] = "";
    env["AWS_ENDPOINT_URL"] = "";
    env["AWS_STS_REGIONAL_ENDPOINTS"] = "";
    CHECK(url_of("us-east-1") == "https://sts.us-east-1.amazonaws.com:443");
  }
  SECTION("errors") {
    CHECK_FALSE(endpoint(""));
    CHECK(error.find("region") != std::string::npos);
    CHECK_FALSE(endpoint("us-east-1.evil.example/"));
    CHECK(error.find("invalid AWS region") != std::string::npos);
    CHECK_FALSE(endpoint("US-EAST-1"));

    env["AWS_STS_REGIONAL_ENDPOINTS"] = "sometimes";
    CHECK_FALSE(endpoint("us-east-1"));
    CHECK(error.find("AWS_STS_REGIONAL_ENDPOINTS") != std::string::npos);
    env.erase("AWS_STS_REGIONAL_ENDPOINTS");

    env["AWS_ENDPOINT_URL_STS"] = "ftp://user:pw@sts.example.com";
    CHECK_FALSE(endpoint("us-east-1"));
    CHECK(error.find("AWS_ENDPOINT_URL_STS") != std::string::npos);
    CHECK(error.find("pw") == std::string::npos);
    env.clear();

    CHECK_FALSE(endpoint("us-east-1", "https://"));
    CHECK(error.find("serviceAccountCredentials.uri") != std::string::npos);
  }
}
