// LambdaListingClient over a FakeHttpClient and a FakeClock: the ListFunctions and ListAliases
// requests on the wire, their signatures, how answers and failures are read; and the pure parsers.
#include "lambdagate/aws/lambda_listing.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_credentials_source.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/run.hpp"

namespace {

using namespace lambdagate;
using aws::AliasInfo;
using aws::Credentials;
using aws::FunctionVersionInfo;
using aws::LambdaListingClient;
using aws::ListPage;
using aws::ListParseError;
using aws::ListResult;
using core::ErrorKind;
using testing::FakeClock;
using testing::FakeCredentialsSource;
using testing::FakeHttpClient;
using testing::find_header;
using testing::run;

constexpr const char* kAccessKeyId = "AKIDEXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

template <class T>
ListPage<T> page_of(const ListResult<T>& result) {
  if (const auto* e = std::get_if<core::Error>(&result)) FAIL("unexpected error: " << e->message);
  return std::get<ListPage<T>>(result);
}

template <class T>
core::Error error_of(const ListResult<T>& result) {
  if (std::holds_alternative<ListPage<T>>(result)) FAIL("expected an error, got a page");
  return std::get<core::Error>(result);
}

// The Authorization header each test expects, computed by botocore's SigV4 signer (which shares
// no code with lambdagate's) from the request the test expects on the wire, with the same
// credentials and clock. To regenerate: python3 tests/data/sigv4/client_signatures.py
constexpr const char* kListFunctions =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=d07e4ec3e26be6467edbadc2e323ae620d0956f013ca0dac403235396deb71c4";
constexpr const char* kListFunctionsNext =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=7110a5ac6a242b40767fa13fd04b32cb8a2e28f5122dce3c11943e95de1947e8";
constexpr const char* kListAliases =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=9fd5dda5ad8382d8de9d4c8b833a9d0fc5f0c4ce1952c162e245e46f0adcc0db";
constexpr const char* kListAliasesNext =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=812b72ca39d026029fd7ac5c667b28492d305c68b903379fd8388ddd3c43a07e";

struct Fixture {
  FakeClock clock;  // 2015-08-30T12:36:00Z
  FakeHttpClient http;
  std::shared_ptr<FakeCredentialsSource> source = std::make_shared<FakeCredentialsSource>();
  http::Endpoint endpoint = *http::parse_endpoint("https://lambda.us-east-1.amazonaws.com");
  core::Deadline deadline = core::Deadline::after(clock, std::chrono::seconds(10));

  Fixture() {
    source->credentials = std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, "", {}});
  }
  LambdaListingClient client() { return LambdaListingClient(http, endpoint, "us-east-1", source, clock); }
};

const std::string kFunctionsPage = R"({
  "Functions": [
    {"FunctionName": "uppercase", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:uppercase",
     "Runtime": "python3.12", "Version": "$LATEST", "MemorySize": 128},
    {"FunctionName": "uppercase", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:uppercase:3",
     "Version": "3"}
  ],
  "NextMarker": "token/with+special=chars"
})";

