// The Lambda Invoke protocol functions, table by table (reference/aws-protocols.md §3).
#include "lambdagate/aws/lambda_api.hpp"

#include <catch2/catch.hpp>

#include "fakes/fake_env.hpp"
#include <map>
#include <string>
#include <vector>

namespace {

using namespace lambdagate::aws;
using lambdagate::core::ErrorKind;
using lambdagate::http::ClientResponse;

using lambdagate::testing::fake_env;
using lambdagate::testing::fake_lookup;

ClientResponse response(unsigned status, std::string body, lambdagate::http::HeaderList headers = {}) {
  return ClientResponse{status, std::move(headers), std::move(body)};
}

}  // namespace

// Plain names and name:qualifier become ARNs when the Upstream names an account; ARNs go as
// written; the partition follows the region.
TEST_CASE("resolve_function_name", "[lambda_api]") {
  struct Row {
    const char* name;
    const char* account;
    const char* region;
    const char* expected;
  };
  const Row rows[] = {
      {"my-function", "", "us-east-1", "my-function"},
      {"my-function:prod", "", "us-east-1", "my-function:prod"},
      {"my-function", "123456789012", "us-west-2",
       "arn:aws:lambda:us-west-2:123456789012:function:my-function"},
      {"my-function:3", "123456789012", "eu-west-1",
       "arn:aws:lambda:eu-west-1:123456789012:function:my-function:3"},
      {"f", "123456789012", "cn-north-1", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f"},
      {"f", "123456789012", "cn-northwest-1", "arn:aws-cn:lambda:cn-northwest-1:123456789012:function:f"},
      {"f", "123456789012", "us-gov-west-1", "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f"},
      {"f:$LATEST", "123456789012", "us-east-1", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"},
      // Already qualified with an account: unchanged even when the Upstream names another.
      {"210987654321:function:f", "123456789012", "us-east-1", "210987654321:function:f"},
      {"arn:aws:lambda:us-east-1:210987654321:function:f", "123456789012", "us-west-2",
       "arn:aws:lambda:us-east-1:210987654321:function:f"},
  };
  for (const auto& row : rows) {
    INFO(row.name << " / " << row.account << " / " << row.region);
    CHECK(resolve_function_name(row.name, row.account, row.region) == row.expected);
  }
}

// Every documented FunctionName form is accepted; malformed ones get a message naming them.
TEST_CASE("validate_function_name", "[lambda_api]") {
  const char* valid[] = {
      "my-function",
      "My_Function-2",
      "my-function:prod",
      "my-function:3",
      "my-function:$LATEST",
      "my-function:$LATEST.PUBLISHED",
      "123456789012:function:my-function",
      "123456789012:function:my-function:alias",
      "arn:aws:lambda:us-west-2:123456789012:function:my-function",
      "arn:aws:lambda:us-west-2:123456789012:function:my-function:1",
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
      "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST",
  };
  for (const char* name : valid) {
    INFO(name);
    CHECK_FALSE(validate_function_name(name));
  }

  const std::string long_name(65, 'a');
  const std::string long_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + std::string(250, 'a');
  const std::string invalid[] = {
      "",
      "my function",
      "my/function",
      "my.function",
      long_name,
      long_arn,
      "f:",
      "f:a:b",
      "f:$LATEST2",
      "f:al.ias",
      ":f",
      "12345:function:f",
      "123456789012:function:",
      "123456789012:function:f:a:b",
      "arn:aws:lambda:us-east-1:123456789012:function",
      "arn:aws:s3:us-east-1:123456789012:function:f",
      "arn:gcp:lambda:us-east-1:123456789012:function:f",
      "arn:aws:lambda:US-EAST-1:123456789012:function:f",
      "arn:aws:lambda:us-east-1:123456789012:layer:f",
      "arn:aws:lambda:us-east-1:12345678901x:function:f",
      "arn:aws:lambda:us-east-1:123456789012:function:f:1:2",
  };
  for (const auto& name : invalid) {
    INFO("'" << name << "'");
    const auto message = validate_function_name(name);
    REQUIRE(message);
    CHECK_THAT(*message, Catch::Contains("invalid Lambda function name '" + name + "'"));
  }
}

// The label is percent-encoded once for the wire: ':' → %3A, '$' → %24.
TEST_CASE("invoke_path and invoke_query", "[lambda_api]") {
  struct Row {
    const char* name;
    const char* path;
  };
  const Row paths[] = {
      {"f", "/2015-03-31/functions/f/invocations"},
      {"my-function:prod", "/2015-03-31/functions/my-function%3Aprod/invocations"},
      {"f:$LATEST", "/2015-03-31/functions/f%3A%24LATEST/invocations"},
      {"arn:aws:lambda:us-east-1:123456789012:function:f",
       "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations"},
  };
  for (const auto& row : paths) {
    INFO(row.name);
    CHECK(invoke_path(row.name) == row.path);
  }

  CHECK(invoke_query("") == "");
  CHECK(invoke_query("prod") == "Qualifier=prod");
  CHECK(invoke_query("7") == "Qualifier=7");
  CHECK(invoke_query("$LATEST") == "Qualifier=%24LATEST");
}

TEST_CASE("partition_for_region and default_lambda_url", "[lambda_api]") {
  CHECK(partition_for_region("us-east-1") == "aws");
  CHECK(partition_for_region("eu-central-2") == "aws");
  CHECK(partition_for_region("cn-north-1") == "aws-cn");
  CHECK(partition_for_region("us-gov-east-1") == "aws-us-gov");
  CHECK(default_lambda_url("us-east-1") == "https://lambda.us-east-1.amazonaws.com");
  CHECK(default_lambda_url("cn-northwest-1") == "https://lambda.cn-northwest-1.amazonaws.com.cn");
  CHECK(default_lambda_url("us-gov-west-1") == "https://lambda.us-gov-west-1.amazonaws.com");
}

// Endpoint resolution: the Lambda-specific override, then the general one, then the region's
// default; http allowed (local fakes); malformed overrides and regions are errors.
TEST_CASE("lambda_endpoint", "[lambda_api]") {
  auto& env = fake_env();
  env.clear();
  std::string error;

  SECTION("default per region") {
    auto ep = lambda_endpoint("eu-west-1", &fake_lookup, &error);
    REQUIRE(ep);
    CHECK(ep->scheme == "https");
    CHECK(ep->host == "lambda.eu-west-1.amazonaws.com");
    CHECK(ep->port == 443);
    CHECK(ep->base_path.empty());
    CHECK(ep->host_header() == "lambda.eu-west-1.amazonaws.com");

    auto cn = lambda_endpoint("cn-north-1", &fake_lookup, &error);
    REQUIRE(cn);
    CHECK(cn->host == "lambda.cn-north-1.amazonaws.com.cn");
  }
  SECTION("AWS_ENDPOINT_URL applies when no Lambda-specific override is set") {
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566";
    auto ep = lambda_endpoint("us-east-1", &fake_lookup, &error);
    REQUIRE(ep);
    CHECK(ep->scheme == "http");
    CHECK(ep->host == "127.0.0.1");
    CHECK(ep->port == 4566);
  }
  SECTION("AWS_ENDPOINT_URL_LAMBDA beats AWS_ENDPOINT_URL") {
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566";
    env["AWS_ENDPOINT_URL_LAMBDA"] = "https://vpce-1.lambda.us-east-1.vpce.amazonaws.com/base/";
    auto ep = lambda_endpoint("us-east-1", &fake_lookup, &error);
    REQUIRE(ep);
    CHECK(ep->scheme == "https");
    CHECK(ep->host == "vpce-1.lambda.us-east-1.vpce.amazonaws.com");
    CHECK(ep->base_path == "/base");
  }
  SECTION("an empty override counts as unset") {
    env["AWS_ENDPOINT_URL_LAMBDA"] = "";
    env["AWS_ENDPOINT_URL"] = "http://localhost:9001";
    auto ep = lambda_endpoint("us-east-1", &fake_lookup, &error);
    REQUIRE(ep);
    CHECK(ep->host == "localhost");
    CHECK(ep->port == 9001);
  }
  SECTION("a malformed override is an error naming the variable") {
    env["AWS_ENDPOINT_URL_LAMBDA"] = "ftp://example.com";
    CHECK_FALSE(lambda_endpoint("us-east-1", &fake_lookup, &error));
    CHECK_THAT(error, Catch::Contains("AWS_ENDPOINT_URL_LAMBDA"));

    env.clear();
    env["AWS_ENDPOINT_URL"] = "localhost:9000";
    error.clear();
    CHECK_FALSE(lambda_endpoint("us-east-1", &fake_lookup, &error));
    CHECK_THAT(error, Catch::Contains("AWS_ENDPOINT_URL"));

    env["AWS_ENDPOINT_URL"] = "http://user:secret@localhost:9000";
    error.clear();
    CHECK_FALSE(lambda_endpoint("us-east-1", &fake_lookup, &error));
    CHECK_THAT(error, !Catch::Contains("secret"));
  }
  SECTION("no region and no override is an error; so is a malformed region") {
    CHECK_FALSE(lambda_endpoint("", &fake_lookup, &error));
    CHECK_THAT(error, Catch::Contains("region"));
    CHECK_FALSE(lambda_endpoint("us-east-1/../evil", &fake_lookup, &error));
  }
  env.clear();
}

// Where Lambda puts its error code: the x-amzn-ErrorType header in either form, else the body.
TEST_CASE("aws_error_type", "[lambda_api]") {
  struct Row {
    const char* what;
    ClientResponse response;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {"header with ':' suffix",
       response(404, "{}",
                {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/"}}),
       "ResourceNotFoundException"},
      {"header with '#' prefix",
       response(403, "{}", {{"X-Amzn-ErrorType", "com.amazon.coral.service#AccessDeniedException"}}),
       "AccessDeniedException"},
      {"header with both",
       response(400, "", {{"x-amzn-errortype", "aws.lambda#InvalidRequestContentException:http://x"}}),
       "InvalidRequestContentException"},
      {"plain header", response(429, "", {{"x-amzn-ErrorType", "TooManyRequestsException"}}),
       "TooManyRequestsException"},
      {"header wins over body",
       response(404, R"({"code":"Other"})", {{"x-amzn-ErrorType", "ResourceNotFoundException"}}),
       "ResourceNotFoundException"},
      {"body code", response(400, R"({"code":"InvalidParameterValueException","message":"m"})"),
       "InvalidParameterValueException"},
      {"body Code", response(400, R"({"Code":"ServiceException"})"), "ServiceException"},
      {"body __type with namespace",
       response(400, R"({"__type":"com.amazonaws.lambda#KMSNotFoundException"})"), "KMSNotFoundException"},
      {"no code anywhere", response(400, R"({"Type":"User","Message":"no"})"), ""},
      {"body not JSON", response(502, "<html>Bad Gateway</html>"), ""},
      {"empty", response(500, ""), ""},
      {"garbage after the code is cut", response(400, "", {{"x-amzn-ErrorType", "Bad Thing\r\nx: y"}}),
       "Bad"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(aws_error_type(row.response) == row.expected);
  }
}

// The status mapping of DESIGN.md §4, with messages that name the function and Lambda's error
// type but never repeat Lambda's body.
TEST_CASE("classify_invoke_error", "[lambda_api]") {
  struct Row {
    const char* what;
    ClientResponse response;
    ErrorKind kind;
    const char* must_contain;
  };
  const char* secret_body_text = "do-not-leak-this";
  const std::vector<Row> rows = {
      {"429 throttled",
       response(429, R"({"Reason":"ConcurrentInvocationLimitExceeded","message":"do-not-leak-this"})",
                {{"x-amzn-ErrorType", "TooManyRequestsException"}, {"Retry-After", "1"}}),
       ErrorKind::LambdaThrottled, "TooManyRequestsException"},
      {"500 service exception",
       response(500, R"({"message":"do-not-leak-this"})", {{"x-amzn-ErrorType", "ServiceException"}}),
       ErrorKind::UpstreamUnavailable, "ServiceException"},
      {"502 without a type", response(502, "do-not-leak-this"), ErrorKind::UpstreamUnavailable, "HTTP 502"},
      {"503", response(503, ""), ErrorKind::UpstreamUnavailable, "503"},
      {"400 InvalidRequestContentException",
       response(400, R"({"Type":"User","message":"do-not-leak-this"})",
                {{"x-amzn-ErrorType", "InvalidRequestContentException:http://x/"}}),
       ErrorKind::InvalidPayload, "InvalidRequestContentException"},
      {"413 RequestTooLargeException",
       response(413, R"({"message":"do-not-leak-this"})", {{"x-amzn-ErrorType", "RequestTooLargeException"}}),
       ErrorKind::PayloadTooLarge, "RequestTooLargeException"},
      {"413 without a type", response(413, ""), ErrorKind::PayloadTooLarge, "HTTP 413"},
      {"404 ResourceNotFoundException",
       response(404, R"({"Type":"User","Message":"do-not-leak-this"})",
                {{"x-amzn-ErrorType", "ResourceNotFoundException"}}),
       ErrorKind::LambdaRejected, "Lambda rejected the call to 'my-fn': ResourceNotFoundException"},
      {"403 AccessDeniedException in the body", response(403, R"({"__type":"AccessDeniedException"})"),
       ErrorKind::LambdaRejected, "AccessDeniedException"},
      {"403 without a type", response(403, "do-not-leak-this"), ErrorKind::LambdaRejected, "HTTP 403"},
      {"400 other", response(400, "", {{"x-amzn-ErrorType", "InvalidParameterValueException"}}),
       ErrorKind::LambdaRejected, "InvalidParameterValueException"},
      {"409 conflict", response(409, "", {{"x-amzn-ErrorType", "ResourceConflictException"}}),
       ErrorKind::LambdaRejected, "ResourceConflictException"},
      {"a 3xx is not a Lambda answer", response(302, ""), ErrorKind::UpstreamUnavailable, "302"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto error = classify_invoke_error(row.response, "my-fn");
    CHECK(error.kind == row.kind);
    CHECK_THAT(error.message, Catch::Contains(row.must_contain));
    CHECK_THAT(error.message, Catch::Contains("'my-fn'"));
    CHECK_THAT(error.message, !Catch::Contains(secret_body_text));
  }
}
