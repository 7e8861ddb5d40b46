// ServerTlsContext: one OpenSSL context per certificate, picked by SNI (see tls_server_context.hpp).
#include "lambdagate/http/tls_server_context.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "lambdagate/core/ascii.hpp"

namespace lambdagate::http {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites with forward secrecy and AEAD only (Mozilla's "intermediate" list); TLS 1.3's
// own suites are all modern and stay OpenSSL's defaults.
constexpr const char* kDefaultCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

// The last OpenSSL error as text (and the queue emptied, so it does not leak into the next call).
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  std::string text;
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    const char* reason = ERR_reason_error_string(code);
    text = reason ? reason : buffer;
  }
  ERR_clear_error();
  return text.empty() ? "unknown OpenSSL error" : text;
}

std::vector<X509Ptr> read_certificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the end of the text reads as an error
  return out;
}

int to_openssl(TlsVersion v, int fallback) {
  switch (v) {
    case TlsVersion::V1_0:
      return TLS1_VERSION;
    case TlsVersion::V1_1:
      return TLS1_1_VERSION;
    case TlsVersion::V1_2:
      return TLS1_2_VERSION;
    case TlsVersion::V1_3:
      return TLS1_3_VERSION;
    case TlsVersion::Default:
      break;
  }
  return fallback;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return bio_text(bio.get());
}

std::string time_text(const ASN1_TIME* time) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  return bio_text(bio.get());
}

std::chrono::system_clock::time_point time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// The index under which a connection's SSL object records the Entry its handshake chose.
int entry_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// The host_name of a ClientHello's server_name extension (RFC 6066 §3), or "" without one.
std::string server_name_of(SSL* ssl) {
  const unsigned char* p = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1 || len < 2) return {};
  std::size_t list = (std::size_t{p[0]} << 8) | p[1];
  p += 2;
  len -= 2;
  if (list > len) return {};
  while (list >= 3) {
    const unsigned type = p[0];
    const std::size_t n = (std::size_t{p[1]} << 8) | p[2];
    if (n + 3 > list) return {};
    if (type == TLSEXT_NAMETYPE_host_name) {
      return core::to_lower_ascii(std::string_view(reinterpret_cast<const char*>(p + 3), n));
    }
    p += n + 3;
    list -= n + 3;
  }
  return {};
}

}  // namespace

struct ServerTlsContext::Entry {
  ServerCertificate spec;
  SSL_CTX* ctx = nullptr;
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string cipher_list = kDefaultCipherList;
  std::string cipher_suites;  // TLS 1.3; empty = OpenSSL's
  int verify_mode = SSL_VERIFY_NONE;
  std::string subject;
  std::chrono::system_clock::time_point not_after;

  ~Entry() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

std::optional<std::size_t> select_certificate(const std::vector<std::vector<std::string>>& sni_domains,
                                              std::string_view server_name) {
  std::optional<std::size_t> wildcard;
  std::size_t wildcard_length = 0;
  std::optional<std::size_t> fallback;
  for (std::size_t i = 0; i < sni_domains.size(); ++i) {
    if (sni_domains[i].empty()) {
      if (!fallback) fallback = i;
      continue;
    }
    for (const auto& domain : sni_domains[i]) {
      if (domain == server_name && !server_name.empty()) return i;
      // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com".
      if (domain.starts_with("*.")) {
        std::string_view suffix = std::string_view(domain).substr(1);
        if (server_name.size() > suffix.size() && server_name.ends_with(suffix) &&
            suffix.size() > wildcard_length) {
          wildcard = i;
          wildcard_length = suffix.size();
        }
      }
    }
  }
  return wildcard ? wildcard : fallback;
}

ServerTlsContext::ServerTlsContext() : base_(ssl::context::tls_server) {}

ServerTlsContext::~ServerTlsContext() = default;

std::shared_ptr<const ServerTlsContext> ServerTlsContext::build(
    const std::vector<ServerCertificate>& certificates, std::string& error) {
  std::shared_ptr<ServerTlsContext> out(new ServerTlsContext());
  ERR_clear_error();
  for (const auto& spec : certificates) {
    auto fail = [&](const std::string& why) {
      error = "certificate " + spec.name + ": " + why;
      return nullptr;
    };
    auto entry = std::make_unique<Entry>();
    entry->spec = spec;
    entry->ctx = SSL_CTX_new(TLS_server_method());
    if (!entry->ctx) return fail("cannot create a TLS context: " + openssl_error());
    SSL_CTX* ctx = entry->ctx;

    auto chain = read_certificates(spec.certificate_chain_pem);
    if (chain.empty()) return fail("the certificate chain holds no PEM certificate");
    if (SSL_CTX_use_certificate(ctx, chain.front().get()) != 1)
      return fail("cannot use the certificate: " + openssl_error());
    for (std::size_t i = 1; i < chain.size(); ++i) {
      if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1)
        return fail("cannot use intermediate certificate " + std::to_string(i) + ": " + openssl_error());
    }
    BioPtr key_bio(
        BIO_new_mem_buf(spec.private_key_pem.data(), static_cast<int>(spec.private_key_pem.size())));
    KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (!key) return fail("the private key is not a readable PEM key: " + openssl_error());
    if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
      ERR_clear_error();
      return fail("the private key does not match the certificate");
    }
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
      return fail("cannot use the private key: " + openssl_error());
    if (SSL_CTX_check_private_key(ctx) != 1) return fail("the private key does not match the certificate");
    entry->subject = name_text(X509_get_subject_name(chain.front().get()));
    entry->not_after = time_point(X509_get0_notAfter(chain.front().get()));

