// AwsLambdaClient over a FakeHttpClient and a FakeClock: what goes on the wire, that it is signed
// as an independent signer (botocore) signs it, and how each answer becomes an InvokeResult.
#include "lambdagate/aws/lambda_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_credentials_source.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/run.hpp"
#include "unit/aws/sigv4_corpus.hpp"

namespace {

using namespace lambdagate;
using aws::AwsLambdaClient;
using aws::Credentials;
using aws::InvocationType;
using aws::InvokeRequest;
using aws::InvokeResponse;
using aws::InvokeResult;
using core::ErrorKind;
using testing::FakeClock;
using testing::FakeCredentialsSource;
using testing::FakeHttpClient;
using testing::find_header;
using testing::run;

constexpr const char* kAccessKeyId = "AKIDEXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kToken = "session-token-value";

struct Fixture {
  FakeClock clock;  // 2015-08-30T12:36:00Z
  FakeHttpClient http;
  std::shared_ptr<FakeCredentialsSource> source = std::make_shared<FakeCredentialsSource>();
  http::Endpoint endpoint = *http::parse_endpoint("https://lambda.us-east-1.amazonaws.com");
  core::Deadline deadline = core::Deadline::after(clock, std::chrono::seconds(15));

  Fixture() {
    source->credentials = std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, "", {}});
  }

  InvokeResult invoke(const InvokeRequest& request, const std::string& region = "us-east-1") {
    AwsLambdaClient client(http, endpoint, region, source, clock);
    return run(client.invoke(request, deadline));
  }
};

InvokeRequest request_for(std::string function_name, std::string payload = R"({"hello":"world"})") {
  InvokeRequest r;
  r.function_name = std::move(function_name);
  r.payload = std::move(payload);
  return r;
}

// By value: callers pass the temporary result of invoke().
InvokeResponse ok(const InvokeResult& result) {
  if (const auto* e = std::get_if<core::Error>(&result)) FAIL("unexpected error: " << e->message);
  return std::get<InvokeResponse>(result);
}

core::Error failed(const InvokeResult& result) {
  if (std::holds_alternative<InvokeResponse>(result)) FAIL("expected an error, got a response");
  return std::get<core::Error>(result);
}

// The Authorization header each test expects, computed by botocore's SigV4 signer (which shares
// no code with lambdagate's) from the request the test expects on the wire, with the same
// credentials and clock. To regenerate: python3 tests/data/sigv4/client_signatures.py
constexpr const char* kSignedInvoke =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type;x-envoy-original-path, "
    "Signature=d8de1d93661d31f89a4a0f1cacebdf21163ee24fe2f71cadb0b674dce8aedb94";
constexpr const char* kSignedWithToken =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type;x-amz-security-token, "
    "Signature=2efbf76ce6ce0b07a1dd13509566f0b58e8b92541d118b43306f49eb28a3f108";
constexpr const char* kSignedArn =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/lambda/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type, "
    "Signature=353f233fe3dd4675ee2cd7f3f96efc9d9376c519d2d2979035729011c9ae261d";
constexpr const char* kSignedNextDay =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/lambda/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type, "
    "Signature=44684531636b113694d566c8c2318315d1fa95cdef84914d1ac54154d35f7430";
constexpr const char* kSignedExtraHeader =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-log-type;x-custom, "
    "Signature=a4bf57717fca823c03eae21f0c6e305ab135f9217316e5b4921cf79a705624b2";

}  // namespace

