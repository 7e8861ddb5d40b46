// ServerTlsContext (http/tls_server_context.hpp): which certificate an SNI picks (a table), what
// building refuses (a key that does not match, text that is not PEM, an unknown cipher), and real
// handshakes in memory (OpenSSL BIO pairs, no sockets): the SNI's own certificate is served, an
// SNI nothing serves fails without a default, TLS 1.1 is refused, mutual TLS needs a client
// certificate from the CA.
#include "lambdagate/http/tls_server_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using lambdagate::http::ServerCertificate;
using lambdagate::http::ServerTlsContext;
using lambdagate::http::TlsVersion;

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(LAMBDAGATE_TEST_DATA) + "/tls/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}

// tests/data/tls: server.pem (CN localhost, from ca.pem), untrusted.pem (self-signed, same names).
ServerCertificate certificate(const std::string& name, const std::string& file,
                              std::vector<std::string> sni) {
  ServerCertificate c;
  c.name = name;
  c.sni_domains = std::move(sni);
  c.certificate_chain_pem = read_data(file + ".pem");
  c.private_key_pem = read_data(file + ".key");
  return c;
}

// A client certificate (CN "test client", SAN DNS:client.example.com, clientAuth) signed by
// tests/data/tls/ca.pem, made here: the data directory holds server certificates only.
struct ClientIdentity {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  ~ClientIdentity() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

void make_client_identity(ClientIdentity& out) {
  const std::string ca_pem = read_data("ca.pem"), ca_key_pem = read_data("ca.key");
  BIO* b = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* ca = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  b = BIO_new_mem_buf(ca_key_pem.data(), static_cast<int>(ca_key_pem.size()));
  EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  REQUIRE(ca);
  REQUIRE(ca_key);
  out.key = EVP_EC_gen("P-256");
  out.cert = X509_new();
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), 4242);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), 3600);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME* name = X509_get_subject_name(out.cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("test client"),
                             -1, -1, 0);
  X509_set_issuer_name(out.cert, X509_get_subject_name(ca));
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, ca, out.cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_ext_key_usage, "clientAuth"},
                            std::pair{NID_subject_alt_name, "DNS:client.example.com"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    REQUIRE(ext);
    X509_add_ext(out.cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  REQUIRE(X509_sign(out.cert, ca_key, EVP_sha256()) > 0);
  X509_free(ca);
  EVP_PKEY_free(ca_key);
}

struct Client {
  std::string sni;
  int max_version = TLS1_3_VERSION;
  int min_version = TLS1_VERSION;
  const ClientIdentity* identity = nullptr;  // a certificate to present
  SSL_SESSION* resume = nullptr;             // a session to resume
  SSL_SESSION** session_out = nullptr;       // receives the session (SSL_SESSION_free it)
  bool* reused = nullptr;                    // whether the handshake resumed `resume`
};

// One handshake between an OpenSSL client and the server context, in memory. Returns the name of
// the certificate the server chose, or "" when the handshake failed; "rejected" when the handshake
// completed but check_client (verifySubjectAltName) refuses the client.
std::string handshake(const ServerTlsContext& server, const Client& options) {
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(client_ctx, options.min_version);
  SSL_CTX_set_max_proto_version(client_ctx, options.max_version);
  SSL_CTX_set_security_level(client_ctx, 0);  // so that only the server can refuse old versions
  if (options.identity) {
    SSL_CTX_use_certificate(client_ctx, options.identity->cert);
    SSL_CTX_use_PrivateKey(client_ctx, options.identity->key);
  }
  SSL* client = SSL_new(client_ctx);
  SSL* srv = SSL_new(server.base().native_handle());
  BIO *client_io = nullptr, *server_io = nullptr;
  BIO_new_bio_pair(&client_io, 0, &server_io, 0);
  SSL_set_bio(client, client_io, client_io);
  SSL_set_bio(srv, server_io, server_io);
  if (!options.sni.empty()) SSL_set_tlsext_host_name(client, options.sni.c_str());
  if (options.resume) SSL_set_session(client, options.resume);
  SSL_set_connect_state(client);
  SSL_set_accept_state(srv);
  bool client_done = false, server_done = false, failed = false;
  for (int i = 0; i < 50 && !(client_done && server_done) && !failed; ++i) {
    if (!client_done) {
      int r = SSL_do_handshake(client);
      client_done = r == 1;
      failed = failed || (r <= 0 && SSL_get_error(client, r) != SSL_ERROR_WANT_READ);
    }
    if (!server_done) {
      int r = SSL_do_handshake(srv);
      server_done = r == 1;
      failed = failed || (r <= 0 && SSL_get_error(srv, r) != SSL_ERROR_WANT_READ);
    }
  }
  // TLS 1.3 sends the client's certificate after the client finishes: the server decides last.
  std::string chosen =
      (client_done && server_done && !failed) ? std::string(ServerTlsContext::chosen_certificate(srv)) : "";
  if (!chosen.empty() && !server.check_client(srv).empty()) chosen = "rejected";
  if (!chosen.empty() && options.identity) {
    auto presented = ServerTlsContext::client_certificate(srv);
    if (!presented || presented->subject_dn != "CN=test client" || presented->serial_number != "1092")
      chosen = "?";
  }
  if (options.reused) *options.reused = SSL_session_reused(client) == 1;
  if (options.session_out) *options.session_out = SSL_get1_session(client);
  // A clean close, as a client that wants to resume does (OpenSSL forgets sessions ended without one).
  if (client_done) SSL_shutdown(client);
  SSL_free(client);
  SSL_free(srv);
  SSL_CTX_free(client_ctx);
  ERR_clear_error();
  return chosen;
}

}  // namespace