// The first page: GET /2015-03-31/functions/?FunctionVersion=ALL, signed (x-amz-date from the
// clock, the authorization botocore computes); the next page carries the encoded Marker.
TEST_CASE("LambdaListingClient lists functions page by page, signed", "[lambda_listing]") {
  Fixture f;
  f.http.push_response(200, kFunctionsPage);
  f.http.push_response(200, R"({"Functions": [], "NextMarker": null})");
  auto client = f.client();

  const auto first = page_of(run(client.list_functions_page("", f.deadline)));
  REQUIRE(first.items.size() == 2);
  CHECK(first.items[0] == FunctionVersionInfo{"uppercase", "$LATEST",
                                              "arn:aws:lambda:us-east-1:123456789012:function:uppercase"});
  CHECK(first.items[1].version == "3");
  CHECK(first.next_marker == "token/with+special=chars");

  const auto& sent = f.http.calls().at(0).request;
  CHECK(sent.method == "GET");
  CHECK(sent.target == "/2015-03-31/functions/?FunctionVersion=ALL");
  CHECK(sent.body.empty());
  CHECK(f.http.calls().at(0).deadline.time() == f.deadline.time());
  CHECK(find_header(sent.headers, "host") == "lambda.us-east-1.amazonaws.com");
  CHECK(find_header(sent.headers, "x-amz-date") == "20150830T123600Z");
  const auto authorization = find_header(sent.headers, "authorization");
  REQUIRE(authorization);
  CHECK_THAT(*authorization,
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature="));
  CHECK(*authorization == kListFunctions);

  std::string marker = first.next_marker;
  const auto second = page_of(run(client.list_functions_page(marker, f.deadline)));
  CHECK(second.items.empty());
  CHECK(second.next_marker.empty());
  const auto& next = f.http.calls().at(1).request;
  CHECK(next.target == "/2015-03-31/functions/?FunctionVersion=ALL&Marker=token%2Fwith%2Bspecial%3Dchars");
  CHECK(*find_header(next.headers, "authorization") == kListFunctionsNext);
}

// ListAliases: the function name in the path, the marker in the query, an endpoint base path
// kept; both signed as sent.
TEST_CASE("LambdaListingClient lists aliases", "[lambda_listing]") {
  Fixture f;
  f.endpoint = *http::parse_endpoint("http://127.0.0.1:9001/prefix");
  f.http.push_response(200, R"({"Aliases": [{"Name": "live", "FunctionVersion": "3",
    "AliasArn": "arn:aws:lambda:us-east-1:123456789012:function:uppercase:live"}], "NextMarker": "m2"})");
  f.http.push_response(200, R"({"Aliases": []})");
  auto client = f.client();
  const auto first = page_of(run(client.list_aliases_page("uppercase", "", f.deadline)));
  REQUIRE(first.items.size() == 1);
  CHECK(first.items[0].name == "live");
  CHECK(first.items[0].function_version == "3");
  CHECK(first.next_marker == "m2");
  const auto& sent = f.http.calls().at(0).request;
  CHECK(sent.target == "/prefix/2015-03-31/functions/uppercase/aliases");
  CHECK(find_header(sent.headers, "host") == "127.0.0.1:9001");
  CHECK(*find_header(sent.headers, "authorization") == kListAliases);

  std::string marker = "m2";
  page_of(run(client.list_aliases_page("uppercase", marker, f.deadline)));
  const auto& next = f.http.calls().at(1).request;
  CHECK(next.target == "/prefix/2015-03-31/functions/uppercase/aliases?Marker=m2");
  CHECK(*find_header(next.headers, "authorization") == kListAliasesNext);
}