// The request on the wire: method, target, host, content type, invocation and log type, the
// fake clock's x-amz-date, and the authorization botocore computes for that request.
TEST_CASE("AwsLambdaClient sends a signed Invoke", "[lambda_client]") {
  Fixture f;
  f.http.push_response(200, R"({"ok":true})", {{"X-Amz-Executed-Version", "$LATEST"}});

  InvokeRequest request = request_for("my-function");
  request.extra_headers = {{"x-envoy-original-path", "/api/hello?x=1"}};
  const auto& response = ok(f.invoke(request));
  CHECK(response.status == 200);
  CHECK(response.payload == R"({"ok":true})");
  CHECK(response.function_error.empty());
  CHECK(response.executed_version == "$LATEST");

  REQUIRE(f.http.calls().size() == 1);
  const auto& call = f.http.last_call();
  CHECK(call.endpoint == f.endpoint);
  CHECK(call.deadline.time() == f.deadline.time());
  const auto& sent = call.request;
  CHECK(sent.method == "POST");
  CHECK(sent.target == "/2015-03-31/functions/my-function/invocations");
  CHECK(sent.body == R"({"hello":"world"})");
  CHECK(find_header(sent.headers, "host") == "lambda.us-east-1.amazonaws.com");
  CHECK(find_header(sent.headers, "content-type") == "application/json");
  CHECK(find_header(sent.headers, "x-amz-invocation-type") == "RequestResponse");
  CHECK(find_header(sent.headers, "x-amz-log-type") == "None");
  CHECK(find_header(sent.headers, "x-amz-date") == "20150830T123600Z");
  CHECK(find_header(sent.headers, "x-envoy-original-path") == "/api/hello?x=1");
  CHECK_FALSE(find_header(sent.headers, "x-amz-security-token"));
  CHECK(f.source->asked_at == f.clock.system_now());

  const auto authorization = find_header(sent.headers, "authorization");
  REQUIRE(authorization);
  CHECK_THAT(*authorization,
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                               "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                               "x-amz-invocation-type;x-amz-log-type;x-envoy-original-path, "
                               "Signature="));
  CHECK(*authorization == kSignedInvoke);
}

// Temporary credentials: the token is sent and signed.
TEST_CASE("AwsLambdaClient sends and signs the session token", "[lambda_client]") {
  Fixture f;
  f.source->credentials = std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, kToken, {}});
  f.http.push_response(200, "null");
  ok(f.invoke(request_for("f")));
  const auto& sent = f.http.last_call().request;
  CHECK(find_header(sent.headers, "x-amz-security-token") == kToken);
  CHECK_THAT(*find_header(sent.headers, "authorization"), Catch::Contains(";x-amz-security-token,"));
  CHECK(*find_header(sent.headers, "authorization") == kSignedWithToken);
}

// A full ARN and a qualifier: the label and the query are percent-encoded on the wire, and the
// signature covers the wire path encoded once more (%3A → %253A), as Lambda verifies it.
TEST_CASE("AwsLambdaClient encodes ARNs and qualifiers", "[lambda_client]") {
  Fixture f;
  f.endpoint = *http::parse_endpoint("http://127.0.0.1:9001/prefix");
  f.http.set_handler([](const http::Endpoint&, const http::ClientRequest&) {
    return http::ClientResult{http::ClientResponse{200, {}, "{}"}};
  });

  InvokeRequest request = request_for("arn:aws:lambda:eu-west-1:123456789012:function:my-fn");
  request.qualifier = "$LATEST";
  ok(f.invoke(request, "eu-west-1"));
  const auto& sent = f.http.last_call().request;
  CHECK(sent.target ==
        "/prefix/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amy-fn/"
        "invocations?Qualifier=%24LATEST");
  CHECK(find_header(sent.headers, "host") == "127.0.0.1:9001");

  // botocore, like Lambda, signs the wire path encoded once more (%3A → %253A).
  CHECK(*find_header(sent.headers, "authorization") == kSignedArn);
  CHECK_THAT(*find_header(sent.headers, "authorization"), Catch::Contains("/eu-west-1/lambda/aws4_request"));

  SECTION("a name:alias label") {
    InvokeRequest aliased = request_for("my-fn:prod");
    aliased.qualifier = "prod";
    ok(f.invoke(aliased, "eu-west-1"));
    CHECK(f.http.last_call().request.target ==
          "/prefix/2015-03-31/functions/my-fn%3Aprod/invocations?Qualifier=prod");
  }
}

// No credentials: an error, and nothing at all is sent (never an unsigned request).
TEST_CASE("AwsLambdaClient without credentials sends nothing", "[lambda_client]") {
  Fixture f;
  f.source->credentials = nullptr;
  const auto& error = failed(f.invoke(request_for("my-function")));
  CHECK(error.kind == ErrorKind::CredentialsUnavailable);
  CHECK_THAT(error.message, Catch::Contains("'my-function'"));
  CHECK(f.http.calls().empty());
  CHECK(f.source->calls == 1);
}

