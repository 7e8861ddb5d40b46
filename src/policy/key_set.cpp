// Key parsing (JWK, JWKS, PEM) and signature verification with OpenSSL 3's EVP interface
// (why OpenSSL and no JWT library: see jwt_verifier.cpp).
#include "lambdagate/policy/key_set.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/core/json_depth.hpp"

namespace lambdagate::policy {

namespace {

using json = nlohmann::json;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct DecoderCtxDeleter {
  void operator()(OSSL_DECODER_CTX* p) const { OSSL_DECODER_CTX_free(p); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

const char* digest_name(Algorithm alg) {
  switch (alg) {
    case Algorithm::RS256:
    case Algorithm::PS256:
    case Algorithm::ES256:
      return "SHA256";
    case Algorithm::RS384:
    case Algorithm::PS384:
    case Algorithm::ES384:
      return "SHA384";
    case Algorithm::RS512:
    case Algorithm::PS512:
    case Algorithm::ES512:
      return "SHA512";
    case Algorithm::EdDSA:
      return nullptr;  // Ed25519 hashes internally
  }
  return nullptr;
}

// Coordinate / scalar size in bytes for each curve.
std::size_t ec_field_bytes(KeyType type) {
  switch (type) {
    case KeyType::EcP256:
      return 32;
    case KeyType::EcP384:
      return 48;
    case KeyType::EcP521:
      return 66;
    default:
      return 0;
  }
}

const char* ec_group_name(KeyType type) {
  switch (type) {
    case KeyType::EcP256:
      return "prime256v1";
    case KeyType::EcP384:
      return "secp384r1";
    case KeyType::EcP521:
      return "secp521r1";
    default:
      return nullptr;
  }
}

// A key's description for `skipped` lines and errors: never key material, only its identity.
std::string describe_jwk(const json& jwk, std::size_t index) {
  auto kid = jwk.find("kid");
  if (kid != jwk.end() && kid->is_string()) return "key \"" + kid->get<std::string>() + "\"";
  return "key #" + std::to_string(index + 1);
}

std::optional<std::string> string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Classifies an OpenSSL key (from PEM) as one of the types lambdagate verifies with.
std::optional<KeyType> classify(EVP_PKEY* key, std::string& why) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyType::Rsa;
    case EVP_PKEY_ED25519:
      return KeyType::Ed25519;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
        why = "an EC key without a named curve";
        return std::nullopt;
      }
      const std::string_view name(group, len);
      if (name == "prime256v1" || name == "P-256") return KeyType::EcP256;
      if (name == "secp384r1" || name == "P-384") return KeyType::EcP384;
      if (name == "secp521r1" || name == "P-521") return KeyType::EcP521;
      why = "an EC key on curve " + std::string(name) + " (P-256, P-384 and P-521 are supported)";
      return std::nullopt;
    }
    default:
      why = "a key of a type JWS does not use with public keys (RSA, EC and Ed25519 are supported)";
      return std::nullopt;
  }
}

// RSA keys outside the size bounds are refused: small ones are forgeable, huge ones make each
// verification (which any client can trigger) arbitrarily slow.
bool rsa_size_ok(EVP_PKEY* key, const KeySetLimits& limits, std::string& why) {
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < static_cast<int>(limits.min_rsa_bits) || bits > static_cast<int>(limits.max_rsa_bits)) {
    why = "an RSA key of " + std::to_string(bits) + " bits (" + std::to_string(limits.min_rsa_bits) + " to " +
          std::to_string(limits.max_rsa_bits) + " are accepted)";
    return false;
  }
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    why = "an RSA key without a public exponent";
    return false;
  }
  std::unique_ptr<BIGNUM, BnDeleter> owned(e);
  if (BN_num_bits(e) > 32 || !BN_is_odd(e) || BN_is_one(e)) {
    why = "an RSA key with an unusual public exponent";
    return false;
  }
  return true;
}

Pkey rsa_from_jwk(const std::string& n, const std::string& e) {
  std::unique_ptr<BIGNUM, BnDeleter> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnDeleter> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return Pkey(key);
}

