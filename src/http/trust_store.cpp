#include "lambdagate/http/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/system/error_code.hpp>
#include <new>

namespace lambdagate::http {

namespace {

// OpenSSL's last error as text, worded as Boost.Asio's ssl::context reports it (the messages
// the gateway gave before the store was shared).
std::string last_openssl_error() {
  const boost::system::error_code ec(static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category());
  return ec.message();
}

}  // namespace

std::shared_ptr<const TrustStore> TrustStore::load(const std::string& extra_bundle_file) {
  X509_STORE* store = ::X509_STORE_new();
  if (store == nullptr) throw std::bad_alloc();
  std::string error;
  ::ERR_clear_error();
  if (::X509_STORE_set_default_paths(store) != 1) error = "cannot use the system CA certificates: " + last_openssl_error();
  if (!extra_bundle_file.empty()) {
    ::ERR_clear_error();
    if (::X509_STORE_load_file(store, extra_bundle_file.c_str()) != 1) {
      error = "cannot load CA bundle '" + extra_bundle_file + "': " + last_openssl_error();
    }
  }
  return std::shared_ptr<const TrustStore>(new TrustStore(store, std::move(error)));
}

TrustStore::~TrustStore() { ::X509_STORE_free(store_); }

}  // namespace lambdagate::http