// Each attempt is signed afresh with the clock's current time.
TEST_CASE("AwsLambdaClient signs each call at the current time", "[lambda_client]") {
  Fixture f;
  f.http.push_response(200, "{}");
  f.http.push_response(200, "{}");
  AwsLambdaClient client(f.http, f.endpoint, "us-east-1", f.source, f.clock);
  ok(run(client.invoke(request_for("f"), f.deadline)));
  f.clock.advance(std::chrono::hours(24) + std::chrono::seconds(5));
  ok(run(client.invoke(request_for("f"), f.deadline)));
  REQUIRE(f.http.calls().size() == 2);
  const auto& second = f.http.calls()[1].request;
  CHECK(find_header(second.headers, "x-amz-date") == "20150831T123605Z");
  CHECK(*find_header(second.headers, "authorization") == kSignedNextDay);
  CHECK(testing::count_header(second.headers, "authorization") == 1);
}

// Extra headers are signed and sent, but cannot override the ones the client owns.
TEST_CASE("AwsLambdaClient keeps its own headers over extra ones", "[lambda_client]") {
  Fixture f;
  f.http.push_response(200, "{}");
  InvokeRequest request = request_for("f");
  request.extra_headers = {{"Host", "evil.example.com"},
                           {"X-Amz-Invocation-Type", "DryRun"},
                           {"Authorization", "forged"},
                           {"x-custom", "kept"}};
  ok(f.invoke(request));
  const auto& sent = f.http.last_call().request;
  CHECK(testing::count_header(sent.headers, "host") == 1);
  CHECK(find_header(sent.headers, "host") == "lambda.us-east-1.amazonaws.com");
  CHECK(find_header(sent.headers, "x-amz-invocation-type") == "RequestResponse");
  CHECK(testing::count_header(sent.headers, "authorization") == 1);
  CHECK(find_header(sent.headers, "x-custom") == "kept");
  CHECK(*find_header(sent.headers, "authorization") == kSignedExtraHeader);
}

// Transport failures map to timeout or unavailable, and the message carries the transport detail
// (endpoint, TLS reason) for the operator's log; the client never sees this message
// (proxy::client_facing replaces it: client_errors_test, test_edge.sh).
TEST_CASE("AwsLambdaClient maps transport failures", "[lambda_client]") {
  Fixture f;
  SECTION("timeout → UpstreamTimeout") {
    f.http.push_error(http::ClientErrorKind::Timeout, "read timed out from 10.1.2.3:443");
    const auto& error = failed(f.invoke(request_for("f")));
    CHECK(error.kind == ErrorKind::UpstreamTimeout);
    CHECK(error.message == "Lambda did not answer the call to 'f' in time (read timed out from 10.1.2.3:443)");
  }
  SECTION("reset → UpstreamUnavailable") {
    f.http.push_error(http::ClientErrorKind::Reset, "connection reset by peer 10.1.2.3");
    const auto& error = failed(f.invoke(request_for("f")));
    CHECK(error.kind == ErrorKind::UpstreamUnavailable);
    CHECK(error.message == "could not reach Lambda for the call to 'f': reset (connection reset by peer 10.1.2.3)");
  }
  SECTION("connect failure and TLS failure → UpstreamUnavailable") {
    f.http.push_error(http::ClientErrorKind::ConnectFailed);
    CHECK(failed(f.invoke(request_for("f"))).kind == ErrorKind::UpstreamUnavailable);
    f.http.push_error(http::ClientErrorKind::TlsFailed);
    CHECK(failed(f.invoke(request_for("f"))).kind == ErrorKind::UpstreamUnavailable);
  }
}

// Async invocation: Event on the wire and Lambda's 202 passed through.
TEST_CASE("AwsLambdaClient async Event invocation", "[lambda_client]") {
  Fixture f;
  f.http.push_response(202, "");
  InvokeRequest request = request_for("f");
  request.invocation_type = InvocationType::Event;
  const auto& response = ok(f.invoke(request));
  CHECK(response.status == 202);
  CHECK(response.payload.empty());
  CHECK(find_header(f.http.last_call().request.headers, "x-amz-invocation-type") == "Event");
}

