// Documents, files and directories: what every kind shares.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

namespace lambdagate::config {
namespace {

using test::has_diagnostic;
using test::joined;
using test::lines;
using test::load_one;

// The Gloo AWS Lambda guide's resources load as they are, with nothing to report.
TEST_CASE("the Gloo Lambda example loads without diagnostics", "[config][loader]") {
  LoadResult result = load_one("gloo.yaml", test::kGlooLambdaExample);
  INFO(joined(result));
  REQUIRE(result.diagnostics.empty());
  REQUIRE(result.ok());
  const Config& config = *result.config;
  CHECK(config.files == std::vector<std::string>{"gloo.yaml"});

  REQUIRE(config.upstreams.size() == 1);
  const Upstream& upstream = config.upstreams[0];
  CHECK(upstream.metadata.name == "lambda");
  CHECK(upstream.metadata.namespace_ == "gloo-system");
  CHECK(upstream.aws.region == "us-east-1");
  CHECK(upstream.aws.secret_ref == ResourceRef{"aws-creds", "gloo-system"});
  REQUIRE(upstream.aws.lambda_functions.size() == 1);
  CHECK(upstream.aws.lambda_functions[0].logical_name == "uppercase");
  CHECK(upstream.aws.lambda_functions[0].function_name == "uppercase");
  CHECK(upstream.where.file == "gloo.yaml");
  CHECK(upstream.where.line == 11);

  REQUIRE(config.virtual_services.size() == 1);
  const VirtualService& vs = config.virtual_services[0];
  CHECK(vs.domains == std::vector<std::string>{"*"});
  REQUIRE(vs.routes.size() == 1);
  const Route& route = vs.routes[0];
  CHECK(route.where.line == 36);
  REQUIRE(route.matchers.size() == 1);
  CHECK(route.matchers[0].kind == PathMatchKind::Prefix);
  CHECK(route.matchers[0].path == "/lambda");
  REQUIRE(route.route_action);
  CHECK_FALSE(route.route_action->multi);
  REQUIRE(route.route_action->destinations.size() == 1);
  const Destination& destination = route.route_action->destinations[0];
  CHECK(destination.upstream == ResourceRef{"lambda", "gloo-system"});
  REQUIRE(destination.aws);
  CHECK(destination.aws->logical_name == "uppercase");
  CHECK(destination.aws->invocation_style == InvocationStyle::Sync);

  REQUIRE(config.secrets.size() == 1);
  REQUIRE(config.secrets[0].aws);
  CHECK(config.secrets[0].aws->access_key_id == "AKIAIOSFODNN7EXAMPLE");
  CHECK(config.find_upstream({"lambda", "gloo-system"}) == &upstream);
  CHECK(config.find_upstream({"lambda", "default"}) == nullptr);
  CHECK(config.find_secret({"aws-creds", "gloo-system"}) == &config.secrets[0]);
}

// The --validate line format, including problems with a whole file that have no line.
TEST_CASE("Diagnostic::to_string prints FILE:LINE: severity: message", "[config][loader]") {
  struct Case {
    Diagnostic diagnostic;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{Diagnostic::Severity::Error, {"a.yaml", 3}, "boom"}, "a.yaml:3: error: boom"},
      {{Diagnostic::Severity::Warning, {"dir/b.yml", 12}, "hm"}, "dir/b.yml:12: warning: hm"},
      {{Diagnostic::Severity::Error, {"missing.yaml", 0}, "no such file or directory"},
       "missing.yaml: error: no such file or directory"},
  };
  for (const Case& c : cases) CHECK(c.diagnostic.to_string() == c.expected);
}

// Every document needs apiVersion, kind and metadata.name; each problem is reported on the
// document's first line (or the offending key's), and the load fails.
TEST_CASE("document header errors are reported with file and line", "[config][loader]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"kind: Upstream\nmetadata: {name: a}\nspec: {aws: {}}\n", "t.yaml:1: error: 'apiVersion' is required"},
      {"apiVersion: gloo.solo.io/v1\nmetadata: {name: a}\n", "t.yaml:1: error: 'kind' is required"},
      {"apiVersion: gloo.solo.io/v1\nkind: Upstream\nspec: {aws: {}}\n",
       "t.yaml:1: error: 'metadata' is required"},
      {"apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata:\n  namespace: x\nspec: {aws: {}}\n",
       "t.yaml:3: error: 'metadata.name' is required"},
      {"apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata:\n  name: ''\nspec: {aws: {}}\n",
       "t.yaml:4: error: 'metadata.name' must not be empty"},
      {"apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: [a]\n",
       "t.yaml:3: error: 'metadata' must be a mapping, got a list"},
      {"- just\n- a list\n",
       "t.yaml:1: error: a document must be a mapping with apiVersion, kind, metadata and spec"},
      {"apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: a}\n",
       "t.yaml:1: error: 'spec' is required"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("t.yaml", c.yaml);
    INFO(c.yaml << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

// Gloo kinds lambdagate does not read are skipped with a warning; a known kind under another API
// group (the Kubernetes Gateway API's Gateway) says which apiVersion lambdagate expects. Other
// Kubernetes kinds get one info line (see "documents of other kinds ...").
TEST_CASE("unsupported kinds and apiVersions are warnings", "[config][loader]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"apiVersion: gateway.solo.io/v1\nkind: RouteOption\nmetadata: {name: ro}\nspec: {}\n",
       "t.yaml:1: warning: kind RouteOption (gateway.solo.io/v1) is not supported, document ignored"},
      {"apiVersion: gloo.solo.io/v1\nkind: UpstreamGroup\nmetadata: {name: ug}\n",
       "t.yaml:1: warning: kind UpstreamGroup (gloo.solo.io/v1) is not supported, document ignored"},
      {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
       "t.yaml:1: info: skipped 1 document of kinds lambdagate does not read: ConfigMap (1)"},
      {"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\n",
       "t.yaml:1: warning: kind Gateway in apiVersion gateway.networking.k8s.io/v1 is not supported, "
       "document "
       "ignored (lambdagate reads gateway.solo.io/v1 Gateway)"},
      {"apiVersion: gloo.solo.io/v1\nkind: VirtualService\nmetadata: {name: v}\n",
       "t.yaml:1: warning: kind VirtualService in apiVersion gloo.solo.io/v1 is not supported, document "
       "ignored "
       "(lambdagate reads gateway.solo.io/v1 VirtualService)"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("t.yaml", c.yaml);
    INFO(joined(result));
    CHECK(result.ok());
    CHECK(lines(result) == std::vector<std::string>{c.expected});
  }
}

// Two documents of the same kind, namespace and name: the second is an error naming the first.
TEST_CASE("duplicate documents name both locations", "[config][loader]") {
  const std::string upstream =
      "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda}\nspec:\n"
      "  aws: {region: us-east-1}\n";
  LoadResult result =
      load_config_from_strings({{"a.yaml", upstream}, {"b.yaml", "# second copy\n" + upstream}});
  CHECK_FALSE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{
            "b.yaml:2: error: duplicate Upstream default/lambda (first defined at a.yaml:1)"});

  // Same name in another namespace, or another kind with the same name, is fine.
  LoadResult other = load_config_from_strings(
      {{"a.yaml", upstream},
       {"b.yaml",
        "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda, namespace: prod}\n"
        "spec: {aws: {region: us-east-1}}\n---\napiVersion: gateway.solo.io/v1\nkind: Gateway\n"
        "metadata: {name: lambda}\nspec: {bindPort: 8080}\n"}});
  INFO(joined(other));
  CHECK(other.ok());
  CHECK(other.diagnostics.empty());
}

// Files hold several documents; empty ones ("---" twice, comments only) are skipped and line
// numbers stay those of the file.
TEST_CASE("multi-document files keep file line numbers", "[config][loader]") {
  const std::string yaml = R"(# leading comment
---
---
# only a comment here
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: one}
spec: {bindPort: 8080, colour: blue}
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: two}
spec:
  bindPort: 8081
  shape: round
...
)";
  LoadResult result = load_one("multi.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.config->gateways.size() == 2);
  CHECK(result.config->gateways[1].where.line == 11);
  CHECK(lines(result) == std::vector<std::string>{
                             "multi.yaml:9: warning: unknown field 'colour' in 'spec'",
                             "multi.yaml:16: warning: unknown field 'shape' in 'spec'",
                         });
}

