#pragma once
// The per-kind document parsers and the cross-document checks, as the loader calls them.
// Internal to the config module.
#include <map>
#include <string>

#include "config/yaml_reader.hpp"
#include "lambdagate/config/model.hpp"

namespace lambdagate::config::detail {

// What the loader has read so far, plus what the checks need that the model does not keep.
struct LoadState {
  Config config;
  // Upstreams that were read but are not AWS Upstreams (spec.kube, spec.static, ...), so a route
  // naming one gets "not an AWS Upstream" instead of "not found".
  std::map<ResourceRef, SourceLocation> ignored_upstreams;
  // Where each Upstream's secretRef is written, so a dangling one is reported on its own line.
  std::map<ResourceRef, SourceLocation> secret_ref_locations;
};

// The common part of every document, already validated by the loader.
struct DocumentHeader {
  std::string api_version;
  std::string kind;
  Metadata metadata;
  SourceLocation where;  // the document's first key
};

// Each parser reads the kind-specific keys of `doc` (the loader reads apiVersion, kind,
// metadata and status, and reports whatever is left as unknown) and appends to `state`.
void parse_upstream(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_virtual_service(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_secret(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_settings(MapReader& doc, const DocumentHeader& header, LoadState& state);
void parse_gateway(MapReader& doc, const DocumentHeader& header, LoadState& state);

// A {name, namespace} reference; the namespace defaults to the referrer's.
std::optional<ResourceRef> parse_resource_ref(const Field& field, const std::string& default_namespace);

// "namespace/name", as messages name resources.
std::string display(const ResourceRef& ref);
std::string display(const Metadata& metadata);

// Checks that span documents (references, function names, domain conflicts). Runs after every
// document has been read.
void validate_config(const LoadState& state, Diagnostics& diagnostics);

}  // namespace lambdagate::config::detail
