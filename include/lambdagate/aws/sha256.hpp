#pragma once
// SHA-256 and HMAC-SHA256 for SigV4, on OpenSSL's low-level SHA256_CTX: a plain struct, so a kept
// state is resumed by copying 112 bytes. The EVP interface allocates, copies through the
// provider and wipes a context on every restart or copy; on a CPU with SHA instructions that
// overhead outweighed hashing the few hundred bytes SigV4 signs. Every kept state that derives
// from a key or holds message bytes (a session token) is wiped when replaced and at destruction.
// Not thread-safe: each owner (a signer, a thread) has its own.
#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace lambdagate::aws {

using Sha256Digest = std::array<unsigned char, 32>;

class Sha256 {
 public:
  Sha256Digest digest(std::string_view data);
};

// SHA-256 of messages that begin with the same bytes call after call: SigV4's canonical requests
// to one function within one second, of which the session token (about 1 KB with IRSA) is most.
// The state after those bytes is kept, and a message that begins with exactly them again hashes
// only the rest. A message that begins otherwise is hashed whole and its beginning kept instead.
class Sha256Resumable {
 public:
  Sha256Resumable() = default;
  ~Sha256Resumable();
  Sha256Resumable(const Sha256Resumable&) = delete;
  Sha256Resumable& operator=(const Sha256Resumable&) = delete;

  // The SHA-256 of `data`, whose first `repeating` bytes (at most data.size()) are the part
  // expected to be the same as the last call's.
  Sha256Digest digest(std::string_view data, std::size_t repeating);
  // The same for `data` that starts with the part the last digest() kept, as its caller knows
  // (it has not written those bytes since): the compare is skipped. Without a kept part, the
  // whole of `data` is hashed.
  Sha256Digest digest_after_kept(std::string_view data);

 private:
  // Below this the state copy costs about what hashing the bytes again would.
  static constexpr std::size_t kWorthKeeping = 256;
  void forget();  // wipes the kept part and its state
  SHA256_CTX after_prefix_{};  // the state after prefix_; its partial block holds prefix_ bytes
  std::string prefix_;         // may hold a session token: wiped when replaced and at the end
};

// HMAC-SHA256 (RFC 2104) with the key's two padded blocks hashed once, in set_key: each MAC
// starts from copies of those two states.
class HmacSha256 {
 public:
  HmacSha256() = default;
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // Keys the context: the pads are hashed here, once per key.
  void set_key(std::string_view key);
  // The MAC of `data` under the key last set (set_key must have been called).
  Sha256Digest mac(std::string_view data);

 private:
  void wipe();

  // The states after (key ^ ipad) and (key ^ opad): as good as the key, so wiped like it.
  SHA256_CTX inner_{};
  SHA256_CTX outer_{};
  bool keyed_ = false;
};

}  // namespace lambdagate::aws
