#pragma once
// TrustStore: the CA certificates TLS clients verify servers against (the system's, plus an
// optional extra bundle), loaded once and shared. The system bundle is ~140 certificates,
// ≈ 0.8 MB once parsed; each client context loading its own copy (the control thread's and one
// per worker) multiplied that, so the gateway loads one TrustStore and every context refers to
// it (OpenSSL's X509_STORE is reference-counted and safe to use from several threads).
#include <memory>
#include <string>
#include <utility>

typedef struct x509_store_st X509_STORE;

namespace lambdagate::http {

class TrustStore {
 public:
  // Loads the system CAs and, when `extra_bundle_file` is not empty, that PEM file too. A bundle
  // that cannot be loaded does not throw: the reason is kept in `error()` (contexts built on the
  // store then fail every TLS send with it, while plain HTTP keeps working).
  static std::shared_ptr<const TrustStore> load(const std::string& extra_bundle_file);

  ~TrustStore();
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  // The store, to share with SSL_CTX_set1_cert_store (which takes a reference of its own).
  X509_STORE* native() const { return store_; }
  // Why the CAs could not be loaded; empty when they were.
  const std::string& error() const { return error_; }

 private:
  TrustStore(X509_STORE* store, std::string error) : store_(store), error_(std::move(error)) {}

  X509_STORE* store_;
  std::string error_;
};

}  // namespace lambdagate::http
