// Reusable SHA-256 and HMAC-SHA256 contexts (see sha256.hpp).
#include "lambdagate/aws/sha256.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace lambdagate::aws {

namespace {

// Fetched once for the process: an implicit fetch (EVP_sha256(), EVP_Q_*) looks the algorithm up
// in the provider on every call.
const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!fetched) throw std::runtime_error("OpenSSL has no SHA256");
    return fetched;
  }();
  return md;
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* fetched = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!fetched) throw std::runtime_error("OpenSSL has no HMAC");
    return fetched;
  }();
  return mac;
}

}  // namespace

void Sha256::Free::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::runtime_error("EVP_MD_CTX_new failed");
}

Sha256Digest Sha256::digest(std::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

void Sha256Resumable::Free::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256Resumable::Sha256Resumable() : ctx_(EVP_MD_CTX_new()), after_prefix_(EVP_MD_CTX_new()) {
  if (!ctx_ || !after_prefix_) throw std::runtime_error("EVP_MD_CTX_new failed");
}

Sha256Resumable::~Sha256Resumable() { OPENSSL_cleanse(prefix_.data(), prefix_.size()); }

Sha256Digest Sha256Resumable::digest(std::string_view data, std::size_t repeating) {
  repeating = std::min(repeating, data.size());
  const auto failed = [] { return std::runtime_error("SHA-256 failed"); };
  if (repeating < kWorthKeeping) {
    if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1)
      throw failed();
  } else {
    const bool same = prefix_.size() == repeating && std::memcmp(prefix_.data(), data.data(), repeating) == 0;
    if (!same) {
      OPENSSL_cleanse(prefix_.data(), prefix_.size());
      prefix_.assign(data.data(), repeating);
      if (EVP_DigestInit_ex2(after_prefix_.get(), sha256_md(), nullptr) != 1 ||
          EVP_DigestUpdate(after_prefix_.get(), prefix_.data(), prefix_.size()) != 1) {
        prefix_.clear();
        throw failed();
      }
    }
    // The copy carries OpenSSL's partial block too, so `repeating` need not be a block multiple.
    if (EVP_MD_CTX_copy_ex(ctx_.get(), after_prefix_.get()) != 1 ||
        EVP_DigestUpdate(ctx_.get(), data.data() + repeating, data.size() - repeating) != 1)
      throw failed();
  }
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) throw failed();
  return out;
}

void HmacSha256::Free::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

HmacSha256::HmacSha256() : ctx_(EVP_MAC_CTX_new(hmac_mac())) {
  if (!ctx_) throw std::runtime_error("EVP_MAC_CTX_new failed");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx_.get(), params) != 1) throw std::runtime_error("HMAC digest setup failed");
}

void HmacSha256::set_key(std::string_view key) {
  // A null key pointer means "keep the current key" to EVP_MAC_init, so an empty key needs a
  // real (if unread) address.
  static constexpr unsigned char kEmpty[1] = {0};
  const auto* bytes = key.data() ? reinterpret_cast<const unsigned char*>(key.data()) : kEmpty;
  keyed_ = false;
  if (EVP_MAC_init(ctx_.get(), bytes, key.size(), nullptr) != 1)
    throw std::runtime_error("HMAC key setup failed");
  keyed_ = true;
  fresh_ = true;
}

Sha256Digest HmacSha256::mac(std::string_view data) {
  if (!keyed_) throw std::logic_error("HmacSha256::mac before set_key");
  Sha256Digest out;
  std::size_t len = 0;
  // No key: restart from the pads hashed when the key was set (unless set_key just did).
  const bool ready = std::exchange(fresh_, false);
  if ((!ready && EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) ||
      EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace lambdagate::aws