// A function error is a 200 with X-Amz-Function-Error: surfaced for the pipeline to map.
TEST_CASE("AwsLambdaClient surfaces function errors", "[lambda_client]") {
  Fixture f;
  const std::string body = R"({"errorType":"Error","errorMessage":"boom"})";
  f.http.push_response(200, body, {{"X-Amz-Function-Error", "Unhandled"}, {"X-Amz-Executed-Version", "7"}});
  const auto& response = ok(f.invoke(request_for("f")));
  CHECK(response.status == 200);
  CHECK(response.function_error == "Unhandled");
  CHECK(response.executed_version == "7");
  CHECK(response.payload == body);
}

// Lambda's error statuses go through classify_invoke_error.
TEST_CASE("AwsLambdaClient maps Lambda error statuses", "[lambda_client]") {
  Fixture f;
  SECTION("404 → LambdaRejected naming the type and function") {
    f.http.push_response(404, R"({"Type":"User","Message":"Function not found: arn:..."})",
                         {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}});
    const auto& error = failed(f.invoke(request_for("missing")));
    CHECK(error.kind == ErrorKind::LambdaRejected);
    CHECK(error.message == "Lambda rejected the call to 'missing': ResourceNotFoundException");
  }
  SECTION("429 → LambdaThrottled") {
    f.http.push_response(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}, {"Retry-After", "2"}});
    CHECK(failed(f.invoke(request_for("f"))).kind == ErrorKind::LambdaThrottled);
  }
  SECTION("500 → UpstreamUnavailable") {
    f.http.push_response(500, "{}", {{"x-amzn-ErrorType", "ServiceException"}});
    CHECK(failed(f.invoke(request_for("f"))).kind == ErrorKind::UpstreamUnavailable);
  }
  SECTION("400 InvalidRequestContentException → InvalidPayload") {
    f.http.push_response(400, "{}", {{"x-amzn-ErrorType", "InvalidRequestContentException"}});
    CHECK(failed(f.invoke(request_for("f", "not json"))).kind == ErrorKind::InvalidPayload);
  }
}

// One client signs a run of calls as the pure SigV4 steps sign each request it sent: calls to
// different functions (names that need encoding, qualifiers, ARNs), with the session token,
// access key and secret changing between calls and back, extra headers that come and go, within
// one second and across seconds. The signer keeps state from call to call (the resumed hash of the
// canonical request up to the token, the signing key, the Authorization prefix); none of it may
// leak into the next call.
TEST_CASE("AwsLambdaClient signs each call of a changing run as the pure steps do", "[lambda_client]") {
  namespace corpus = testing::sigv4_corpus;
  Fixture f;
  AwsLambdaClient client(f.http, f.endpoint, "us-east-1", f.source, f.clock);
  const std::string long_token(1100, 'T');
  std::string other_long_token = long_token;
  other_long_token[700] = 'U';  // differs inside the part the signer hashes once
  struct Step {
    std::string function;
    std::string qualifier;
    Credentials credentials;
    aws::HeaderList extra;
    std::chrono::milliseconds advance{0};
  };
  const Credentials plain{kAccessKeyId, kSecret, "", {}};
  const Credentials with_token{kAccessKeyId, kSecret, long_token, {}};
  const Credentials other_token{kAccessKeyId, kSecret, other_long_token, {}};
  const Credentials other_key{"AKIDOTHER", "other/secret+key", long_token, {}};
  const std::vector<Step> steps = {
      {"alpha", "", with_token, {}},
      {"alpha", "", with_token, {}},  // the same call again
      {"beta", "", with_token, {}},   // another function
      {"beta", "prod", with_token, {{"x-envoy-original-path", "/b?q=1"}}},
      {"arn:aws:lambda:us-east-1:123456789012:function:gamma", "$LATEST", with_token, {}},
      {"alpha", "", other_token, {}},                                 // the token changes
      {"alpha", "", with_token, {}},                                  // and back
      {"alpha", "", other_key, {{"X-Custom", "a  b"}}},               // another key and secret
      {"alpha", "", other_key, {}, std::chrono::milliseconds(1500)},  // the next second
      {"beta", "", plain, {}},                                        // no token at all
      {"beta", "", with_token, {}, std::chrono::milliseconds(200)},
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    f.clock.advance(step.advance);
    f.source->credentials = std::make_shared<Credentials>(step.credentials);
    f.http.push_response(200, "{}");
    InvokeRequest request = request_for(step.function, "{\"n\":" + std::to_string(i) + "}");
    request.qualifier = step.qualifier;
    request.extra_headers = step.extra;
    ok(run(client.invoke(request, f.deadline)));

    const auto& sent = f.http.last_call().request;
    INFO("call " << i << ": " << sent.target);
    corpus::ParsedRequest signed_request;
    signed_request.method = sent.method;
    const std::size_t question = sent.target.find('?');
    signed_request.path = sent.target.substr(0, question);
    if (question != std::string::npos) signed_request.query = sent.target.substr(question + 1);
    signed_request.headers = sent.headers;
    std::erase_if(signed_request.headers, [](const auto& h) { return h.first == "authorization"; });
    signed_request.body = sent.body;
    const auto expected = corpus::compute(signed_request, aws::sigv4::format_amz_date(f.clock.system_now()),
                                          step.credentials.access_key_id, step.credentials.secret_access_key,
                                          "us-east-1", "lambda", true);
    CHECK(find_header(sent.headers, "authorization") == expected.authorization);
    CHECK(testing::count_header(sent.headers, "host") == 1);
    CHECK(testing::count_header(sent.headers, "x-amz-security-token") ==
          (step.credentials.session_token.empty() ? 0 : 1));
  }
}

