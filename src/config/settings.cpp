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
        if (auto sac = aws->map("serviceAccountCredentials")) {
          ServiceAccountCredentials out;
          out.uri = sac->string("uri").value_or("");
          out.region = sac->string("region").value_or("");
          if (auto field = sac->take("timeout")) out.timeout = duration_of(*field);
          if (out.timeout && out.timeout->count() == 0) {
            diagnostics.error(sac->where(), "'" + sac->child_path("timeout") + "' must be greater than zero");
          }
          // Gloo names an Envoy cluster for STS; lambdagate connects to `uri` itself.
          sac->accept("cluster");
          sac->finish();
          settings.service_account_credentials = std::move(out);
        }
        const bool discovey = aws->boolean("enableCredentialsDiscovey").value_or(false);  // sic: Gloo's spelling
        const bool discovery = aws->boolean("enableCredentialsDiscovery").value_or(false);
        settings.enable_credentials_discovery = discovey || discovery;
        // Gloo re-reads the token file on this timer; lambdagate re-reads it at every fetch.
        aws->not_supported("credentialRefreshDelay", "not needed: the token file is read afresh at every fetch");
        aws->finish();
      }
      gloo->rest_not_supported();
    }
    spec->not_supported("discovery");
    if (auto ext = spec->map("lambdagate")) {
      if (auto field = ext->take("credentialRefreshMargin")) settings.credential_refresh_margin = duration_of(*field);
      if (settings.credential_refresh_margin && settings.credential_refresh_margin->count() == 0) {
        diagnostics.error(ext->where(), "'" + ext->child_path("credentialRefreshMargin") + "' must be greater than zero");
      }
      ext->finish();
    }
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