    if (!spec.client_ca_pem.empty() && spec.verify_client) {
      auto cas = read_certificates(spec.client_ca_pem);
      if (cas.empty()) return fail("the client CA (rootCa / ca.crt) holds no PEM certificate");
      X509_STORE* store = SSL_CTX_get_cert_store(ctx);
      for (auto& ca : cas) {
        if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1)
          return fail("cannot use the client CA: " + openssl_error());
      }
      entry->verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }

    entry->min_version = to_openssl(spec.min_version, TLS1_2_VERSION);
    entry->max_version = to_openssl(spec.max_version, TLS1_3_VERSION);
    if (entry->min_version > entry->max_version)
      return fail("minimumProtocolVersion is above maximumProtocolVersion");
    if (!spec.cipher_suites.empty()) {
      std::string list, suites;
      for (const auto& c : spec.cipher_suites) {
        std::string& target = c.starts_with("TLS_") ? suites : list;
        if (!target.empty()) target += ':';
        target += c;
      }
      entry->cipher_list = list.empty() ? kDefaultCipherList : list;
      entry->cipher_suites = suites;
    }
    // OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above security level 0: a configuration
    // that asks for them gets them.
    if (entry->min_version < TLS1_2_VERSION) entry->cipher_list += ":@SECLEVEL=0";
    if (SSL_CTX_set_cipher_list(ctx, entry->cipher_list.c_str()) != 1)
      return fail("cipherSuites: no usable TLS 1.2 cipher in '" + entry->cipher_list + "'");
    if (!entry->cipher_suites.empty() && SSL_CTX_set_ciphersuites(ctx, entry->cipher_suites.c_str()) != 1)
      return fail("cipherSuites: unknown TLS 1.3 suite in '" + entry->cipher_suites + "'");
    if (!spec.ecdh_curves.empty()) {
      std::string groups;
      for (const auto& g : spec.ecdh_curves) groups += (groups.empty() ? "" : ":") + g;
      if (SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1)
        return fail("ecdhCurves: unknown curve in '" + groups + "'");
    }
    // Sessions resumed for one certificate are never offered to another.
    const std::string sid = spec.name.substr(0, SSL_MAX_SID_CTX_LENGTH);
    SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(sid.data()),
                                   static_cast<unsigned>(sid.size()));
    out->sni_domains_.push_back(spec.sni_domains);
    out->entries_.push_back(std::move(entry));
  }
  if (out->entries_.empty()) {
    error = "no certificate to serve";
    return nullptr;
  }

  SSL_CTX* base = out->base_.native_handle();
  // The base context only starts handshakes: the ClientHello callback moves each one to the
  // chosen certificate's context and settings. Session tickets stay on (resumption).
  SSL_CTX_set_min_proto_version(base, TLS1_VERSION);
  SSL_CTX_set_options(base,
                      SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  static constexpr unsigned char kSid[] = "lambdagate";
  SSL_CTX_set_session_id_context(base, kSid, sizeof kSid - 1);
  SSL_CTX_set_client_hello_cb(base, &ServerTlsContext::on_client_hello, out.get());
  for (auto& e : out->entries_) {
    SSL_CTX_set_options(e->ctx,
                        SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  }
  return out;
}

const ServerTlsContext::Entry* ServerTlsContext::select(std::string_view server_name) const {
  auto index = select_certificate(sni_domains_, server_name);
  return index ? entries_[*index].get() : nullptr;
}

int ServerTlsContext::on_client_hello(SSL* ssl, int* alert, void* arg) {
  const auto* self = static_cast<const ServerTlsContext*>(arg);
  const Entry* entry = self->select(server_name_of(ssl));
  if (!entry) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_CLIENT_HELLO_ERROR;
  }
  if (SSL_get_ex_data(ssl, entry_index()) == entry) return SSL_CLIENT_HELLO_SUCCESS;  // a second hello (HRR)
  SSL_set_SSL_CTX(ssl, entry->ctx);
  // The SSL object copied these from the base context when it was made; the chosen
  // certificate's own apply, and still in time: the version is negotiated after this callback.
  SSL_set_min_proto_version(ssl, entry->min_version);
  SSL_set_max_proto_version(ssl, entry->max_version);
  SSL_set_cipher_list(ssl, entry->cipher_list.c_str());
  if (!entry->cipher_suites.empty()) SSL_set_ciphersuites(ssl, entry->cipher_suites.c_str());
  SSL_set_verify(ssl, entry->verify_mode, nullptr);
  if (!entry->spec.session_resumption) SSL_set_options(ssl, SSL_OP_NO_TICKET);
  SSL_set_ex_data(ssl, entry_index(), const_cast<Entry*>(entry));
  return SSL_CLIENT_HELLO_SUCCESS;
}