Pkey ec_from_jwk(KeyType type, const std::string& x, const std::string& y) {
  std::string point;
  point.reserve(1 + x.size() + y.size());
  point.push_back('\x04');  // uncompressed
  point.append(x).append(y);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, ec_group_name(type), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  Pkey owned(key);
  // fromdata does not promise the point is on the curve; an off-curve point is an attack.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return owned;
}

// One JWK → a PublicKey, or the reason it is left out (`why`).
std::optional<PublicKey> key_from_jwk(const json& jwk, const KeySetLimits& limits, std::string& why) {
  if (!jwk.is_object()) {
    why = "not a JSON object";
    return std::nullopt;
  }
  const auto kty = string_member(jwk, "kty");
  if (!kty) {
    why = "no \"kty\"";
    return std::nullopt;
  }
  if (auto use = jwk.find("use"); use != jwk.end() && !(use->is_string() && *use == "sig")) {
    why = "\"use\" is not \"sig\"";
    return std::nullopt;
  }
  if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    const bool verify = ops->is_array() && std::any_of(ops->begin(), ops->end(), [](const json& op) {
                          return op.is_string() && op == "verify";
                        });
    if (!verify) {
      why = "\"key_ops\" does not include \"verify\"";
      return std::nullopt;
    }
  }
  std::optional<Algorithm> alg;
  if (auto alg_member = jwk.find("alg"); alg_member != jwk.end()) {
    if (alg_member->is_string()) alg = parse_algorithm(alg_member->get_ref<const std::string&>());
    if (!alg) {
      why = "\"alg\" names an algorithm lambdagate does not accept (" +
            (alg_member->is_string() ? alg_member->get<std::string>() : std::string("not a string")) + ")";
      return std::nullopt;
    }
  }
  std::string kid;
  if (auto kid_member = jwk.find("kid"); kid_member != jwk.end()) {
    if (!kid_member->is_string()) {
      why = "\"kid\" is not a string";
      return std::nullopt;
    }
    kid = kid_member->get<std::string>();
  }
  auto member_bytes = [&](const char* name) -> std::optional<std::string> {
    auto text = string_member(jwk, name);
    if (!text) {
      why = std::string("\"") + name + "\" is missing or not a string";
      return std::nullopt;
    }
    auto bytes = base64url::decode(*text);
    if (!bytes || bytes->empty()) {
      why = std::string("\"") + name + "\" is not base64url";
      return std::nullopt;
    }
    return bytes;
  };

  Pkey key;
  KeyType type = KeyType::Rsa;
  if (*kty == "RSA") {
    auto n = member_bytes("n");
    if (!n) return std::nullopt;
    auto e = member_bytes("e");
    if (!e) return std::nullopt;
    if (n->size() * 8 > limits.max_rsa_bits + 8 || e->size() > 8) {
      why = "an RSA key larger than " + std::to_string(limits.max_rsa_bits) + " bits";
      return std::nullopt;
    }
    key = rsa_from_jwk(*n, *e);
    if (!key) {
      why = "an RSA key OpenSSL rejects";
      return std::nullopt;
    }
    if (!rsa_size_ok(key.get(), limits, why)) return std::nullopt;
  } else if (*kty == "EC") {
    const auto crv = string_member(jwk, "crv");
    if (crv == "P-256") {
      type = KeyType::EcP256;
    } else if (crv == "P-384") {
      type = KeyType::EcP384;
    } else if (crv == "P-521") {
      type = KeyType::EcP521;
    } else {
      why = "an EC key on curve " + crv.value_or("(none)") + " (P-256, P-384 and P-521 are supported)";
      return std::nullopt;
    }
    auto x = member_bytes("x");
    if (!x) return std::nullopt;
    auto y = member_bytes("y");
    if (!y) return std::nullopt;
    if (x->size() != ec_field_bytes(type) || y->size() != ec_field_bytes(type)) {
      why = "EC coordinates of the wrong size for " + *crv;
      return std::nullopt;
    }
    key = ec_from_jwk(type, *x, *y);
    if (!key) {
      why = "an EC point that is not on " + *crv;
      return std::nullopt;
    }
  } else if (*kty == "OKP") {
    const auto crv = string_member(jwk, "crv");
    if (crv != "Ed25519") {
      why = "an OKP key on curve " + crv.value_or("(none)") + " (Ed25519 is supported)";
      return std::nullopt;
    }
    type = KeyType::Ed25519;
    auto x = member_bytes("x");
    if (!x) return std::nullopt;
    if (x->size() != 32) {
      why = "an Ed25519 key that is not 32 bytes";
      return std::nullopt;
    }
    key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(x->data()), x->size()));
    if (!key) {
      why = "an Ed25519 key OpenSSL rejects";
      return std::nullopt;
    }
  } else if (*kty == "oct") {
    why = "a symmetric (\"oct\") key: lambdagate verifies with public keys only";
    return std::nullopt;
  } else {
    why = "kty \"" + *kty + "\" is not supported";
    return std::nullopt;
  }
  if (alg && key_type_for(*alg) != type) {
    why = "\"alg\" " + std::string(to_string(*alg)) + " does not fit a " + std::string(to_string(type)) +
          " key";
    return std::nullopt;
  }
  return PublicKey(key.release(), type, std::move(kid), alg);
}