// Windows line endings and a %YAML directive before the first "---" change nothing.
TEST_CASE("CRLF files and YAML directives are read", "[config][loader]") {
  const std::string crlf =
      "apiVersion: gateway.solo.io/v1\r\nkind: Gateway\r\nmetadata: {name: a}\r\n"
      "spec: {bindPort: 80, x: 1}\r\n---\r\napiVersion: gateway.solo.io/v1\r\nkind: Gateway\r\n"
      "metadata: {name: b}\r\nspec: {bindPort: 81, y: 1}\r\n";
  const std::string directive =
      "%YAML 1.2\n---\napiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: c}\nspec: {z: 1}\n";
  LoadResult result =
      load_config_from_strings({{"crlf.yaml", crlf}, {"empty.yaml", ""}, {"d.yaml", directive}});
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.config->gateways.size() == 3);
  CHECK(lines(result) == std::vector<std::string>{
                             "crlf.yaml:4: warning: unknown field 'x' in 'spec'",
                             "crlf.yaml:9: warning: unknown field 'y' in 'spec'",
                             "d.yaml:6: warning: unknown field 'z' in 'spec'",
                         });
}

// A syntax error loses only its own document: the others are read and their problems reported.
TEST_CASE("a YAML syntax error is reported and the other documents are still read", "[config][loader]") {
  const std::string yaml = R"(apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: one}
spec: {bindPort: 8080, colour: blue}
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: two
spec: {bindPort: 8081}
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: three}
spec: {bindPort: 99999}
)";
  LoadResult result = load_one("bad.yaml", yaml);
  CHECK_FALSE(result.ok());
  CHECK(result.error_count() == 2);
  auto got = lines(result);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == "bad.yaml:4: warning: unknown field 'colour' in 'spec'");
  // yaml-cpp notices the unclosed brace of line 8 on line 9.
  CHECK(got[1] == "bad.yaml:9: error: YAML syntax error: end of map flow not found");
  CHECK(got[2] == "bad.yaml:14: error: 'spec.bindPort' must be an integer between 1 and 65535, got '99999'");
}

