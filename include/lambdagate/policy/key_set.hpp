#pragma once
// Public keys for JWT verification: the JWS algorithms lambdagate accepts, one verification key,
// and a KeySet — the keys of one provider, parsed once from a JWK, a JWKS or PEM text and then
// immutable, so that every worker verifies with it at the same time without a lock. A KeySet is
// published by swapping a shared_ptr (KeySource), never changed in place.
//
// Accepted: RSA (2048 to 8192 bits, public exponent below 2^32) for RS*/PS*, EC P-256/P-384/P-521
// for ES256/ES384/ES512, Ed25519 for EdDSA. Never: `none`, HMAC (a gateway holding only public
// keys must not be tricked into using one as an HMAC secret), symmetric `oct` JWKs, private keys.
#include <openssl/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdagate::policy {

enum class Algorithm { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };

// The JOSE name ("RS256"), exactly.
std::string_view to_string(Algorithm alg);
// nullopt for `none`, HS*, and anything else not in the list above.
std::optional<Algorithm> parse_algorithm(std::string_view name);

enum class KeyType { Rsa, EcP256, EcP384, EcP521, Ed25519 };
std::string_view to_string(KeyType type);

// The key type an algorithm needs.
KeyType key_type_for(Algorithm alg);

constexpr std::size_t kAlgorithmCount = 10;

// One verification key. Immutable once its KeySet is built; OpenSSL allows concurrent
// verifications with one EVP_PKEY and concurrent copies of one initialised context.
class PublicKey {
 public:
  PublicKey(EVP_PKEY* key, KeyType type, std::string kid, std::optional<Algorithm> alg);  // takes `key`
  ~PublicKey();
  PublicKey(PublicKey&& other) noexcept;
  PublicKey& operator=(PublicKey&& other) noexcept;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  EVP_PKEY* evp() const { return key_; }
  KeyType type() const { return type_; }
  const std::string& kid() const { return kid_; }               // empty: none (PEM keys, JWKs without kid)
  const std::optional<Algorithm>& alg() const { return alg_; }  // the JWK's `alg`, if it names one
  // True when a token signed with `alg` may be checked with this key: the key type fits and the
  // JWK, if it names an algorithm, names this one.
  bool fits(Algorithm alg) const;
  // The modulus size for RSA, the signature size for the others: what a signature must measure.
  std::size_t signature_size(Algorithm alg) const;

 private:
  friend class KeySet;
  // Builds one initialised verification context per algorithm the key fits. Setting a context up
  // costs OpenSSL 3 a provider lookup (~3 µs); copying a prepared one costs a tenth of that.
  bool prepare();
  void release();

  EVP_PKEY* key_ = nullptr;
  KeyType type_;
  std::string kid_;
  std::optional<Algorithm> alg_;
  std::array<EVP_MD_CTX*, kAlgorithmCount> verifiers_{};  // by Algorithm; null where it does not fit
};

// Bounds on what a key document may contain (a remote JWKS is outside input).
struct KeySetLimits {
  std::size_t max_document_bytes = 512 * 1024;
  std::size_t max_keys = 64;
  unsigned min_rsa_bits = 2048;
  unsigned max_rsa_bits = 8192;
};

class KeySet;

// The outcome of parsing a key document: the keys, or why there are none. Keys that cannot be
// used (another `use`, an unsupported type or curve, a weak RSA key) are skipped and named in
// `skipped`, so that one odd key in a provider's JWKS does not take down the others.
struct KeySetParse {
  std::shared_ptr<const KeySet> keys;  // null on error
  std::string error;                   // why nothing usable was found; empty on success
  std::vector<std::string> skipped;    // one line per key left out, e.g. `kid "k2": kty "oct" ...`
  bool ok() const { return keys != nullptr; }
};

class KeySet {
 public:
  // Parses `jwks.local.key` as written, or a fetched JWKS: a JWKS (`{"keys": [...]}`), a single
  // JWK (`{"kty": ...}`), or one or more PEM blocks (PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE).
  static KeySetParse parse(std::string_view text, const KeySetLimits& limits = {});
  // Only a JWKS or single JWK (a remote endpoint serves JSON).
  static KeySetParse parse_json(std::string_view text, const KeySetLimits& limits = {});

  // Prepares every key's verification contexts; a key OpenSSL cannot prepare is dropped.
  explicit KeySet(std::vector<PublicKey> keys);
  ~KeySet();
  KeySet(const KeySet&) = delete;
  KeySet& operator=(const KeySet&) = delete;

  const std::vector<PublicKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }
  bool has_kid(std::string_view kid) const;

  // True when `signature` is a valid `alg` signature of `signing_input` under `key` (which must
  // fit `alg`). ECDSA signatures are JOSE's fixed-size r||s, not DER. Any thread.
  bool verify(Algorithm alg, const PublicKey& key, std::string_view signing_input,
              std::string_view signature) const;

 private:
  std::vector<PublicKey> keys_;
};

// Where a provider's current KeySet lives: set once (a local key) or replaced whenever a fetch
// succeeds (a remote JWKS). Readers take a snapshot with one atomic load and keep it for the
// whole verification.
class KeySource {
 public:
  KeySource() = default;
  explicit KeySource(std::shared_ptr<const KeySet> keys) : keys_(std::move(keys)) {}
  std::shared_ptr<const KeySet> get() const { return keys_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const KeySet> keys) {
    keys_.store(std::move(keys), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const KeySet>> keys_;
};

}  // namespace lambdagate::policy
