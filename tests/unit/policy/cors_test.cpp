// CORS decisions as Envoy's CORS filter makes them for Gloo's CorsPolicy, as a table: which
// requests are preflights, which origins are allowed, and the exact headers of each answer.
#include "lambdagate/policy/cors.hpp"

#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace lambdagate;
using policy::CorsDecision;
using policy::CorsRequest;
using policy::CorsRules;
using Headers = std::vector<std::pair<std::string, std::string>>;

Headers to_vector(const policy::CorsHeaders& headers) {
  Headers out;
  for (const auto& [name, value] : headers) out.emplace_back(name, value);
  return out;
}

config::CorsPolicy full_policy() {
  config::CorsPolicy p;
  p.allow_origin = {"https://app.example.com"};
  p.allow_origin_regex = {R"(https://[a-z0-9-]+\.preview\.example\.com)"};
  p.allow_methods = {"GET", "POST", "PUT"};
  p.allow_headers = {"authorization", "content-type"};
  p.expose_headers = {"x-request-id", "x-ratelimit-remaining"};
  p.max_age = "600";
  p.allow_credentials = true;
  return p;
}

// Preflight = OPTIONS with a non-empty Origin and Access-Control-Request-Method; nothing else.
TEST_CASE("what counts as a preflight", "[policy][cors]") {
  struct Case {
    CorsRequest request;
    bool preflight;
  };
  const Case cases[] = {
      {{"OPTIONS", "https://a", "POST"}, true},  {{"OPTIONS", "https://a", ""}, false},
      {{"OPTIONS", "", "POST"}, false},          {{"GET", "https://a", "POST"}, false},
      {{"options", "https://a", "POST"}, false},  // methods are case-sensitive
  };
  for (const auto& c : cases) {
    INFO(c.request.method << " origin=" << c.request.origin << " acrm=" << c.request.request_method);
    CHECK(policy::is_preflight(c.request) == c.preflight);
  }
}

// Origins: exact strings, RE2 patterns matching the whole origin, `*` for any.
TEST_CASE("origin matching: exact, full-match regex, star", "[policy][cors]") {
  const CorsRules rules(full_policy());
  CHECK(rules.origin_allowed("https://app.example.com"));
  CHECK(rules.origin_allowed("https://pr-42.preview.example.com"));
  CHECK_FALSE(rules.origin_allowed("https://app.example.com.evil.net"));  // exact, not prefix
  CHECK_FALSE(rules.origin_allowed("http://app.example.com"));
  CHECK_FALSE(rules.origin_allowed("https://pr-42.preview.example.com.evil.net"));  // full match
  CHECK_FALSE(rules.origin_allowed("xhttps://pr-42.preview.example.com"));
  CHECK_FALSE(rules.origin_allowed(""));
  CHECK_FALSE(rules.origin_allowed("null"));

  config::CorsPolicy star;
  star.allow_origin = {"*"};
  const CorsRules any(star);
  CHECK(any.origin_allowed("https://whatever.example"));
  CHECK(any.origin_allowed("null"));
  CHECK_FALSE(any.origin_allowed(""));
}

// The whole decision table against Envoy's behaviour.
TEST_CASE("CORS decisions and headers", "[policy][cors]") {
  const CorsRules rules(full_policy());
  using Action = CorsDecision::Action;
  struct Case {
    const char* what;
    CorsRequest request;
    Action action;
    Headers headers;
  };
  const Headers preflight = {{"access-control-allow-origin", "https://app.example.com"},
                             {"access-control-allow-credentials", "true"},
                             {"access-control-allow-methods", "GET,POST,PUT"},
                             {"access-control-allow-headers", "authorization,content-type"},
                             {"access-control-max-age", "600"},
                             {"vary", "origin"}};
  const Headers actual = {{"access-control-allow-origin", "https://app.example.com"},
                          {"access-control-allow-credentials", "true"},
                          {"access-control-expose-headers", "x-request-id,x-ratelimit-remaining"},
                          {"vary", "origin"}};
  const Case cases[] = {
      {"preflight from an allowed origin is answered",
       {"OPTIONS", "https://app.example.com", "PUT"},
       Action::AnswerPreflight,
       preflight},
      {"preflight from a disallowed origin goes on, no headers",
       {"OPTIONS", "https://evil.example", "PUT"},
       Action::None,
       {}},
      {"OPTIONS without request method is an actual request",
       {"OPTIONS", "https://app.example.com", ""},
       Action::AddResponseHeaders,
       actual},
      {"actual request from an allowed origin",
       {"GET", "https://app.example.com", ""},
       Action::AddResponseHeaders,
       actual},
      {"actual request from a disallowed origin", {"POST", "https://evil.example", ""}, Action::None, {}},
      {"no Origin at all", {"GET", "", ""}, Action::None, {}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const CorsDecision d = policy::evaluate_cors(&rules, c.request);
    CHECK(d.action == c.action);
    CHECK(to_vector(d.headers) == c.headers);
  }
  // No policy on the route: nothing, even for a preflight.
  CHECK(policy::evaluate_cors(nullptr, {"OPTIONS", "https://app.example.com", "PUT"}).action == Action::None);
}

// Optional fields left out are not sent: no credentials header unless true, no empty lists, no
// max-age. The Origin is echoed, never `*`, even when `*` allowed it.
TEST_CASE("a minimal policy sends only what is configured", "[policy][cors]") {
  config::CorsPolicy p;
  p.allow_origin = {"*"};
  p.allow_credentials = false;
  const CorsRules rules(p);
  CHECK(to_vector(rules.preflight_headers("https://x.example")) ==
        Headers{{"access-control-allow-origin", "https://x.example"}, {"vary", "origin"}});
  CHECK(to_vector(rules.response_headers("https://x.example")) ==
        Headers{{"access-control-allow-origin", "https://x.example"}, {"vary", "origin"}});
}

// The request fields are read from a Beast request, case-insensitively.
TEST_CASE("cors_request_of reads method, Origin and Access-Control-Request-Method", "[policy][cors]") {
  namespace http = boost::beast::http;
  lambdagate::http::Request req{http::verb::options, "/x", 11};
  req.set("origin", "https://app.example.com");
  req.set("ACCESS-CONTROL-REQUEST-METHOD", "DELETE");
  const CorsRequest r = policy::cors_request_of(req);
  CHECK(r.method == "OPTIONS");
  CHECK(r.origin == "https://app.example.com");
  CHECK(r.request_method == "DELETE");
  CHECK(policy::is_preflight(r));
}

// A policy without any origin, or with a pattern RE2 rejects, cannot be compiled; the error
// names the file and line.
TEST_CASE("invalid CORS policies are config errors", "[policy][cors]") {
  config::CorsPolicy none;
  none.where = {"vs.yaml", 7};
  try {
    CorsRules rules(none);
    FAIL("no error");
  } catch (const policy::PolicyError& e) {
    CHECK(std::string(e.what()) == "vs.yaml:7: cors: allowOrigin or allowOriginRegex is required");
  }
  config::CorsPolicy bad;
  bad.allow_origin_regex = {"https://(unclosed"};
  bad.where = {"vs.yaml", 9};
  try {
    CorsRules rules(bad);
    FAIL("no error");
  } catch (const policy::PolicyError& e) {
    CHECK(std::string(e.what()).starts_with(
        "vs.yaml:9: cors: allowOriginRegex 'https://(unclosed' is not a valid RE2"));
  }
}

}  // namespace