// Failures: no credentials → nothing sent; 429 throttled, 403 rejected naming the type, 500
// unavailable, a timeout, and a 200 that is not a listing — none quoting the body.
TEST_CASE("LambdaListingClient failures", "[lambda_listing]") {
  SECTION("no credentials, no request") {
    Fixture f;
    f.source->credentials = nullptr;
    auto client = f.client();
    const auto error = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(error.kind == ErrorKind::CredentialsUnavailable);
    CHECK(f.http.calls().empty());
  }
  SECTION("answers and transport failures") {
    Fixture f;
    f.http.push_response(429, R"({"Type":"User","message":"Rate exceeded secret-ish"})",
                         {{"x-amzn-ErrorType", "TooManyRequestsException"}});
    f.http.push_response(403, R"({"Message":"User: arn:aws:sts::1:assumed-role/x is not authorized"})",
                         {{"x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/"}});
    f.http.push_response(500, R"({"__type":"ServiceException"})");
    f.http.push_error(http::ClientErrorKind::Timeout, "timed out talking to 10.0.0.1");
    f.http.push_response(200, R"({"NextMarker": "x"})");
    f.http.push_response(200, "<html>captive portal</html>");
    f.http.push_response(404, R"({"Type":"User"})", {{"x-amzn-ErrorType", "ResourceNotFoundException"}});
    auto client = f.client();

    auto throttled = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(throttled.kind == ErrorKind::LambdaThrottled);
    CHECK(throttled.upstream_status == 429);
    CHECK(throttled.message == "Lambda throttled ListFunctions: TooManyRequestsException (HTTP 429)");

    auto denied = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(denied.kind == ErrorKind::LambdaRejected);
    CHECK(denied.message == "Lambda rejected ListFunctions: AccessDeniedException (HTTP 403)");

    auto failed = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(failed.kind == ErrorKind::UpstreamUnavailable);
    CHECK(failed.message == "Lambda failed ListFunctions: ServiceException (HTTP 500)");

    auto timeout = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(timeout.kind == ErrorKind::UpstreamTimeout);
    // The transport detail is for the discovery log and /upstreams (never a client's answer).
    CHECK_THAT(timeout.message, Catch::Contains("10.0.0.1"));

    auto no_list = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(no_list.kind == ErrorKind::UpstreamUnavailable);
    CHECK(no_list.message == "ListFunctions response has no 'Functions' list");

    auto html = error_of(run(client.list_functions_page("", f.deadline)));
    CHECK(html.message == "ListFunctions response is not valid JSON");

    auto gone = error_of(run(client.list_aliases_page("deleted", "", f.deadline)));
    CHECK(gone.kind == ErrorKind::LambdaRejected);
    CHECK(gone.upstream_status == 404);
    CHECK(gone.message == "Lambda rejected ListAliases for 'deleted': ResourceNotFoundException (HTTP 404)");
  }
}

// The pure parsers: items, NextMarker absent/null/string, and each malformed shape.
TEST_CASE("parse_list_functions and parse_list_aliases", "[lambda_listing]") {
  auto functions = aws::parse_list_functions(R"({"Functions":[{"FunctionName":"a"}]})");
  REQUIRE(std::holds_alternative<ListPage<FunctionVersionInfo>>(functions));
  const auto& page = std::get<ListPage<FunctionVersionInfo>>(functions);
  CHECK(page.items.at(0).version == "$LATEST");
  CHECK(page.next_marker.empty());

  struct Bad {
    std::string json;
    std::string message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"", "ListFunctions response is not valid JSON"},
           {"[]", "ListFunctions response is not a JSON object"},
           {R"({"Functions": {}})", "ListFunctions response has no 'Functions' list"},
           {R"({"Functions": [1]})", "ListFunctions response entry #1 is not an object"},
           {R"({"Functions": [{"FunctionName":"a"},{"Version":"1"}]})",
            "ListFunctions response entry #2 has no FunctionName"},
           {R"({"Functions": [], "NextMarker": 5})",
            "ListFunctions response has a NextMarker that is not a string"},
       }) {
    auto parsed = aws::parse_list_functions(bad.json);
    INFO(bad.json);
    REQUIRE(std::holds_alternative<ListParseError>(parsed));
    CHECK(std::get<ListParseError>(parsed).message == bad.message);
  }

  auto aliases =
      aws::parse_list_aliases(R"({"Aliases":[{"Name":"live","FunctionVersion":"2"}],"NextMarker":"n"})");
  REQUIRE(std::holds_alternative<ListPage<AliasInfo>>(aliases));
  CHECK(std::get<ListPage<AliasInfo>>(aliases).items.at(0) == AliasInfo{"live", "2", ""});
  CHECK(std::get<ListPage<AliasInfo>>(aliases).next_marker == "n");
  auto nameless = aws::parse_list_aliases(R"({"Aliases":[{"FunctionVersion":"2"}]})");
  REQUIRE(std::holds_alternative<ListParseError>(nameless));
  CHECK(std::get<ListParseError>(nameless).message == "ListAliases response entry #1 has no Name");

  CHECK(aws::list_functions_query("") == "FunctionVersion=ALL");
  CHECK(aws::list_aliases_path("my fn") == "/2015-03-31/functions/my%20fn/aliases");
  CHECK(aws::list_aliases_query("").empty());
}

}  // namespace