KeySetParse fail(std::string message) {
  KeySetParse out;
  out.error = std::move(message);
  return out;
}

// The KeySet of `keys`; a key OpenSSL could not prepare for verification is named in `skipped`.
KeySetParse finish(std::vector<PublicKey> keys, KeySetParse out) {
  const std::size_t given = keys.size();
  auto set = std::make_shared<const KeySet>(std::move(keys));
  if (set->keys().size() < given) {
    out.skipped.push_back(std::to_string(given - set->keys().size()) + " key(s) OpenSSL could not prepare");
  }
  if (set->empty()) {
    out.error = "no usable key (OpenSSL could not prepare any)";
    return out;
  }
  out.keys = std::move(set);
  return out;
}

KeySetParse parse_pem(std::string_view text, const KeySetLimits& limits) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) return fail("out of memory");
  std::vector<PublicKey> keys;
  KeySetParse out;
  for (std::size_t block = 0;; ++block) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      ERR_clear_error();  // end of input (or trailing text), not an error when a block was read
      break;
    }
    const std::string block_name(name);
    OPENSSL_free(name);
    OPENSSL_free(header);
    const unsigned char* cursor = data;
    Pkey key;
    if (block_name == "PUBLIC KEY") {
      key.reset(d2i_PUBKEY(nullptr, &cursor, len));
    } else if (block_name == "RSA PUBLIC KEY") {
      EVP_PKEY* decoded = nullptr;
      std::unique_ptr<OSSL_DECODER_CTX, DecoderCtxDeleter> decoder(OSSL_DECODER_CTX_new_for_pkey(
          &decoded, "DER", "type-specific", "RSA", EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
      std::size_t left = static_cast<std::size_t>(len);
      if (decoder && OSSL_DECODER_from_data(decoder.get(), &cursor, &left) == 1) key.reset(decoded);
    } else if (block_name == "CERTIFICATE") {
      std::unique_ptr<X509, X509Deleter> cert(d2i_X509(nullptr, &cursor, len));
      if (cert) key.reset(X509_get_pubkey(cert.get()));
    } else if (block_name.find("PRIVATE KEY") != std::string::npos) {
      OPENSSL_free(data);
      return fail("PEM block " + std::to_string(block + 1) +
                  " is a private key: jwks.local.key takes the public key");
    } else {
      OPENSSL_free(data);
      return fail("PEM block " + std::to_string(block + 1) + " is \"" + block_name +
                  "\" (PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE expected)");
    }
    OPENSSL_free(data);
    ERR_clear_error();
    if (!key)
      return fail("PEM block " + std::to_string(block + 1) + " (" + block_name + ") is not a valid key");
    std::string why;
    const auto type = classify(key.get(), why);
    if (type && *type == KeyType::Rsa && !rsa_size_ok(key.get(), limits, why)) {
      return fail("PEM block " + std::to_string(block + 1) + " is " + why);
    }
    if (!type) return fail("PEM block " + std::to_string(block + 1) + " is " + why);
    if (keys.size() >= limits.max_keys) return fail("more than " + std::to_string(limits.max_keys) + " keys");
    keys.emplace_back(key.release(), *type, std::string(), std::nullopt);
  }
  if (keys.empty()) return fail("no PEM block found");
  return finish(std::move(keys), std::move(out));
}

}  // namespace

