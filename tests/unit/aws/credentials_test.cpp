// The environment credentials provider, driven by a fake environment (no setenv in tests).
#include "lambdagate/aws/credentials.hpp"

#include <catch2/catch.hpp>

#include "fakes/fake_env.hpp"
#include <map>
#include <string>

namespace {

using lambdagate::aws::credentials_from_environment;

using lambdagate::testing::fake_env;
using lambdagate::testing::fake_lookup;

}  // namespace

// Long-term keys, temporary keys, and every way the pair can be incomplete.
TEST_CASE("credentials_from_environment reads the AWS_* keys", "[credentials]") {
  auto& env = fake_env();
  env.clear();

  SECTION("nothing set gives none") { CHECK_FALSE(credentials_from_environment(&fake_lookup)); }

  SECTION("both keys give long-term credentials without a token or expiry") {
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    const auto c = credentials_from_environment(&fake_lookup);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDEXAMPLE");
    CHECK(c->secret_access_key == "secret");
    CHECK(c->session_token.empty());
    CHECK_FALSE(c->expiration);
  }

  SECTION("a session token is carried along") {
    env["AWS_ACCESS_KEY_ID"] = "ASIAEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    env["AWS_SESSION_TOKEN"] = "token";
    const auto c = credentials_from_environment(&fake_lookup);
    REQUIRE(c);
    CHECK(c->session_token == "token");
  }

  SECTION("an empty session token counts as unset") {
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    env["AWS_SESSION_TOKEN"] = "";
    const auto c = credentials_from_environment(&fake_lookup);
    REQUIRE(c);
    CHECK(c->session_token.empty());
  }

  SECTION("only the access key id gives none") {
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    CHECK_FALSE(credentials_from_environment(&fake_lookup));
  }

  SECTION("only the secret gives none") {
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    env["AWS_SESSION_TOKEN"] = "token";
    CHECK_FALSE(credentials_from_environment(&fake_lookup));
  }

  SECTION("an empty access key id counts as unset") {
    env["AWS_ACCESS_KEY_ID"] = "";
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    CHECK_FALSE(credentials_from_environment(&fake_lookup));
  }

  SECTION("an empty secret counts as unset") {
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "";
    CHECK_FALSE(credentials_from_environment(&fake_lookup));
  }
  env.clear();
}

// process_env is the real lookup: it sees the process environment, and unset names are none.
TEST_CASE("process_env reads the process environment", "[credentials]") {
  CHECK(lambdagate::aws::process_env("PATH").has_value());
  CHECK_FALSE(lambdagate::aws::process_env("LAMBDAGATE_TEST_SURELY_UNSET_VARIABLE_9f3c").has_value());
}