namespace {

// Takes a streamed Invoke's chunks and drops them.
class DroppingStreamHandler final : public aws::InvokeStreamHandler {
 public:
  core::Task<bool> on_payload(std::string_view) override { co_return true; }
};

http::ClientResult answer_ok(const http::Endpoint&, const http::ClientRequest&) {
  return http::ClientResponse{200, {}, R"("ok")"};
}

}  // namespace

// One client across many Invokes, as a worker has: each request on the wire must equal what a
// client with no history sends for the same Invoke at the same time and with the same credentials
// (a fresh client signs and serialises in full, which the tests above hold against botocore). So
// the head made again from the one before (SignedCaller::repeat) must be used only where it is
// right: the same function, qualifier, type and extra headers, within the same second, with the
// same credentials, and with nothing else signed in between.
TEST_CASE("AwsLambdaClient makes an Invoke like the one before from its head only when that is right",
          "[lambda_client]") {
  using namespace std::chrono_literals;
  Fixture f;
  f.http.set_handler(answer_ok);
  const auto token =
      std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, std::string(1024, 'T'), {}});
  const auto other_token =
      std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, std::string(1024, 'U'), {}});
  const auto other_secret =
      std::make_shared<Credentials>(Credentials{kAccessKeyId, "another secret", std::string(1024, 'U'), {}});
  const auto other_key =
      std::make_shared<Credentials>(Credentials{"AKIDOTHER", "another secret", std::string(1024, 'U'), {}});
  const auto no_token = std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, "", {}});

  const InvokeRequest a1 = request_for("fn-a", R"("1")");
  const InvokeRequest a2 = request_for("fn-a", R"("two")");
  const InvokeRequest a_empty = request_for("fn-a", "");
  const InvokeRequest a_large = request_for("fn-a", std::string(100 * 1024, 'x'));
  const InvokeRequest b = request_for("fn-b", R"("1")");
  InvokeRequest a_prod = a1;
  a_prod.qualifier = "prod";
  InvokeRequest a_event = a1;
  a_event.invocation_type = InvocationType::Event;
  InvokeRequest a_custom = a1;
  a_custom.extra_headers = {{"x-custom", "1"}};
  InvokeRequest a_custom_changed = a1;
  a_custom_changed.extra_headers = {{"x-custom", "2"}};

  struct Step {
    const char* what;
    const InvokeRequest& request;
    std::chrono::milliseconds later = 0ms;
    std::shared_ptr<Credentials> credentials = nullptr;  // null: as before
    bool stream_first = false;                           // a streamed Invoke of the same function just before
  };
  const std::vector<Step> steps = {
      {"first", a1, 0ms, token},
      {"another payload", a2},
      {"an empty payload", a_empty},
      {"a large payload", a_large},
      {"the first payload again", a1},
      {"later in the same second", a2, 500ms},
      {"the next second", a2, 600ms},
      {"another function", b},
      {"the first function again", a1},
      {"and once more", a2},
      {"a qualifier", a_prod},
      {"the qualifier again", a_prod},
      {"asynchronous", a_event},
      {"asynchronous again", a_event},
      {"an extra header", a_custom},
      {"the extra header again", a_custom},
      {"the extra header's value changed", a_custom_changed},
      {"no extra header", a1},
      {"another token, same second", a2, 0ms, other_token},
      {"another token again", a1},
      {"another secret", a1, 0ms, other_secret},
      {"another access key id", a2, 0ms, other_key},
      {"no token", a1, 0ms, no_token},
      {"no token again", a2},
      {"a token again", a2, 0ms, token},
      {"after a streamed Invoke of the same function", a2, 0ms, nullptr, true},
      {"after that", a1},
  };
  AwsLambdaClient client(f.http, f.endpoint, "us-east-1", f.source, f.clock);
  for (const auto& step : steps) {
    INFO(step.what);
    f.clock.advance(step.later);
    if (step.credentials) f.source->credentials = step.credentials;
    if (step.stream_first) {
      DroppingStreamHandler handler;
      run(client.invoke_stream(step.request, f.deadline, handler));
    }
    ok(run(client.invoke(step.request, f.deadline)));
    const http::ClientRequest& sent = f.http.last_call().request;

    FakeHttpClient fresh_http;
    fresh_http.set_handler(answer_ok);
    AwsLambdaClient fresh(fresh_http, f.endpoint, "us-east-1", f.source, f.clock);
    ok(run(fresh.invoke(step.request, f.deadline)));
    const http::ClientRequest& expected = fresh_http.last_call().request;

    CHECK(sent.method == expected.method);
    CHECK(sent.target == expected.target);
    CHECK(sent.headers == expected.headers);
    CHECK(sent.body == expected.body);
    CHECK(find_header(sent.headers, "authorization"));
  }
}

