// Listener building: Gateways → route tables and TLS contexts (see listener_builder.hpp).
#include "lambdagate/wiring/listener_builder.hpp"

#include <fstream>
#include <sstream>

#include "lambdagate/config/gateway_binding.hpp"

namespace lambdagate::wiring {

namespace {

std::string where(const config::SourceLocation& at) { return at.file + ":" + std::to_string(at.line) + ": "; }

std::string display(const config::Metadata& m) { return m.namespace_ + "/" + m.name; }

http::TlsVersion tls_version(config::TlsProtocolVersion v) {
  using V = config::TlsProtocolVersion;
  switch (v) {
    case V::V1_0:
      return http::TlsVersion::V1_0;
    case V::V1_1:
      return http::TlsVersion::V1_1;
    case V::V1_2:
      return http::TlsVersion::V1_2;
    case V::V1_3:
      return http::TlsVersion::V1_3;
    case V::Auto:
      break;
  }
  return http::TlsVersion::Default;
}

}  // namespace

std::optional<std::string> read_whole_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<http::ServerCertificate> server_certificates(
    const config::Config& config, const std::vector<const config::VirtualService*>& served,
    const FileReader& read, ListenerProblems& problems) {
  std::vector<http::ServerCertificate> out;
  auto& errors = problems.errors;
  for (const config::VirtualService* vs : served) {
    if (!vs->ssl_config) continue;
    const config::SslConfig& ssl = *vs->ssl_config;
    const std::string prefix = where(ssl.where) + "VirtualService " + display(vs->metadata) + ": sslConfig: ";
    http::ServerCertificate cert;
    cert.name = display(vs->metadata);
    cert.sni_domains = ssl.sni_domains;
    if (ssl.secret_ref) {
      const config::Secret* secret = config.find_secret(*ssl.secret_ref);
      if (!secret || !secret->tls) {
        errors.push_back(prefix + "secretRef " + ssl.secret_ref->namespace_ + "/" + ssl.secret_ref->name +
                         " is not a kubernetes.io/tls Secret");
        continue;
      }
      cert.certificate_chain_pem = secret->tls->certificate_chain;
      cert.private_key_pem = secret->tls->private_key;
      cert.client_ca_pem = secret->tls->root_ca;
    } else if (ssl.ssl_files) {
      std::string error;
      auto chain = read(ssl.ssl_files->tls_cert, error);
      auto key = chain ? read(ssl.ssl_files->tls_key, error) : std::nullopt;
      std::optional<std::string> ca = std::string();
      if (key && !ssl.ssl_files->root_ca.empty()) ca = read(ssl.ssl_files->root_ca, error);
      if (!chain || !key || !ca) {
        if (problems.files_optional) {
          problems.warnings.push_back(prefix + "sslFiles: " + error +
                                      " here; the gateway does not start without it");
        } else {
          errors.push_back(prefix + "sslFiles: " + error);
        }
        continue;
      }
      cert.certificate_chain_pem = std::move(*chain);
      cert.private_key_pem = std::move(*key);
      cert.client_ca_pem = std::move(*ca);
    }
    cert.verify_client = !ssl.one_way_tls.value_or(false);
    cert.verify_subject_alt_names = ssl.verify_subject_alt_name;
    cert.min_version = tls_version(ssl.parameters.minimum_protocol_version);
    cert.max_version = tls_version(ssl.parameters.maximum_protocol_version);
    cert.cipher_suites = ssl.parameters.cipher_suites;
    cert.ecdh_curves = ssl.parameters.ecdh_curves;
    cert.session_resumption = !ssl.disable_tls_session_resumption;
    // Each certificate on its own first, so an error names the VirtualService and its line.
    std::string error;
    if (!http::ServerTlsContext::build({cert}, error)) {
      errors.push_back(prefix + error);
      continue;
    }
    out.push_back(std::move(cert));
  }
  return out;
}

std::vector<proxy::ListenerRuntime> build_listeners(const std::shared_ptr<const config::Config>& config,
                                                    const FileReader& read, ListenerProblems& problems) {
  std::vector<proxy::ListenerRuntime> out;
  auto& errors = problems.errors;
  for (auto& binding : config::bind_gateways(*config)) {
    proxy::ListenerRuntime listener;
    listener.name = display(binding.gateway.metadata);
    listener.routes = routing::RouteTable::compile(config, binding.virtual_services);
    if (binding.gateway.ssl) {
      const std::size_t before = errors.size();
      auto certificates = server_certificates(*config, binding.virtual_services, read, problems);
      if (errors.size() != before) continue;
      if (!certificates.empty()) {
        std::string error;
        listener.tls = http::ServerTlsContext::build(certificates, error);
        if (!listener.tls) {
          errors.push_back((binding.gateway.implicit ? std::string() : where(binding.gateway.where)) +
                           "Gateway " + listener.name + ": " + error);
          continue;
        }
      }
    }
    listener.gateway = std::move(binding.gateway);
    out.push_back(std::move(listener));
  }
  return out;
}

std::vector<std::string> ssl_file_paths(const config::Config& config) {
  std::vector<std::string> out;
  for (const auto& vs : config.virtual_services) {
    if (!vs.ssl_config || !vs.ssl_config->ssl_files) continue;
    const auto& files = *vs.ssl_config->ssl_files;
    for (const auto* path : {&files.tls_cert, &files.tls_key, &files.root_ca})
      if (!path->empty()) out.push_back(*path);
  }
  return out;
}

}  // namespace lambdagate::wiring
