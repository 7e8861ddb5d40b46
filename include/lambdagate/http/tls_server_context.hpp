#pragma once
// ServerTlsContext: the server side of TLS for one HTTPS listener, built once per configuration
// snapshot from plain values (PEM text, names, versions), so a reload that changes a certificate
// builds a new one and the next handshake uses it while open connections keep theirs.
//
// One OpenSSL context per certificate, plus a base context every connection starts from (it
// holds the session-ticket keys, so resumption works whichever certificate was picked). The
// certificate is picked by the client's SNI in OpenSSL's ClientHello callback, before the
// protocol version is negotiated, so each certificate's own versions, ciphers and client
// verification apply: an exact sniDomain, then the longest "*.suffix", then the certificate
// without sniDomains; none of these → the handshake fails (never another site's certificate).
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdagate::http {

enum class TlsVersion { Default, V1_0, V1_1, V1_2, V1_3 };

// One certificate and how it is served (a VirtualService's sslConfig).
struct ServerCertificate {
  std::string name;                      // for messages and metrics, e.g. "default/shop"
  std::vector<std::string> sni_domains;  // lower-case; "*.example.com" allowed; empty = the default
  std::string certificate_chain_pem;     // leaf first
  std::string private_key_pem;
  std::string client_ca_pem;  // not empty: clients must present a certificate signed by it (mTLS)
  bool verify_client = true;  // false = oneWayTls: no client verification even with a CA
  std::vector<std::string> verify_subject_alt_names;  // a client certificate must carry one of them
  TlsVersion min_version = TlsVersion::Default;       // Default = TLS 1.2
  TlsVersion max_version = TlsVersion::Default;       // Default = TLS 1.3
  std::vector<std::string> cipher_suites;             // OpenSSL names; TLS_* are TLS 1.3 suites
  std::vector<std::string> ecdh_curves;
  bool session_resumption = true;
};

// What the gateway tells the function about a client certificate (API Gateway's clientCert).
struct ClientCertificate {
  std::string pem;
  std::string subject_dn;  // RFC 2253
  std::string issuer_dn;
  std::string serial_number;  // hex, upper-case, colon-free
  std::string not_before;     // "MMM DD HH:MM:SS YYYY GMT", as OpenSSL prints it
  std::string not_after;
};

// A served certificate's expiry, for metrics and readiness.
struct CertificateExpiry {
  std::string name;
  std::string subject;
  std::chrono::system_clock::time_point not_after;
};

class ServerTlsContext {
 public:
  struct Entry;

  // Builds the contexts. Every problem (unreadable PEM, a key that does not match its
  // certificate, an unknown cipher) names the certificate it belongs to; then returns null with
  // `error` set.
  static std::shared_ptr<const ServerTlsContext> build(const std::vector<ServerCertificate>& certificates,
                                                       std::string& error);
  ~ServerTlsContext();
  ServerTlsContext(const ServerTlsContext&) = delete;
  ServerTlsContext& operator=(const ServerTlsContext&) = delete;

  // The context every connection's stream is made from. (Asio wants it non-const; it is not
  // changed after build.)
  boost::asio::ssl::context& base() const { return base_; }

  // After a completed handshake: empty when the client may go on, else why not (a client
  // certificate without any of the names verifySubjectAltName asks for).
  std::string check_client(SSL* ssl) const;
  // The client's certificate after a completed handshake, if it presented one.
  static std::optional<ClientCertificate> client_certificate(SSL* ssl);
  // Which certificate the handshake chose ("" before the ClientHello was read).
  static std::string_view chosen_certificate(SSL* ssl);

  std::vector<CertificateExpiry> expiries() const;

 private:
  ServerTlsContext();
  static int on_client_hello(SSL* ssl, int* alert, void* arg);
  const Entry* select(std::string_view server_name) const;

  mutable boost::asio::ssl::context base_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::vector<std::string>> sni_domains_;  // parallel to entries_
};

// Exposed for tests: the certificate an SNI picks among `sni_domains` lists (index into the
// list), or nullopt. Exact names first, then the longest matching "*.suffix", then the first
// list that is empty (the default).
std::optional<std::size_t> select_certificate(const std::vector<std::vector<std::string>>& sni_domains,
                                              std::string_view server_name);

}  // namespace lambdagate::http