// Found by tests/fuzz/yaml_fuzz.cpp: yaml-cpp 0.7's LoadAll makes empty documents without end at
// a ',' outside any flow collection (a one-byte file "," took all memory). It is a syntax error
// with its line now, and the file's other documents are still read.
TEST_CASE("a stray ',' is a syntax error, not a runaway load", "[config][loader]") {
  const std::string yaml = "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: one}\n"
                           "spec: {bindPort: 8080}\n---\n# a comment\n, x\n";
  LoadResult result = load_one("comma.yaml", yaml);
  CHECK_FALSE(result.ok());
  CHECK(lines(result) == std::vector<std::string>{"comma.yaml:7: error: YAML syntax error: unexpected text where "
                                                  "a document should start (a ',' outside [ ] or { }?)"});
  CHECK(load_one("only-comma.yaml", ",").error_count() == 1);
}

// Metadata: namespace defaults to `default`, labels are kept, Kubernetes bookkeeping (what
// `kubectl get -o yaml` adds) and `status` are accepted silently, anything else is unknown.
TEST_CASE("metadata defaults, labels and bookkeeping fields", "[config][loader]") {
  const std::string yaml = R"(apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
  labels:
    discovery.solo.io/function_discovery: disabled
    tier: "1"
  annotations: {note: x}
  uid: 0b8f
  resourceVersion: "42"
  generation: 3
  creationTimestamp: "2024-01-01T00:00:00Z"
  colour: red
spec:
  aws: {region: us-east-1}
status:
  statuses: {}
)";
  LoadResult result = load_one("m.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(lines(result) ==
        std::vector<std::string>{"m.yaml:13: warning: unknown field 'colour' in 'metadata'"});
  const Metadata& metadata = result.config->upstreams.at(0).metadata;
  CHECK(metadata.namespace_ == "default");
  CHECK(metadata.labels == std::map<std::string, std::string>{
                               {"discovery.solo.io/function_discovery", "disabled"}, {"tier", "1"}});
}

// `kubectl get upstreams -o yaml` prints a v1 List; its items are read as documents.
TEST_CASE("a v1 List is read item by item", "[config][loader]") {
  const std::string yaml = R"(apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: gloo.solo.io/v1
  kind: Upstream
  metadata: {name: a}
  spec: {aws: {region: us-east-1}}
- apiVersion: gloo.solo.io/v1
  kind: Upstream
  metadata: {name: b}
  spec: {aws: {region: us-east-1, regoin: typo}}
)";
  LoadResult result = load_one("list.yaml", yaml);
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.config->upstreams.size() == 2);
  CHECK(lines(result) ==
        std::vector<std::string>{"list.yaml:12: warning: unknown field 'regoin' in 'spec.aws'"});
}