// The repeat path reads the coarse clock, which may still be in the second before the one the
// last Invoke was signed in: every request is still signed for the second it is sent in.
TEST_CASE("AwsLambdaClient signs in the current second with a coarse clock a tick behind", "[lambda_client]") {
  using namespace std::chrono_literals;
  Fixture f;
  f.http.set_handler(answer_ok);
  f.source->credentials =
      std::make_shared<Credentials>(Credentials{kAccessKeyId, kSecret, std::string(1024, 'T'), {}});
  f.clock.set_coarse_lag(5ms);
  AwsLambdaClient client(f.http, f.endpoint, "us-east-1", f.source, f.clock);
  f.clock.advance(999ms);  // 12:36:00.999: the coarse reading is in the same second
  for (const auto* payload : {R"("1")", R"("two")", R"("3")", R"("four")"}) {
    INFO(payload);
    const InvokeRequest request = request_for("fn-a", payload);
    ok(run(client.invoke(request, f.deadline)));
    const http::ClientRequest& sent = f.http.last_call().request;
    FakeHttpClient fresh_http;
    fresh_http.set_handler(answer_ok);
    AwsLambdaClient fresh(fresh_http, f.endpoint, "us-east-1", f.source, f.clock);
    ok(run(fresh.invoke(request, f.deadline)));
    CHECK(sent.headers == fresh_http.last_call().request.headers);
    const bool in_first_second = f.clock.system_now() < core::SystemTime{std::chrono::seconds{1440938161}};
    CHECK(find_header(sent.headers, "x-amz-date") == (in_first_second ? "20150830T123600Z" : "20150830T123601Z"));
    f.clock.advance(2ms);  // 12:36:01.001 next: the coarse reading is still in 12:36:00
  }
}
