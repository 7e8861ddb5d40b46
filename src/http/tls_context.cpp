#include "http/tls_context.hpp"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "lambdagate/http/trust_store.hpp"

namespace lambdagate::http::detail {

namespace ssl = boost::asio::ssl;

TlsContext::TlsContext(const TlsOptions& options)
    : context_(ssl::context::tls_client), verify_peer_(options.verify_peer) {
  // TLS 1.0 and 1.1 are deprecated (RFC 8996) and AWS endpoints no longer accept them.
  SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
  context_.set_options(ssl::context::default_workarounds | ssl::context::no_compression);

  if (options.trust_store) {
    // The process's one copy of the CAs (trust_store.hpp); the context takes a reference.
    SSL_CTX_set1_cert_store(context_.native_handle(), options.trust_store->native());
    error_ = options.trust_store->error();
  } else {
    boost::system::error_code ec;
    context_.set_default_verify_paths(ec);
    if (ec) error_ = "cannot use the system CA certificates: " + ec.message();
    if (!options.ca_bundle_file.empty()) {
      context_.load_verify_file(options.ca_bundle_file, ec);
      if (ec) error_ = "cannot load CA bundle '" + options.ca_bundle_file + "': " + ec.message();
    }
  }
  context_.set_verify_mode(verify_peer_ ? ssl::verify_peer : ssl::verify_none);
}

std::string TlsContext::prepare(SSL* ssl, const std::string& host) const {
  if (!error_.empty()) return error_;
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  const bool ip_literal = !not_ip;

  // SNI carries DNS names only (RFC 6066 §3), so an IP literal is not sent.
  if (!ip_literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return "cannot set the TLS server name '" + host + "'";
  }
  if (!verify_peer_) return {};

  // The name check is done by OpenSSL's own verifier (the same X509_check_host / X509_check_ip
  // that ssl::host_name_verification calls) rather than by that verify callback: a mismatch is
  // then recorded as X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH, so the error we report
  // says why instead of a bare "certificate verify failed".
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip_literal) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return "cannot verify against IP address '" + host + "'";
    }
  } else {
    // "*.example.com" matches, "w*.example.com" does not (as curl and browsers behave).
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) {
      return "cannot verify against host name '" + host + "'";
    }
  }
  return {};
}

std::string TlsContext::describe_failure(SSL* ssl, const boost::system::error_code& ec) {
  std::string message = ec.message();
  if (ssl != nullptr) {
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK) {
      message += ": ";
      message += X509_verify_cert_error_string(result);
    }
  }
  return message;
}

}  // namespace lambdagate::http::detail
