#pragma once
// `lambdagate discover` output: every Upstream as a gloo.solo.io/v1 Upstream document with its
// lambdaFunctions filled in — hand-written ones first, as written, then the discovered ones
// sorted by logical name — in a form lambdagate's own loader (and kubectl) reads back.
#include <memory>
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/discovery/function_catalog.hpp"

namespace lambdagate::discovery {

struct UpstreamFunctions {
  const config::Upstream* upstream = nullptr;      // not null
  std::shared_ptr<const FunctionCatalog> catalog;  // null: not discovered, or discovery failed
  std::string note;  // a "# ..." comment at the top of the document, e.g. why discovery failed
};

// "---"-separated documents, one per entry, in the order given. Only references are written
// (secretRef), never secret values. Numeric-looking strings (qualifier "1") are quoted so they
// stay strings.
std::string render_upstreams_yaml(const std::vector<UpstreamFunctions>& upstreams);

}  // namespace lambdagate::discovery