// Unknown keys anywhere are warnings at the key's own line, with the path of their parent.
TEST_CASE("unknown fields are warnings at the key's line", "[config][loader]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string vs = test::kVirtualServiceHead;
  const std::string route = "    - matchers: [{prefix: /}]\n      directResponseAction: {status: 200}\n";
  const std::vector<Case> cases = {
      {"apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {}\nextra: 1\n",
       "t.yaml:5: warning: unknown field 'extra'"},
      {vs + route + "      colour: red\n",
       "t.yaml:11: warning: unknown field 'colour' in 'spec.virtualHost.routes[0]'"},
      {vs + "    - matchers:\n      - prefix: /\n        sufix: x\n      directResponseAction: {status: "
            "200}\n",
       "t.yaml:11: warning: unknown field 'sufix' in 'spec.virtualHost.routes[0].matchers[0]'"},
      {vs + route + "    fallback: true\n",
       "t.yaml:11: warning: unknown field 'fallback' in 'spec.virtualHost'"},
      {vs + "    - directResponseAction:\n        status: 200\n        bdy: x\n",
       "t.yaml:11: warning: unknown field 'bdy' in 'spec.virtualHost.routes[0].directResponseAction'"},
  };
  for (const Case& c : cases) {
    LoadResult result = load_one("t.yaml", c.yaml);
    INFO(c.yaml << "\n" << joined(result));
    CHECK(result.ok());
    CHECK(lines(result) == std::vector<std::string>{c.expected});
  }
}

// Wrong types are errors at the key's line, never an exception out of load_config.
TEST_CASE("wrong types are errors with file and line", "[config][loader]") {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::string gateway = "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n";
  const std::string vs = test::kVirtualServiceHead;
  const std::vector<Case> cases = {
      {gateway + "  bindPort: http\n",
       "t.yaml:5: error: 'spec.bindPort' must be an integer between 1 and 65535, got 'http'"},
      {gateway + "  bindPort: \"8080\"\n",
       "t.yaml:5: error: 'spec.bindPort' must be an integer between 1 and 65535, got a string"},
      {gateway + "  bindPort: 80.5\n",
       "t.yaml:5: error: 'spec.bindPort' must be an integer between 1 and 65535, got '80.5'"},
      {gateway + "  bindPort: [80]\n",
       "t.yaml:5: error: 'spec.bindPort' must be an integer between 1 and 65535, got a list"},
      {gateway + "  ssl: maybe\n", "t.yaml:5: error: 'spec.ssl' must be true or false, got 'maybe'"},
      {gateway + "  ssl: \"true\"\n",
       "t.yaml:5: error: 'spec.ssl' must be true or false, got the quoted string 'true'"},
      {gateway + "  bindAddress: {ip: x}\n",
       "t.yaml:5: error: 'spec.bindAddress' must be a string, got a mapping"},
      {"apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  virtualHost:\n"
       "    domains: example.com\n    routes: [{directResponseAction: {status: 200}}]\n",
       "t.yaml:6: error: 'spec.virtualHost.domains' must be a list, got a scalar"},
      {"apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  virtualHost:\n"
       "    routes: {a: 1}\n",
       "t.yaml:6: error: 'spec.virtualHost.routes' must be a list, got a mapping"},
      {vs + "    - matchers: [{prefix: /, caseSensitive: nope}]\n      directResponseAction: {status: 200}\n",
       "t.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0].caseSensitive' must be true or false, got "
       "'nope'"},
      {vs + "    - matchers: [{methods: GET}]\n      directResponseAction: {status: 200}\n",
       "t.yaml:9: error: 'spec.virtualHost.routes[0].matchers[0].methods' must be a list, got a scalar"},
      {gateway + "  bindPort: 80\n  bindPort: 81\n",
       "t.yaml:6: error: duplicate key 'spec.bindPort' (first at line 5)"},
  };
  for (const Case& c : cases) {
    LoadResult result;
    REQUIRE_NOTHROW(result = load_one("t.yaml", c.yaml));
    INFO(c.yaml << "\n" << joined(result));
    CHECK_FALSE(result.ok());
    CHECK(has_diagnostic(result, c.expected));
  }
}

// Diagnostics come sorted by file (in load order) then line, errors and warnings mixed, and
// cross-document errors land in their file's place.
TEST_CASE("diagnostics are sorted by file then line", "[config][loader]") {
  LoadResult result = load_config_from_strings({
      {"a.yaml",
       "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  x: 1\n  bindPort: 0\n"},
      {"b.yaml", test::kVirtualServiceHead + "    - routeAction: {single: {upstream: {name: ghost}}}\n    - "
                                             "directResponseAction: {status: 1}\n"},
      {"c.yaml", "apiVersion: x/v1\nkind: Thing\nmetadata: {name: t}\n"},
  });
  CHECK(lines(result) ==
        std::vector<std::string>{
            "a.yaml:5: warning: unknown field 'x' in 'spec'",
            "a.yaml:6: error: 'spec.bindPort' must be an integer between 1 and 65535, got '0'",
            "b.yaml:9: error: route #1: upstream default/ghost not found",
            "b.yaml:10: error: 'spec.virtualHost.routes[1].directResponseAction.status' must be an "
            "integer between 200 and 599, got '1'",
            "c.yaml:1: info: skipped 1 document of kinds lambdagate does not read: Thing (1)",
        });
  CHECK(result.error_count() == 3);
  CHECK(result.config == nullptr);
}

