#include "lambdagate/aws/credential_chain.hpp"

#include "lambdagate/aws/sigv4.hpp"

namespace lambdagate::aws {

namespace {

std::string env_or_empty(EnvLookup env, const char* name) {
  auto value = env(name);
  return value ? *value : std::string{};
}

// A fingerprint that changes when the keys change (so a rotated Secret gets a fresh cache) and
// reveals nothing about the secret.
std::string fingerprint(const Credentials& c) {
  return c.access_key_id + ":" + sigv4::sha256_hex(c.secret_access_key + "\n" + c.session_token).substr(0, 16);
}

CredentialPlan static_plan(Credentials credentials, std::string key_prefix, std::string description) {
  CredentialPlan plan;
  plan.kind = CredentialPlan::Kind::Static;
  plan.key = key_prefix + ":" + fingerprint(credentials);
  plan.description = std::move(description);
  plan.credentials = std::move(credentials);
  return plan;
}

CredentialPlan web_identity_plan(std::string role_arn, std::string token_file, std::string session_name) {
  CredentialPlan plan;
  plan.kind = CredentialPlan::Kind::WebIdentity;
  plan.key = "web-identity:" + role_arn;
  plan.description = "web identity (role " + role_arn + ")";
  plan.role_arn = std::move(role_arn);
  plan.token_file = std::move(token_file);
  plan.session_name = std::move(session_name);
  return plan;
}

}  // namespace

CredentialPlan default_chain(EnvLookup env, std::string_view default_session_name) {
  if (auto keys = credentials_from_environment(env)) {
    return static_plan(*keys, "environment", "environment keys (AWS_ACCESS_KEY_ID " +
                                                  std::string(keys->access_key_id.substr(0, 4)) + "…)");
  }
  const std::string token_file = env_or_empty(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const std::string role_arn = env_or_empty(env, "AWS_ROLE_ARN");
  std::string session_name = env_or_empty(env, "AWS_ROLE_SESSION_NAME");
  if (session_name.empty()) session_name = std::string(default_session_name);
  if (!token_file.empty() && !role_arn.empty()) return web_identity_plan(role_arn, token_file, session_name);

  const std::string container_uri = env_or_empty(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!container_uri.empty()) {
    CredentialPlan plan;
    plan.kind = CredentialPlan::Kind::Container;
    plan.key = "container:" + container_uri;
    plan.description = "container credentials (" + container_uri + ")";
    plan.container_uri = container_uri;
    plan.container_token_file = env_or_empty(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    return plan;
  }

  CredentialPlan none;
  none.problem = "no credentials: no secretRef, no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, no "
                 "AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, no AWS_CONTAINER_CREDENTIALS_FULL_URI";
  none.description = "none";
  if (!token_file.empty() || !role_arn.empty()) {
    none.problem += " (web identity needs both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)";
  }
  return none;
}

CredentialPlan plan_credentials(const UpstreamCredentialSpec& spec, EnvLookup env, std::string_view session_name) {
  CredentialPlan base = spec.secret ? static_plan(*spec.secret, "secret:" + spec.secret_name,
                                                  "secret " + spec.secret_name)
                                    : default_chain(env, session_name);
  if (spec.role_arn.empty() || base.kind == CredentialPlan::Kind::None) return base;
  if (base.kind == CredentialPlan::Kind::WebIdentity) {
    // The pod's own role needs no second hop.
    if (spec.role_arn == base.role_arn) return base;
    if (spec.disable_role_chaining) return web_identity_plan(spec.role_arn, base.token_file, base.session_name);
  }
  std::string session = base.session_name;
  if (session.empty()) {
    session = env_or_empty(env, "AWS_ROLE_SESSION_NAME");
    if (session.empty()) session = std::string(session_name);
  }
  CredentialPlan chained;
  chained.kind = CredentialPlan::Kind::AssumeRole;
  chained.key = "assume-role:" + spec.role_arn + "|" + base.key;
  chained.description = "assume role " + spec.role_arn + " via " + base.description;
  chained.role_arn = spec.role_arn;
  chained.session_name = std::move(session);
  chained.base = std::make_shared<const CredentialPlan>(std::move(base));
  return chained;
}

}  // namespace lambdagate::aws
