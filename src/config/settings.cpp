// gloo.solo.io/v1 Settings: the spec.gloo.awsOptions switches lambdagate implements so far.
// A real Gloo Settings document carries much more (control-plane addresses, discovery, rate
// limits, ...); each of those fields gets a "not supported" warning.
#include "config/documents.hpp"

namespace lambdagate::config::detail {

void parse_settings(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  Settings settings;
  settings.metadata = header.metadata;
  settings.where = header.where;

  if (auto spec = doc.map("spec")) {
    if (auto gloo = spec->map("gloo")) {
      if (auto aws = gloo->map("awsOptions")) {
        settings.fallback_to_first_function = aws->boolean("fallbackToFirstFunction").value_or(false);
        settings.propagate_original_routing = aws->boolean("propagateOriginalRouting").value_or(false);
        aws->not_supported("serviceAccountCredentials");
        aws->not_supported("enableCredentialsDiscovey");  // sic: Gloo's spelling
        aws->not_supported("enableCredentialsDiscovery");
        aws->not_supported("credentialRefreshDelay");
        aws->finish();
      }
      gloo->rest_not_supported();
    }
    spec->not_supported("discovery");
    spec->not_supported("lambdagate");
    spec->rest_not_supported();
  } else if (!doc.has("spec")) {
    diagnostics.error(header.where, "'spec' is required");
    return;
  }

  if (state.config.settings) {
    // Two Settings would make fallbackToFirstFunction depend on file order.
    const SourceLocation& first = state.config.settings->where;
    diagnostics.error(header.where, "more than one Settings document (first is " +
                                        display(state.config.settings->metadata) + " at " + first.file + ":" +
                                        std::to_string(first.line) + ")");
    return;
  }
  state.config.settings = std::move(settings);
}

}  // namespace lambdagate::config::detail
