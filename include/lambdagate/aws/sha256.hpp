#pragma once
// SHA-256 and HMAC-SHA256 over OpenSSL contexts made once and reused. OpenSSL 3's one-shot calls
// fetch the algorithm and allocate a context on every call, and re-keying an HMAC hashes the
// key's two pads again: together more work than hashing the few hundred bytes SigV4 signs.
// Not thread-safe: each owner (a signer, a thread) has its own.
#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

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

// SHA-256 of messages that begin with the same bytes call after call: SigV4's canonical requests
// to one function within one second, of which the session token (about 1 KB with IRSA) is most.
// The state after those bytes is kept, and a message that begins with exactly them again hashes
// only the rest. A message that begins otherwise is hashed whole and its beginning kept instead.
class Sha256Resumable {
 public:
  Sha256Resumable();
  ~Sha256Resumable();
  Sha256Resumable(const Sha256Resumable&) = delete;
  Sha256Resumable& operator=(const Sha256Resumable&) = delete;

  // The SHA-256 of `data`, whose first `repeating` bytes (at most data.size()) are the part
  // expected to be the same as the last call's.
  Sha256Digest digest(std::string_view data, std::size_t repeating);

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  // Below this the state copy costs about what hashing the bytes again would.
  static constexpr std::size_t kWorthKeeping = 256;
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
  std::unique_ptr<EVP_MD_CTX, Free> after_prefix_;  // the state after prefix_
  std::string prefix_;  // may hold a session token: wiped when replaced and at the end
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
