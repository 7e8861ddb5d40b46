// VirtualService spec.sslConfig (Gloo's SslConfig, ssl.proto): parsed and checked here; the TLS
// module builds contexts from it. Certificates and keys themselves are read (and matched) there.
#include <algorithm>

#include "config/documents.hpp"
#include "lambdagate/core/ascii.hpp"

namespace lambdagate::config::detail {

namespace {

struct VersionName {
  std::string_view name;
  TlsProtocolVersion version;
};

// SslParameters.ProtocolVersion, by its proto enum names.
constexpr VersionName kVersions[] = {
    {"TLS_AUTO", TlsProtocolVersion::Auto}, {"TLSv1_0", TlsProtocolVersion::V1_0},
    {"TLSv1_1", TlsProtocolVersion::V1_1},  {"TLSv1_2", TlsProtocolVersion::V1_2},
    {"TLSv1_3", TlsProtocolVersion::V1_3},
};

std::optional<TlsProtocolVersion> parse_version(const Field& field) {
  auto text = as_string(field);
  if (!text) return std::nullopt;
  auto known = std::find_if(std::begin(kVersions), std::end(kVersions),
                            [&](const VersionName& v) { return v.name == *text; });
  if (known == std::end(kVersions)) {
    field.error("'" + field.path + "' must be TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2 or TLSv1_3, got " +
                quote_value(*text));
    return std::nullopt;
  }
  return known->version;
}

bool parse_parameters(MapReader& reader, SslParameters& out) {
  bool ok = true;
  std::optional<Field> minimum = reader.take("minimumProtocolVersion");
  std::optional<Field> maximum = reader.take("maximumProtocolVersion");
  if (minimum) {
    auto version = parse_version(*minimum);
    ok = version.has_value() && ok;
    if (version) out.minimum_protocol_version = *version;
    if (version == TlsProtocolVersion::V1_0 || version == TlsProtocolVersion::V1_1) {
      minimum->warning("'" + minimum->path + "' allows TLS 1.0 or 1.1, which RFC 8996 deprecates");
    }
  }
  if (maximum) {
    auto version = parse_version(*maximum);
    ok = version.has_value() && ok;
    if (version) out.maximum_protocol_version = *version;
  }
  if (ok && out.minimum_protocol_version != TlsProtocolVersion::Auto &&
      out.maximum_protocol_version != TlsProtocolVersion::Auto &&
      out.minimum_protocol_version > out.maximum_protocol_version) {
    minimum->error("'" + minimum->path + "' is above '" + maximum->path + "'");
    ok = false;
  }
  for (auto [key, list] :
       {std::pair{"cipherSuites", &out.cipher_suites}, std::pair{"ecdhCurves", &out.ecdh_curves}}) {
    if (auto field = reader.take(key)) {
      if (auto values = as_string_list(*field)) {
        *list = std::move(*values);
      } else {
        ok = false;
      }
    }
  }
  reader.finish();
  return ok;
}

std::optional<SslFiles> parse_ssl_files(const Field& field) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  SslFiles files;
  files.where = field.where;
  auto cert = reader->required_string("tlsCert");
  auto key = reader->required_string("tlsKey");
  files.root_ca = reader->string("rootCa").value_or("");
  reader->finish();  // ocspStaple: answered from the table
  if (!cert || !key) return std::nullopt;
  files.tls_cert = *cert;
  files.tls_key = *key;
  return files;
}

}  // namespace

std::optional<SslConfig> parse_ssl_config(const Field& field, const std::string& ns) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  SslConfig config;
  config.where = field.where;
  bool ok = true;
  const bool sds = reader->has("sds");
  auto secret_ref = reader->take("secretRef");
  auto ssl_files = reader->take("sslFiles");
  if (secret_ref && ssl_files) {
    ssl_files->error("'" + ssl_files->path + "' and '" + secret_ref->path +
                     "' are both set; set one of them");
    ok = false;
  } else if (secret_ref) {
    config.secret_ref = parse_resource_ref(*secret_ref, ns);
    ok = config.secret_ref.has_value() && ok;
  } else if (ssl_files) {
    config.ssl_files = parse_ssl_files(*ssl_files);
    ok = config.ssl_files.has_value() && ok;
  } else if (!sds) {
    field.error("'" + field.path +
                "' needs a certificate: set secretRef (a kubernetes.io/tls Secret) or sslFiles");
    ok = false;
  }
  if (auto domains = reader->take("sniDomains")) {
    if (auto list = as_string_list(*domains)) {
      for (const std::string& domain : *list) {
        if (domain.empty()) {
          domains->error("'" + domains->path + "' has an empty domain");
          ok = false;
          continue;
        }
        config.sni_domains.push_back(core::to_lower_ascii(domain));
      }
    } else {
      ok = false;
    }
  }
  for (auto [key, list] : {std::pair{"verifySubjectAltName", &config.verify_subject_alt_name},
                           std::pair{"alpnProtocols", &config.alpn_protocols}}) {
    if (auto list_field = reader->take(key)) {
      if (auto values = as_string_list(*list_field)) {
        *list = std::move(*values);
      } else {
        ok = false;
      }
    }
  }
  if (auto parameters = reader->map("parameters")) {
    ok = parse_parameters(*parameters, config.parameters) && ok;
  } else if (reader->has("parameters")) {
    ok = false;
  }
  config.one_way_tls = reader->boolean("oneWayTls");
  config.disable_tls_session_resumption = reader->boolean("disableTlsSessionResumption").value_or(false);
  // sds (refused), transportSocketConnectTimeout, ocspStaplePolicy: answered from the table.
  reader->finish();
  if (!ok) return std::nullopt;
  note_pending(reader->source().diagnostics(), PendingFeature::TlsTermination, field.where);
  return config;
}

}  // namespace lambdagate::config::detail
