#pragma once
// TlsContext: the client side of TLS, set up once per PooledHttpClient. It owns the one
// ssl::context (TLS 1.2 minimum, system CAs plus an optional extra bundle, peer verification;
// the CAs are the process's shared TrustStore when TlsOptions carries one) and prepares each new
// stream for its host: SNI, and the name the certificate must carry.
// Private to the http module.
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

#include "lambdagate/http/client.hpp"

namespace lambdagate::http::detail {

class TlsContext {
 public:
  // A CA bundle that cannot be loaded does not throw: it is recorded in `error()`, so that
  // plain-HTTP endpoints keep working and every TLS send reports the reason. (Only an OpenSSL
  // that cannot create a context at all throws, at start-up.)
  explicit TlsContext(const TlsOptions& options);

  boost::asio::ssl::context& native() { return context_; }
  // Why this context cannot be used; empty when it can.
  const std::string& error() const { return error_; }

  // Prepares a fresh TLS stream (before the handshake) for `host`, a DNS name or an IP literal.
  // Returns an empty string on success, else why the stream cannot be set up.
  std::string prepare(SSL* ssl, const std::string& host) const;

  // A readable reason for a failed handshake: the OpenSSL error plus, when the certificate was
  // rejected, the verifier's reason (e.g. "certificate verify failed: hostname mismatch").
  static std::string describe_failure(SSL* ssl, const boost::system::error_code& ec);

 private:
  boost::asio::ssl::context context_;
  bool verify_peer_ = true;
  std::string error_;
};

}  // namespace lambdagate::http::detail