// A temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lambdagate-config-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name) << text;
  }

 private:
  std::filesystem::path path_;
};

// A Kubernetes ConfigMap mount: files are symlinks into ..data, which points at a timestamped
// directory. The symlinks are followed; ..data and the timestamped copy are not read again.
TEST_CASE("a ConfigMap mount directory is read through its ..data symlinks", "[config][loader]") {
  TempDir dir;
  const std::string stamp = "..2024_05_01_10_00_00.123456789";
  std::string example = test::kGlooLambdaExample;
  std::size_t split = example.find("---\napiVersion: gateway.solo.io/v1");
  REQUIRE(split != std::string::npos);
  dir.write(stamp + "/lambda.yaml", example.substr(0, split));
  dir.write(stamp + "/routes.yml", example.substr(split));
  dir.write(stamp + "/README.txt", "not yaml");
  std::filesystem::create_directory_symlink(stamp, dir.path() / "..data");
  for (const char* name : {"lambda.yaml", "routes.yml", "README.txt"}) {
    std::filesystem::create_symlink(std::string("..data/") + name, dir.path() / name);
  }
  dir.write(".hidden.yaml", "this: [is not read");

  LoadResult result = load_config({dir.path().string()});
  INFO(joined(result));
  REQUIRE(result.ok());
  CHECK(result.diagnostics.empty());
  CHECK(result.config->files == std::vector<std::string>{(dir.path() / "lambda.yaml").string(),
                                                         (dir.path() / "routes.yml").string()});
  CHECK(result.config->upstreams.size() == 1);
  CHECK(result.config->virtual_services.size() == 1);
  CHECK(result.config->virtual_services[0].routes.at(0).where.file == (dir.path() / "routes.yml").string());
}

// A directory with a broken file still reports everything: the syntax error, the other files'
// problems, a dangling symlink and a missing path, each with its own file name.
TEST_CASE("a directory with broken files lists every error", "[config][loader]") {
  TempDir dir;
  dir.write("10-upstream.yaml",
            "apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: lambda}\n"
            "spec:\n  aws:\n    region: us-east-1\n    lambdaFunctions: [{logicalName: x}]\n");
  dir.write("20-broken.yaml", "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: [g}\n");
  dir.write("30-gateway.yml",
            "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {ssl: 1}\n");
  std::filesystem::create_symlink("nowhere.yaml", dir.path() / "40-dangling.yaml");
  const std::string missing = (dir.path() / "missing.yaml").string();

  LoadResult result = load_config({dir.path().string(), missing});
  auto got = lines(result);
  INFO(joined(result));
  CHECK_FALSE(result.ok());
  REQUIRE(got.size() == 5);
  const std::string d = dir.path().string() + "/";
  CHECK(got[0] ==
        d + "10-upstream.yaml:7: error: 'spec.aws.lambdaFunctions[0].lambdaFunctionName' is required");
  CHECK(got[1].starts_with(d + "20-broken.yaml:3: error: YAML syntax error: "));
  CHECK(got[2] == d + "30-gateway.yml:4: error: 'spec.ssl' must be true or false, got '1'");
  CHECK(got[3] == d + "40-dangling.yaml: error: cannot read file: broken symbolic link");
  CHECK(got[4] == missing + ": error: no such file or directory");
  CHECK(result.error_count() == 5);
}

// A single file path is read whatever its extension; an empty directory is worth a warning.
TEST_CASE("file paths and empty directories", "[config][loader]") {
  TempDir dir;
  dir.write("gateway.conf",
            "apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {bindPort: 9000}\n");
  dir.write("empty/notes.txt", "nothing");

  LoadResult file = load_config({(dir.path() / "gateway.conf").string()});
  INFO(joined(file));
  REQUIRE(file.ok());
  CHECK(file.config->gateways.at(0).bind_port == 9000);

  LoadResult empty = load_config({(dir.path() / "empty").string()});
  CHECK(empty.ok());
  CHECK(lines(empty) == std::vector<std::string>{(dir.path() / "empty").string() +
                                                 ": warning: directory has no *.yaml or *.yml files"});
}

}  // namespace
}  // namespace lambdagate::config
