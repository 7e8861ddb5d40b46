#pragma once
// Test keys and tokens made in-process with OpenSSL: a key pair per test run (never a committed
// private key), its public half as JWK or PEM, and compact JWS tokens signed with it. Signing
// shares no code with the verifier under test; the verifier is also checked against the RFC
// 7515/8037 vectors and against tokens signed by the openssl command line.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace lambdagate::testing {

using policy::Algorithm;

class TestKey {
 public:
  static TestKey rsa(unsigned bits = 2048) {
    return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{bits}), "RSA");
  }
  static TestKey ec(const char* curve) {
    return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), curve);
  }
  static TestKey p256() { return ec("P-256"); }
  static TestKey p384() { return ec("P-384"); }
  static TestKey p521() { return ec("P-521"); }
  static TestKey ed25519() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "Ed25519"); }

  EVP_PKEY* pkey() const { return key_.get(); }

  // The public key as a JWK object; `kid` and `alg` added when not empty.
  nlohmann::json jwk(const std::string& kid = {}, const std::string& alg = {}) const {
    nlohmann::json out;
    if (kind_ == "RSA") {
      out = {{"kty", "RSA"},
             {"n", bn_param(OSSL_PKEY_PARAM_RSA_N, 0)},
             {"e", bn_param(OSSL_PKEY_PARAM_RSA_E, 0)}};
    } else if (kind_ == "Ed25519") {
      unsigned char raw[32];
      std::size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(pkey(), raw, &len);
      out = {{"kty", "OKP"},
             {"crv", "Ed25519"},
             {"x", policy::base64url::encode({reinterpret_cast<char*>(raw), len})}};
    } else {
      const std::size_t size = kind_ == "P-256" ? 32 : kind_ == "P-384" ? 48 : 66;
      out = {{"kty", "EC"},
             {"crv", kind_},
             {"x", bn_param(OSSL_PKEY_PARAM_EC_PUB_X, size)},
             {"y", bn_param(OSSL_PKEY_PARAM_EC_PUB_Y, size)}};
    }
    if (!kid.empty()) out["kid"] = kid;
    if (!alg.empty()) out["alg"] = alg;
    return out;
  }

  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  std::string public_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, pkey());
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
  }

  std::string private_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, pkey(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
  }

  // The JWS signature of `input` (raw r||s for ECDSA).
  std::string sign(Algorithm alg, std::string_view input) const {
    const EVP_MD* md = nullptr;
    switch (alg) {
      case Algorithm::RS256:
      case Algorithm::PS256:
      case Algorithm::ES256:
        md = EVP_sha256();
        break;
      case Algorithm::RS384:
      case Algorithm::PS384:
      case Algorithm::ES384:
        md = EVP_sha384();
        break;
      case Algorithm::RS512:
      case Algorithm::PS512:
      case Algorithm::ES512:
        md = EVP_sha512();
        break;
      case Algorithm::EdDSA:
        break;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestSignInit(ctx, &pctx, md, nullptr, pkey()) != 1) throw std::runtime_error("sign init");
    if (alg == Algorithm::PS256 || alg == Algorithm::PS384 || alg == Algorithm::PS512) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    std::size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(ctx, nullptr, &len, data, input.size());
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()) != 1) {
      throw std::runtime_error("sign");
    }
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (alg == Algorithm::ES256 || alg == Algorithm::ES384 || alg == Algorithm::ES512) {
      const int size = alg == Algorithm::ES256 ? 32 : alg == Algorithm::ES384 ? 48 : 66;
      const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
      ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
      std::string raw(static_cast<std::size_t>(2 * size), '\0');
      BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), size);
      BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + size, size);
      ECDSA_SIG_free(ecdsa);
      return raw;
    }
    return sig;
  }

 private:
  TestKey(EVP_PKEY* key, std::string kind) : key_(key, EVP_PKEY_free), kind_(std::move(kind)) {
    if (!key) throw std::runtime_error("key generation failed");
  }

  std::string bn_param(const char* name, std::size_t pad) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey(), name, &bn);
    std::string bytes(pad ? pad : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    BN_free(bn);
    return policy::base64url::encode(bytes);
  }

  std::shared_ptr<EVP_PKEY> key_;
  std::string kind_;
};

// A compact JWS: header {"alg": alg} plus `header_extra`, payload `claims`, signed with `key`.
inline std::string make_token(const TestKey& key, Algorithm alg, const nlohmann::json& claims,
                              const nlohmann::json& header_extra = nlohmann::json::object()) {
  nlohmann::json header = {{"alg", std::string(policy::to_string(alg))}};
  for (const auto& [k, v] : header_extra.items()) header[k] = v;
  const std::string input =
      policy::base64url::encode(header.dump()) + "." + policy::base64url::encode(claims.dump());
  return input + "." + policy::base64url::encode(key.sign(alg, input));
}

// A JWKS document with the given JWKs.
inline std::string jwks(std::initializer_list<nlohmann::json> keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& key : keys) list.push_back(key);
  nlohmann::json doc = nlohmann::json::object();
  doc["keys"] = std::move(list);
  return doc.dump();
}

}  // namespace lambdagate::testing
