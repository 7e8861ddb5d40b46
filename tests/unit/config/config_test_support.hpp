#pragma once
// Shared helpers for the config tests: load YAML from strings and look at the diagnostics as the
// exact lines `lambdagate --validate` prints.
#include <string>
#include <utility>
#include <vector>

#include "lambdagate/config/loader.hpp"

namespace lambdagate::config::test {

inline LoadResult load_one(const std::string& file, const std::string& yaml) {
  return load_config_from_strings({{file, yaml}});
}

inline std::vector<std::string> lines(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) out.push_back(d.to_string());
  return out;
}

// The Gloo AWS Lambda guide's resources: Secret, Upstream `lambda` with function `uppercase`,
// and VirtualService `default` routing /lambda to it.
inline const std::string kGlooLambdaExample = R"(apiVersion: v1
kind: Secret
metadata:
  name: aws-creds
  namespace: gloo-system
type: Opaque
data:
  aws_access_key_id: QUtJQUlPU0ZPRE5ON0VYQU1QTEU=
  aws_secret_access_key: d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ==
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
  namespace: gloo-system
spec:
  aws:
    region: us-east-1
    secretRef:
      name: aws-creds
      namespace: gloo-system
    lambdaFunctions:
    - lambdaFunctionName: uppercase
      logicalName: uppercase
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: default
  namespace: gloo-system
spec:
  virtualHost:
    domains:
    - '*'
    routes:
    - matchers:
      - prefix: /lambda
      routeAction:
        single:
          destinationSpec:
            aws:
              logicalName: uppercase
          upstream:
            name: lambda
            namespace: gloo-system
)";

// A Secret and an Upstream in namespace `default` for cases that are about other documents:
// Upstream `lambda` has functions `uppercase` and `echo:live` (function echo, alias live).
inline const std::string kBaseYaml = R"(apiVersion: v1
kind: Secret
metadata:
  name: aws-creds
stringData:
  aws_access_key_id: AKIAIOSFODNN7EXAMPLE
  aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
spec:
  aws:
    region: eu-west-1
    secretRef: {name: aws-creds}
    lambdaFunctions:
    - {lambdaFunctionName: uppercase}
    - {lambdaFunctionName: echo, qualifier: live}
)";

// The first lines of a VirtualService `vs` whose routes follow from line 9 (indent 4).
inline const std::string kVirtualServiceHead = R"(apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: vs
spec:
  virtualHost:
    domains: ['*']
    routes:
)";

// Loads kBaseYaml as base.yaml and `yaml` as test.yaml.
inline LoadResult load_with_base(const std::string& yaml) {
  return load_config_from_strings({{"base.yaml", kBaseYaml}, {"test.yaml", yaml}});
}

// Loads a VirtualService whose routes are `routes` (starting at test.yaml:9) next to kBaseYaml.
inline LoadResult load_routes(const std::string& routes) {
  return load_with_base(kVirtualServiceHead + routes);
}

inline bool has_diagnostic(const LoadResult& result, const std::string& line) {
  for (const Diagnostic& d : result.diagnostics) {
    if (d.to_string() == line) return true;
  }
  return false;
}

inline std::string joined(const LoadResult& result) {
  std::string out;
  for (const Diagnostic& d : result.diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace lambdagate::config::test
