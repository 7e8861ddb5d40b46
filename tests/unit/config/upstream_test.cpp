// gloo.solo.io/v1 Upstream with spec.aws.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::has_diagnostic;
using test::joined;
using test::lines;
using test::load_one;

const std::string kHead =
    "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata:\n  name: lambda\n  namespace: team\n"
    "spec:\n  aws:\n";  // spec.aws fields start at line 8 (indent 4)

// Every spec.aws field is read; logicalName defaults to name or name:qualifier, references
// default to the Upstream's namespace.
TEST_CASE("an AWS Upstream is read field by field", "[config][upstream]") {
  const std::string yaml = kHead + R"(    region: eu-central-1
    secretRef: {name: creds}
    roleArn: arn:aws:iam::123456789012:role/invoker
    awsAccountId: "210987654321"
    disableRoleChaining: true
    lambdaFunctions:
    - lambdaFunctionName: uppercase
    - lambdaFunctionName: echo
      qualifier: "7"
    - lambdaFunctionName: arn:aws:lambda:eu-central-1:210987654321:function:other
      logicalName: other
      qualifier: live
)";
  LoadResult result = load_config_from_strings(
      {{"u.yaml", yaml},
       {"s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: team}\n"
        "stringData: {aws_access_key_id: AKIA0000000000000000, aws_secret_access_key: abc}\n"}});
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  const AwsUpstreamSpec& aws = result.config->upstreams.at(0).aws;
  CHECK(aws.region == "eu-central-1");
  CHECK(aws.secret_ref == ResourceRef{"creds", "team"});
  CHECK(aws.role_arn == "arn:aws:iam::123456789012:role/invoker");
  CHECK(aws.aws_account_id == "210987654321");
  CHECK(aws.disable_role_chaining);
  REQUIRE(aws.lambda_functions.size() == 3);
  CHECK(aws.lambda_functions[0].logical_name == "uppercase");
  CHECK(aws.lambda_functions[0].qualifier.empty());
  CHECK(aws.lambda_functions[0].where.line == 14);
  CHECK(aws.lambda_functions[1].logical_name == "echo:7");
  CHECK(aws.lambda_functions[1].function_name == "echo");
  CHECK(aws.lambda_functions[1].qualifier == "7");
  CHECK(aws.lambda_functions[2].logical_name == "other");
  CHECK(aws.lambda_functions[2].qualifier == "live");
}

// Mistakes in spec.aws, each at its own line.
TEST_CASE("Upstream errors are reported at their lines", "[config][upstream]") {
  struct Case {
    std::string aws;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"    lambdaFunctions:\n    - {logicalName: a}\n",
       "u.yaml:9: error: 'spec.aws.lambdaFunctions[0].lambdaFunctionName' is required"},
      {"    lambdaFunctions:\n    - {lambdaFunctionName: a}\n    - {lambdaFunctionName: b, logicalName: a}\n",
       "u.yaml:10: error: duplicate logicalName 'a' in 'spec.aws.lambdaFunctions' (first at line 9)"},
      {"    lambdaFunctions:\n    - {lambdaFunctionName: f, qualifier: '1'}\n    - {lambdaFunctionName: f, "
       "qualifier: '1'}\n",
       "u.yaml:10: error: duplicate logicalName 'f:1' in 'spec.aws.lambdaFunctions' (first at line 9)"},
      {"    lambdaFunctions: uppercase\n",
       "u.yaml:8: error: 'spec.aws.lambdaFunctions' must be a list, got a scalar"},
      {"    awsAccountId: 12345\n",
       "u.yaml:8: error: 'spec.aws.awsAccountId' must be a 12-digit AWS account id, got '12345'"},
      {"    awsAccountId: 12345678901a\n",
       "u.yaml:8: error: 'spec.aws.awsAccountId' must be a 12-digit AWS account id, got '12345678901a'"},
      {"    roleArn: my-role\n",
       "u.yaml:8: error: 'spec.aws.roleArn' must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME), "
       "got "
       "'my-role'"},
      {"    disableRoleChaining: 1\n",
       "u.yaml:8: error: 'spec.aws.disableRoleChaining' must be true or false, got '1'"},
      {"    secretRef: {namespace: x}\n", "u.yaml:8: error: 'spec.aws.secretRef.name' is required"},
      {"    secretRef: creds\n", "u.yaml:8: error: 'spec.aws.secretRef' must be a mapping, got a scalar"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("u.yaml", kHead + c.aws);
    INFO(c.aws << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

// Gloo fields lambdagate does not implement yet are "not supported" warnings, typos are
// "unknown field" warnings; neither stops the load.
TEST_CASE("unimplemented Gloo Upstream fields are warnings", "[config][upstream]") {
  const std::string yaml = kHead + R"(    region: us-east-1
    regoin: typo
  circuitBreakers: {maxConnections: 1}
  useHttp2: true
  nonsense: 1
)";
  LoadResult result = load_one("u.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "u.yaml:9: warning: unknown field 'regoin' in 'spec.aws'",
            "u.yaml:10: warning: 'spec.circuitBreakers' is ignored: shapes an Envoy cluster; "
            "lambdagate's Lambda client has its own pool, timeouts and retries",
            "u.yaml:11: warning: 'spec.useHttp2' is ignored: shapes an Envoy cluster; "
            "lambdagate's Lambda client has its own pool, timeouts and retries",
            "u.yaml:12: warning: unknown field 'nonsense' in 'spec'",
        });
}

// A non-AWS Upstream is skipped with a warning; a route to it says so instead of "not found".
TEST_CASE("non-AWS Upstreams are ignored with a warning", "[config][upstream]") {
  const std::string yaml = R"(apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: petstore, namespace: gloo-system}
spec:
  kube:
    serviceName: petstore
    servicePort: 8080
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: both}
spec:
  aws: {region: us-east-1}
  static: {hosts: [{addr: example.com, port: 80}]}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: none}
spec: {}
)";
  LoadResult result = load_one("u.yaml", yaml);
  CHECK(lines(result) ==
        std::vector<std::string>{
            "u.yaml:5: warning: 'spec.kube' is not supported (lambdagate only invokes AWS Lambda through "
            "spec.aws), "
            "Upstream gloo-system/petstore ignored",
            "u.yaml:14: error: 'spec.static' and 'spec.aws' are both set; an Upstream has exactly one type",
            "u.yaml:19: error: Upstream default/none has no 'spec.aws'",
        });

  LoadResult routed = load_config_from_strings(
      {{"u.yaml", yaml.substr(0, yaml.find("---"))},
       {"vs.yaml",
        test::kVirtualServiceHead +
            "    - routeAction: {single: {upstream: {name: petstore, namespace: gloo-system}}}\n"}});
  CHECK(has_diagnostic(
      routed,
      "vs.yaml:9: error: route #1: upstream gloo-system/petstore is not an AWS Upstream (it was ignored)"));
}

}  // namespace
}  // namespace lambdagate::config
