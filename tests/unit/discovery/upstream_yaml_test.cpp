// `lambdagate discover` output: rendered Upstreams load back through lambdagate's own loader with
// every field and the merged function list intact.
#include "lambdagate/discovery/upstream_yaml.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_function_lister.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"

namespace {

using namespace lambdagate;
using testing::alias;
using testing::function_version;

const std::string kSecret =
    "apiVersion: v1\nkind: Secret\nmetadata: {name: aws-creds, namespace: gloo-system}\n"
    "stringData: {aws_access_key_id: AKIAIOSFODNN7EXAMPLE, aws_secret_access_key: wJalrXUtnFEMI}\n";

const std::string kUpstreams = R"(apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
  namespace: gloo-system
  labels: {discovery.solo.io/function_discovery: enabled, tier: "1"}
spec:
  aws:
    region: us-east-1
    secretRef: {name: aws-creds, namespace: gloo-system}
    roleArn: arn:aws:iam::123456789012:role/invoker
    awsAccountId: "123456789012"
    disableRoleChaining: true
    destinationOverrides: {invocationStyle: ASYNC, unwrapAsApiGateway: true, payloadFormatVersion: "2.0"}
    lambdaFunctions:
    - {lambdaFunctionName: uppercase, logicalName: shout, qualifier: "2"}
    - {lambdaFunctionName: echo}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: plain}
spec:
  aws: {region: eu-west-1}
)";

config::LoadResult load(const std::string& yaml) {
  return config::load_config_from_strings({{"secret.yaml", kSecret}, {"upstreams.yaml", yaml}});
}

std::string diagnostics(const config::LoadResult& result) {
  std::string out;
  for (const auto& d : result.diagnostics) out += d.to_string() + "\n";
  return out;
}

// Render → load gives the same Upstreams, with lambdaFunctions = hand-written (as written) then
// discovered (sorted, a clash with a hand-written name left out); numeric qualifiers stay strings.
TEST_CASE("rendered Upstreams load back unchanged, functions merged", "[discovery][yaml]") {
  const config::LoadResult source = load(kUpstreams);
  INFO(diagnostics(source));
  REQUIRE(source.ok());
  REQUIRE(source.config->upstreams.size() == 2);
  const config::Upstream& lambda = source.config->upstreams[0];
  const config::Upstream& plain = source.config->upstreams[1];

  discovery::ListedFunctions listed;
  listed.versions = {function_version("echo"), function_version("echo", "1"), function_version("uppercase"),
                     function_version("uppercase", "2")};
  listed.aliases["uppercase"] = {alias("live", "2")};
  auto catalog = std::make_shared<const discovery::FunctionCatalog>(
      discovery::build_catalog(listed, core::SystemTime{std::chrono::seconds{1}}));

  const std::string yaml = discovery::render_upstreams_yaml(
      {{&lambda, catalog, ""}, {&plain, nullptr, "discovery failed: Lambda rejected ListFunctions"}});
  INFO(yaml);
  CHECK_THAT(yaml, Catch::Contains("qualifier: \"1\""));
  CHECK_THAT(yaml, Catch::StartsWith("---\napiVersion: gloo.solo.io/v1\n"));
  CHECK_THAT(yaml, Catch::Contains("\n---\n# discovery failed: Lambda rejected ListFunctions\napiVersion: "
                                   "gloo.solo.io/v1\n"));
  CHECK_THAT(yaml, !Catch::Contains("AKIA"));

  const config::LoadResult back = load(yaml);
  INFO(diagnostics(back));
  REQUIRE(back.ok());
  CHECK(back.diagnostics.empty());
  REQUIRE(back.config->upstreams.size() == 2);

  const config::Upstream& again = back.config->upstreams[0];
  CHECK(again.metadata.name == "lambda");
  CHECK(again.metadata.namespace_ == "gloo-system");
  CHECK(again.metadata.labels == lambda.metadata.labels);
  CHECK(again.aws.region == "us-east-1");
  CHECK(again.aws.secret_ref == lambda.aws.secret_ref);
  CHECK(again.aws.role_arn == lambda.aws.role_arn);
  CHECK(again.aws.aws_account_id == "123456789012");
  CHECK(again.aws.disable_role_chaining);
  REQUIRE(again.aws.destination_overrides);
  CHECK(again.aws.destination_overrides->invocation_style == config::InvocationStyle::Async);
  CHECK(again.aws.destination_overrides->unwrap_as_api_gateway);
  CHECK(again.aws.destination_overrides->payload_format_version == "2.0");
  CHECK_FALSE(again.aws.destination_overrides->wrap_as_api_gateway);

  struct Fn {
    std::string logical, name, qualifier;
    bool operator==(const Fn&) const = default;
  };
  std::vector<Fn> functions;
  for (const auto& f : again.aws.lambda_functions)
    functions.push_back({f.logical_name, f.function_name, f.qualifier});
  const std::vector<Fn> expected = {
      {"shout", "uppercase", "2"},       {"echo", "echo", ""},  // hand-written, as written
      {"echo:1", "echo", "1"},           {"uppercase", "uppercase", ""},
      {"uppercase:2", "uppercase", "2"}, {"uppercase:live", "uppercase", "live"},
  };
  CHECK(functions == expected);

  const config::Upstream& plain_again = back.config->upstreams[1];
  CHECK(plain_again.metadata.name == "plain");
  CHECK(plain_again.metadata.namespace_ == "default");
  CHECK(plain_again.aws.region == "eu-west-1");
  CHECK(plain_again.aws.lambda_functions.empty());
  CHECK_FALSE(plain_again.aws.secret_ref);
}

}  // namespace