// ---- algorithms ---------------------------------------------------------------------------

std::string_view to_string(Algorithm alg) {
  switch (alg) {
    case Algorithm::RS256:
      return "RS256";
    case Algorithm::RS384:
      return "RS384";
    case Algorithm::RS512:
      return "RS512";
    case Algorithm::PS256:
      return "PS256";
    case Algorithm::PS384:
      return "PS384";
    case Algorithm::PS512:
      return "PS512";
    case Algorithm::ES256:
      return "ES256";
    case Algorithm::ES384:
      return "ES384";
    case Algorithm::ES512:
      return "ES512";
    case Algorithm::EdDSA:
      return "EdDSA";
  }
  return "?";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  static constexpr std::array<Algorithm, 10> kAll = {
      Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::PS384,
      Algorithm::PS512, Algorithm::ES256, Algorithm::ES384, Algorithm::ES512, Algorithm::EdDSA};
  for (Algorithm alg : kAll) {
    if (to_string(alg) == name) return alg;
  }
  return std::nullopt;
}

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::Rsa:
      return "RSA";
    case KeyType::EcP256:
      return "EC P-256";
    case KeyType::EcP384:
      return "EC P-384";
    case KeyType::EcP521:
      return "EC P-521";
    case KeyType::Ed25519:
      return "Ed25519";
  }
  return "?";
}

KeyType key_type_for(Algorithm alg) {
  switch (alg) {
    case Algorithm::ES256:
      return KeyType::EcP256;
    case Algorithm::ES384:
      return KeyType::EcP384;
    case Algorithm::ES512:
      return KeyType::EcP521;
    case Algorithm::EdDSA:
      return KeyType::Ed25519;
    default:
      return KeyType::Rsa;
  }
}

// ---- PublicKey ----------------------------------------------------------------------------

PublicKey::PublicKey(EVP_PKEY* key, KeyType type, std::string kid, std::optional<Algorithm> alg)
    : key_(key), type_(type), kid_(std::move(kid)), alg_(alg) {}

PublicKey::~PublicKey() { release(); }

void PublicKey::release() {
  for (auto*& ctx : verifiers_) {
    EVP_MD_CTX_free(ctx);
    ctx = nullptr;
  }
  EVP_PKEY_free(key_);
  key_ = nullptr;
}

PublicKey::PublicKey(PublicKey&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)),
      type_(other.type_),
      kid_(std::move(other.kid_)),
      alg_(other.alg_),
      verifiers_(std::exchange(other.verifiers_, {})) {}

PublicKey& PublicKey::operator=(PublicKey&& other) noexcept {
  if (this != &other) {
    release();
    key_ = std::exchange(other.key_, nullptr);
    type_ = other.type_;
    kid_ = std::move(other.kid_);
    alg_ = other.alg_;
    verifiers_ = std::exchange(other.verifiers_, {});
  }
  return *this;
}

bool PublicKey::prepare() {
  for (std::size_t i = 0; i < kAlgorithmCount; ++i) {
    const auto alg = static_cast<Algorithm>(i);
    if (!fits(alg)) continue;
    EVP_MD* md = nullptr;
    if (const char* name = digest_name(alg)) {
      md = EVP_MD_fetch(nullptr, name, nullptr);
      if (!md) return false;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key_) == 1;
    if (ok && (alg == Algorithm::PS256 || alg == Algorithm::PS384 || alg == Algorithm::PS512)) {
      // RFC 7518 §3.5: MGF1 with the same hash, and a salt as long as the hash.
      ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    }
    EVP_MD_free(md);  // the context holds its own reference
    if (!ok) {
      EVP_MD_CTX_free(ctx);
      ERR_clear_error();
      return false;
    }
    verifiers_[i] = ctx;
  }
  return true;
}

bool PublicKey::fits(Algorithm alg) const { return key_type_for(alg) == type_ && (!alg_ || *alg_ == alg); }

std::size_t PublicKey::signature_size(Algorithm alg) const {
  switch (alg) {
    case Algorithm::ES256:
    case Algorithm::ES384:
    case Algorithm::ES512:
      return 2 * ec_field_bytes(type_);
    case Algorithm::EdDSA:
      return 64;
    default:
      return static_cast<std::size_t>(EVP_PKEY_get_size(key_));
  }
}

