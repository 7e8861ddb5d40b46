#pragma once
// SHA-256 and HMAC-SHA256 over OpenSSL contexts made once and reused. OpenSSL 3's one-shot calls
// fetch the algorithm and allocate a context on every call, and re-keying an HMAC hashes the
// key's two pads again: together more work than hashing the few hundred bytes SigV4 signs.
// Not thread-safe: each owner (a signer, a thread) has its own.
#include <array>
#include <memory>
#include <string_view>

#include <openssl/types.h>

namespace lambdagate::aws {

using Sha256Digest = std::array<unsigned char, 32>;

class Sha256 {
public:
  Sha256();
  Sha256Digest digest(std::string_view data);

private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

class HmacSha256 {
public:
  HmacSha256();
  // Keys the context: the pads are hashed here, once per key.
  void set_key(std::string_view key);
  // The MAC of `data` under the key last set (set_key must have been called).
  Sha256Digest mac(std::string_view data);

private:
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MAC_CTX, Free> ctx_;
  bool keyed_ = false;
  bool fresh_ = false;  // set_key has just initialised the context for a message
};

}  // namespace lambdagate::aws
