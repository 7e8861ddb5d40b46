#pragma once
// Policy building: the request policies of a loaded Config compiled for the request path
// (proxy/route_policies.hpp): per route the effective CORS rules, the virtual host's JWT
// authenticator (one per virtual host, shared by its routes, none where a route disables it),
// the most specific local rate limit — the route's own bucket, else the virtual host's (one
// bucket for all its routes), else its Gateway's defaultLimit (one per Gateway) — and the
// route's maxConcurrency; per Upstream function its maxConcurrency.
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/proxy/route_policies.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::wiring {

class JwksRegistry;

// Fills `out`. A policy that cannot be compiled (a key that does not parse, a JWKS URL that is
// not http(s), an impossible bucket) is reported in `errors` as "file:line: …". `jwks` null
// (--validate, tests): remote JWKS fetchers are made but never started (their routes answer 401).
void build_policies(const config::Config& config, JwksRegistry* jwks, core::SteadyTime now,
                    proxy::PolicyIndex& out, std::vector<std::string>& errors);

// The remote JWKS URLs the configuration's JWT providers name (for JwksRegistry::retain).
std::vector<std::string> remote_jwks_urls(const config::Config& config);

}  // namespace lambdagate::wiring