// ---- KeySet -------------------------------------------------------------------------------

KeySet::KeySet(std::vector<PublicKey> keys) {
  keys_.reserve(keys.size());
  for (auto& key : keys) {
    if (key.prepare()) keys_.push_back(std::move(key));
  }
}
KeySet::~KeySet() = default;

bool KeySet::has_kid(std::string_view kid) const {
  return std::any_of(keys_.begin(), keys_.end(), [&](const PublicKey& k) { return k.kid() == kid; });
}

KeySetParse KeySet::parse(std::string_view text, const KeySetLimits& limits) {
  if (text.size() > limits.max_document_bytes) {
    return fail("the key document is larger than " + std::to_string(limits.max_document_bytes) + " bytes");
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return fail("the key is empty");
  if (text[first] == '{') return parse_json(text, limits);
  if (text.substr(first).starts_with("-----BEGIN ")) return parse_pem(text, limits);
  return fail("not a JWK, a JWKS or a PEM public key");
}

KeySetParse KeySet::parse_json(std::string_view text, const KeySetLimits& limits) {
  if (text.size() > limits.max_document_bytes) {
    return fail("the key document is larger than " + std::to_string(limits.max_document_bytes) + " bytes");
  }
  if (!core::json_depth_within(text, 8)) return fail("the key document nests too deeply");
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail("not valid JSON");
  if (!doc.is_object()) return fail("not a JSON object");

  const json* list = nullptr;
  json single = json::array();
  if (auto it = doc.find("keys"); it != doc.end()) {
    if (!it->is_array()) return fail("\"keys\" is not an array");
    list = &*it;
  } else if (doc.contains("kty")) {
    single.push_back(std::move(doc));
    list = &single;
  } else {
    return fail("neither a JWKS (\"keys\") nor a JWK (\"kty\")");
  }
  if (list->size() > limits.max_keys) return fail("more than " + std::to_string(limits.max_keys) + " keys");

  KeySetParse out;
  std::vector<PublicKey> keys;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& jwk = (*list)[i];
    std::string why;
    if (auto key = key_from_jwk(jwk, limits, why)) {
      keys.push_back(std::move(*key));
    } else {
      out.skipped.push_back((jwk.is_object() ? describe_jwk(jwk, i) : "key #" + std::to_string(i + 1)) +
                            ": " + why);
    }
    ERR_clear_error();
  }
  if (keys.empty()) {
    out.error = list->empty()
                    ? "the JWKS has no keys"
                    : "no usable key (" + (out.skipped.empty() ? std::string() : out.skipped.front()) + ")";
    return out;
  }
  return finish(std::move(keys), std::move(out));
}

bool KeySet::verify(Algorithm alg, const PublicKey& key, std::string_view signing_input,
                    std::string_view signature) const {
  const EVP_MD_CTX* prepared = key.verifiers_[static_cast<std::size_t>(alg)];
  if (!prepared || signature.size() != key.signature_size(alg)) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1) {
    ERR_clear_error();
    return false;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  std::size_t sig_len = signature.size();

  // ECDSA: JOSE sends r||s, each left-padded to the field size; OpenSSL verifies DER.
  std::array<unsigned char, 160> der{};
  if (alg == Algorithm::ES256 || alg == Algorithm::ES384 || alg == Algorithm::ES512) {
    const std::size_t half = signature.size() / 2;
    std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> ecdsa(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(sig, static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(sig + half, static_cast<int>(half), nullptr);
    if (!ecdsa || !r || !s || ECDSA_SIG_set0(ecdsa.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return false;
    }
    const int n = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
    if (n <= 0 || static_cast<std::size_t>(n) > der.size()) return false;
    unsigned char* out = der.data();
    i2d_ECDSA_SIG(ecdsa.get(), &out);
    sig = der.data();
    sig_len = static_cast<std::size_t>(n);
  }
  const int ok = EVP_DigestVerify(ctx.get(), sig, sig_len, data, signing_input.size());
  if (ok != 1) ERR_clear_error();
  return ok == 1;
}

}  // namespace lambdagate::policy