// Exact names win over wildcards, the longest wildcard over shorter ones, the default (no
// sniDomains) catches the rest, and without a default an unknown name picks nothing.
TEST_CASE("select_certificate: exact, longest wildcard, default, none", "[tls]") {
  using lambdagate::http::select_certificate;
  const std::vector<std::vector<std::string>> lists = {
      {"*.example.com"}, {"shop.example.com"}, {"*.eu.example.com"}, {}};
  CHECK(select_certificate(lists, "shop.example.com") == 1u);
  CHECK(select_certificate(lists, "api.example.com") == 0u);
  CHECK(select_certificate(lists, "x.eu.example.com") == 2u);
  CHECK(select_certificate(lists, "example.com") == 3u);
  CHECK(select_certificate(lists, "") == 3u);
  const std::vector<std::vector<std::string>> no_default = {{"shop.example.com"}};
  CHECK_FALSE(select_certificate(no_default, "other.example.com").has_value());
  CHECK_FALSE(select_certificate(no_default, "").has_value());
}

// Building names the certificate and says what is wrong with it.
TEST_CASE("ServerTlsContext::build refuses unusable material, naming it", "[tls]") {
  std::string error;
  auto mismatched = certificate("default/shop", "server", {});
  mismatched.private_key_pem = read_data("untrusted.key");
  CHECK(ServerTlsContext::build({mismatched}, error) == nullptr);
  CHECK(error == "certificate default/shop: the private key does not match the certificate");

  auto not_pem = certificate("default/shop", "server", {});
  not_pem.certificate_chain_pem = "hello";
  CHECK(ServerTlsContext::build({not_pem}, error) == nullptr);
  CHECK(error == "certificate default/shop: the certificate chain holds no PEM certificate");

  auto bad_cipher = certificate("default/api", "server", {});
  bad_cipher.cipher_suites = {"NOT-A-CIPHER"};
  CHECK(ServerTlsContext::build({bad_cipher}, error) == nullptr);
  CHECK(error.starts_with("certificate default/api: cipherSuites:"));

  auto upside_down = certificate("default/api", "server", {});
  upside_down.min_version = TlsVersion::V1_3;
  upside_down.max_version = TlsVersion::V1_2;
  CHECK(ServerTlsContext::build({upside_down}, error) == nullptr);

  CHECK(ServerTlsContext::build({certificate("default/ok", "server", {})}, error) != nullptr);
}

