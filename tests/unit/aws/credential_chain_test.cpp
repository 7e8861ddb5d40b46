#include <catch2/catch.hpp>

#include <map>

#include "fakes/fake_env.hpp"
#include "lambdagate/aws/credential_chain.hpp"

namespace {

using namespace lambdagate;
using Kind = aws::CredentialPlan::Kind;

constexpr auto& env = testing::fake_lookup;
void set_env(std::map<std::string, std::string> values) { testing::fake_env() = std::move(values); }

const std::map<std::string, std::string> kWebIdentity = {
    {"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"},
    {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"},
};

}  // namespace

// The default chain: environment keys first, then web identity, then container credentials.
TEST_CASE("default chain order", "[credentials][chain]") {
  set_env({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"},
           {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}});
  CHECK(aws::default_chain(&env, "sess").kind == Kind::Static);

  set_env(kWebIdentity);
  auto web = aws::default_chain(&env, "sess");
  CHECK(web.kind == Kind::WebIdentity);
  CHECK(web.role_arn == "arn:aws:iam::123456789012:role/pod");
  CHECK(web.token_file == "/var/run/secrets/token");
  CHECK(web.session_name == "sess");
  CHECK(web.key == "web-identity:arn:aws:iam::123456789012:role/pod");

  auto with_name = kWebIdentity;
  with_name["AWS_ROLE_SESSION_NAME"] = "mine";
  set_env(with_name);
  CHECK(aws::default_chain(&env, "sess").session_name == "mine");

  set_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t"}});
  auto container = aws::default_chain(&env, "sess");
  CHECK(container.kind == Kind::Container);
  CHECK(container.container_token_file == "/t");

  set_env({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}});
  auto none = aws::default_chain(&env, "sess");
  CHECK(none.kind == Kind::None);
  CHECK(none.problem.find("AWS_WEB_IDENTITY_TOKEN_FILE") != std::string::npos);
}

// A secretRef wins over the environment; its key changes when the secret changes, and the
// description never carries the secret.
TEST_CASE("secretRef credentials", "[credentials][chain]") {
  set_env(kWebIdentity);
  aws::UpstreamCredentialSpec spec;
  spec.secret = aws::Credentials{"AKIDSECRET", "very-secret", "", std::nullopt};
  spec.secret_name = "ns/creds";
  auto plan = aws::plan_credentials(spec, &env, "sess");
  CHECK(plan.kind == Kind::Static);
  CHECK(plan.description == "secret ns/creds");
  CHECK(plan.key.find("very-secret") == std::string::npos);
  auto rotated = spec;
  rotated.secret->secret_access_key = "rotated";
  CHECK(aws::plan_credentials(rotated, &env, "sess").key != plan.key);
}

// roleArn: the pod's own role needs no hop; another role is chained with AssumeRole, unless
// disableRoleChaining, which assumes it directly with the token.
TEST_CASE("role chaining rules", "[credentials][chain]") {
  set_env(kWebIdentity);
  aws::UpstreamCredentialSpec spec;
  spec.role_arn = "arn:aws:iam::123456789012:role/pod";
  CHECK(aws::plan_credentials(spec, &env, "s").kind == Kind::WebIdentity);

  spec.role_arn = "arn:aws:iam::999999999999:role/target";
  auto chained = aws::plan_credentials(spec, &env, "s");
  CHECK(chained.kind == Kind::AssumeRole);
  CHECK(chained.role_arn == spec.role_arn);
  REQUIRE(chained.base);
  CHECK(chained.base->kind == Kind::WebIdentity);
  CHECK(chained.key == "assume-role:arn:aws:iam::999999999999:role/target|web-identity:arn:aws:iam::123456789012:role/pod");

  spec.disable_role_chaining = true;
  auto direct = aws::plan_credentials(spec, &env, "s");
  CHECK(direct.kind == Kind::WebIdentity);
  CHECK(direct.role_arn == spec.role_arn);
  CHECK(direct.token_file == "/var/run/secrets/token");

  // Static keys can sign an AssumeRole too (one level).
  set_env({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  spec.disable_role_chaining = false;
  auto from_keys = aws::plan_credentials(spec, &env, "s");
  CHECK(from_keys.kind == Kind::AssumeRole);
  CHECK(from_keys.base->kind == Kind::Static);

  // No base credentials: nothing to chain from.
  set_env({});
  CHECK(aws::plan_credentials(spec, &env, "s").kind == Kind::None);
}
