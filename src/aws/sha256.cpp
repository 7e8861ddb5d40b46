// SHA-256 and HMAC-SHA256 on OpenSSL's SHA256_CTX (see sha256.hpp).
//
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but kept in 3.x and
// run the same block functions (SHA-NI, AVX2) as EVP's SHA-256. EVP's cost per call is what this
// file avoids: each EVP_MD_CTX_copy_ex allocates and frees, each restart goes through the
// provider and wipes, and an EVP_MAC restart does all of that for two contexts. So this file, and
// only this file, opts out of the deprecation warnings.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "lambdagate/aws/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace lambdagate::aws {

namespace {

constexpr std::size_t kBlockBytes = 64;

// The three steps can only fail on a null context; checked all the same, as EVP's were.
void init(SHA256_CTX& ctx) {
  if (SHA256_Init(&ctx) != 1) throw std::runtime_error("SHA-256 failed");
}

void update(SHA256_CTX& ctx, const void* data, std::size_t size) {
  if (SHA256_Update(&ctx, data, size) != 1) throw std::runtime_error("SHA-256 failed");
}

// Final also wipes the context's partial block (OpenSSL's md32_common), so a copy of a kept
// state that held token bytes leaves none behind once finished.
Sha256Digest finish(SHA256_CTX& ctx) {
  Sha256Digest out;
  if (SHA256_Final(out.data(), &ctx) != 1) throw std::runtime_error("SHA-256 failed");
  return out;
}

}  // namespace

Sha256Digest Sha256::digest(std::string_view data) {
  SHA256_CTX ctx;
  init(ctx);
  update(ctx, data.data(), data.size());
  return finish(ctx);
}

Sha256Resumable::~Sha256Resumable() { forget(); }

Sha256Digest Sha256Resumable::digest(std::string_view data, std::size_t repeating) {
  repeating = std::min(repeating, data.size());
  const bool same = prefix_.size() == repeating && std::memcmp(prefix_.data(), data.data(), repeating) == 0;
  if (!same) {
    forget();  // a beginning too short to keep leaves none kept: the message is hashed whole
    if (repeating >= kWorthKeeping) {
      init(after_prefix_);
      update(after_prefix_, data.data(), repeating);
      prefix_.assign(data.data(), repeating);
    }
  }
  return digest_after_kept(data);
}

Sha256Digest Sha256Resumable::digest_after_kept(std::string_view data) {
  if (prefix_.empty() || prefix_.size() > data.size()) return Sha256().digest(data);
  // The copy carries the partial block too, so the kept part need not be a block multiple.
  SHA256_CTX ctx = after_prefix_;
  update(ctx, data.data() + prefix_.size(), data.size() - prefix_.size());
  return finish(ctx);
}

void Sha256Resumable::forget() {
  OPENSSL_cleanse(prefix_.data(), prefix_.size());
  prefix_.clear();
  OPENSSL_cleanse(&after_prefix_, sizeof after_prefix_);
}

HmacSha256::~HmacSha256() { wipe(); }

void HmacSha256::wipe() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
  keyed_ = false;
}

void HmacSha256::set_key(std::string_view key) {
  wipe();
  // RFC 2104: a key longer than a block is replaced by its hash, a shorter one padded with zeros.
  unsigned char block[kBlockBytes] = {};
  if (key.size() > kBlockBytes) {
    Sha256Digest hashed = Sha256().digest(key);
    std::memcpy(block, hashed.data(), hashed.size());
    OPENSSL_cleanse(hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  for (auto& byte : block) byte ^= 0x36;
  init(inner_);
  update(inner_, block, sizeof block);
  for (auto& byte : block) byte ^= 0x36 ^ 0x5c;
  init(outer_);
  update(outer_, block, sizeof block);
  OPENSSL_cleanse(block, sizeof block);
  keyed_ = true;
}

Sha256Digest HmacSha256::mac(std::string_view data) {
  if (!keyed_) throw std::logic_error("HmacSha256::mac before set_key");
  // Both copies start as good as the key: wiped once used, as the kept states are.
  SHA256_CTX ctx = inner_;
  update(ctx, data.data(), data.size());
  const Sha256Digest inner_hash = finish(ctx);
  ctx = outer_;
  update(ctx, inner_hash.data(), inner_hash.size());
  Sha256Digest out = finish(ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

}  // namespace lambdagate::aws