std::string_view ServerTlsContext::chosen_certificate(SSL* ssl) {
  const auto* entry = static_cast<const Entry*>(SSL_get_ex_data(ssl, entry_index()));
  return entry ? std::string_view(entry->spec.name) : std::string_view();
}

std::string ServerTlsContext::check_client(SSL* ssl) const {
  const auto* entry = static_cast<const Entry*>(SSL_get_ex_data(ssl, entry_index()));
  if (!entry || entry->spec.verify_subject_alt_names.empty() || entry->verify_mode == SSL_VERIFY_NONE)
    return {};
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (!peer) return "no client certificate";
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(peer, NID_subject_alt_name, nullptr, nullptr));
  bool found = false;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    const ASN1_IA5STRING* text = nullptr;
    if (name->type == GEN_DNS) text = name->d.dNSName;
    if (name->type == GEN_EMAIL) text = name->d.rfc822Name;
    if (name->type == GEN_URI) text = name->d.uniformResourceIdentifier;
    if (!text) continue;
    std::string_view value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                           static_cast<std::size_t>(ASN1_STRING_length(text)));
    for (const auto& wanted : entry->spec.verify_subject_alt_names) found = found || value == wanted;
  }
  GENERAL_NAMES_free(names);
  return found ? std::string()
               : "the client certificate carries none of the names verifySubjectAltName accepts";
}

std::optional<ClientCertificate> ServerTlsContext::client_certificate(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (!peer) return std::nullopt;
  ClientCertificate out;
  BioPtr pem(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(pem.get(), peer);
  out.pem = bio_text(pem.get());
  out.subject_dn = name_text(X509_get_subject_name(peer));
  out.issuer_dn = name_text(X509_get_issuer_name(peer));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out.serial_number = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  out.not_before = time_text(X509_get0_notBefore(peer));
  out.not_after = time_text(X509_get0_notAfter(peer));
  return out;
}

std::vector<CertificateExpiry> ServerTlsContext::expiries() const {
  std::vector<CertificateExpiry> out;
  for (const auto& e : entries_) out.push_back({e->spec.name, e->subject, e->not_after});
  return out;
}

}  // namespace lambdagate::http