// Each SNI gets its own certificate through a real handshake; an SNI nothing serves, without a
// default certificate, gets no handshake at all.
TEST_CASE("handshakes pick the certificate by SNI", "[tls]") {
  std::string error;
  auto context = ServerTlsContext::build(
      {certificate("default/shop", "server", {"shop.example.com"}),
       certificate("default/api", "untrusted", {"api.example.com", "*.api.example.com"})},
      error);
  REQUIRE(context);
  CHECK(handshake(*context, {"shop.example.com"}) == "default/shop");
  CHECK(handshake(*context, {"api.example.com"}) == "default/api");
  CHECK(handshake(*context, {"v2.api.example.com"}) == "default/api");
  CHECK(handshake(*context, {"other.example.com"}).empty());
  CHECK(handshake(*context, {""}).empty());

  auto with_default = ServerTlsContext::build({certificate("default/shop", "server", {"shop.example.com"}),
                                               certificate("default/any", "untrusted", {})},
                                              error);
  REQUIRE(with_default);
  CHECK(handshake(*with_default, {"other.example.com"}) == "default/any");
  CHECK(handshake(*with_default, {""}) == "default/any");
}

// TLS 1.2 and 1.3 by default, never 1.1; a certificate's own versions apply to its SNI only.
TEST_CASE("protocol versions: TLS 1.2+ by default, per certificate otherwise", "[tls]") {
  std::string error;
  auto only13 = certificate("default/new", "untrusted", {"new.example.com"});
  only13.min_version = TlsVersion::V1_3;
  auto context =
      ServerTlsContext::build({certificate("default/shop", "server", {"shop.example.com"}), only13}, error);
  REQUIRE(context);
  CHECK(handshake(*context, {"shop.example.com", TLS1_2_VERSION}) == "default/shop");
  CHECK(handshake(*context, {"shop.example.com", TLS1_1_VERSION}).empty());
  CHECK(handshake(*context, {"new.example.com", TLS1_2_VERSION}).empty());
  CHECK(handshake(*context, {"new.example.com", TLS1_3_VERSION}) == "default/new");
}

// With a client CA a client must present a certificate it signed (and its subject and serial are
// read back for the events); verifySubjectAltName narrows the names; oneWayTls turns it off.
TEST_CASE("mutual TLS needs a client certificate from the CA", "[tls]") {
  ClientIdentity identity;
  make_client_identity(identity);
  std::string error;
  auto mtls = certificate("default/secure", "server", {});
  mtls.client_ca_pem = read_data("ca.pem");
  auto context = ServerTlsContext::build({mtls}, error);
  REQUIRE(context);
  CHECK(handshake(*context, {"localhost", TLS1_2_VERSION}).empty());
  CHECK(handshake(*context, {"localhost", TLS1_2_VERSION, TLS1_VERSION, &identity}) == "default/secure");
  CHECK(handshake(*context, {"localhost", TLS1_3_VERSION, TLS1_VERSION, &identity}) == "default/secure");

  mtls.verify_subject_alt_names = {"client.example.com"};
  auto named = ServerTlsContext::build({mtls}, error);
  REQUIRE(named);
  CHECK(handshake(*named, {"localhost", TLS1_2_VERSION, TLS1_VERSION, &identity}) == "default/secure");
  mtls.verify_subject_alt_names = {"someone.else"};
  auto other = ServerTlsContext::build({mtls}, error);
  REQUIRE(other);
  CHECK(handshake(*other, {"localhost", TLS1_2_VERSION, TLS1_VERSION, &identity}) == "rejected");

  mtls.verify_client = false;
  auto one_way = ServerTlsContext::build({mtls}, error);
  REQUIRE(one_way);
  CHECK(handshake(*one_way, {"localhost", TLS1_2_VERSION}) == "default/secure");
}

// Session resumption is on (a TLS 1.2 session ticket resumes the session on the next connection)
// unless disableTlsSessionResumption.
TEST_CASE("session resumption: on by default, off when disabled", "[tls]") {
  for (bool disabled : {false, true}) {
    auto cert = certificate("default/shop", "server", {"shop.example.com"});
    cert.session_resumption = !disabled;
    std::string error;
    auto context = ServerTlsContext::build({cert}, error);
    REQUIRE(context);
    SSL_SESSION* session = nullptr;
    Client first{"shop.example.com", TLS1_2_VERSION};
    first.session_out = &session;
    REQUIRE(handshake(*context, first) == "default/shop");
    REQUIRE(session);
    bool reused = false;
    Client second{"shop.example.com", TLS1_2_VERSION};
    second.resume = session;
    second.reused = &reused;
    CHECK(handshake(*context, second) == "default/shop");
    CHECK(reused == !disabled);
    SSL_SESSION_free(session);
  }
}
