// KeySet: JWK, JWKS and PEM parsing, the keys it refuses, and signature verification against
// the published RFC 7515 and RFC 8037 vectors.
#include "lambdagate/policy/key_set.hpp"

#include <openssl/encoder.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "jwt_test_keys.hpp"
#include "lambdagate/policy/base64url.hpp"

namespace {

using namespace lambdagate;
using policy::Algorithm;
using policy::KeySet;
using policy::KeyType;
using testing::TestKey;
using json = nlohmann::json;

// RFC 7515 appendix A.2 (RS256) and A.3 (ES256): the public keys and the signed example.
constexpr const char* kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-"
    "SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2Ca"
    "pHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54"
    "h4FRWyuXpoQ";
constexpr const char* kA2Input =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
    "VlfQ";
constexpr const char* kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t"
    "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_"
    "dO--xi12j"
    "zDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQ"
    "Ge77Rw";
constexpr const char* kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* kA3Input =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cn"
    "VlfQ";
constexpr const char* kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
// RFC 8037 appendix A.4 (Ed25519).
constexpr const char* kEdX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* kEdInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr const char* kEdSignature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

std::string decoded(const char* text) { return policy::base64url::decode(text).value(); }

std::string flip_last_byte(std::string s) {
  s.back() = static_cast<char>(s.back() ^ 1);
  return s;
}

std::shared_ptr<const KeySet> parse_ok(const std::string& text) {
  auto parsed = KeySet::parse(text);
  INFO(parsed.error);
  REQUIRE(parsed.ok());
  return parsed.keys;
}

// The RFC 7515 A.2 signature verifies under its JWK; one flipped bit does not.
TEST_CASE("RS256: the RFC 7515 A.2 vector verifies", "[policy][keys]") {
  const auto keys = parse_ok(json{{"kty", "RSA"}, {"n", kA2N}, {"e", "AQAB"}}.dump());
  const auto& key = keys->keys().at(0);
  CHECK(key.type() == KeyType::Rsa);
  CHECK(keys->verify(Algorithm::RS256, key, kA2Input, decoded(kA2Signature)));
  CHECK_FALSE(keys->verify(Algorithm::RS256, key, kA2Input, flip_last_byte(decoded(kA2Signature))));
  CHECK_FALSE(keys->verify(Algorithm::RS256, key, std::string(kA2Input) + "x", decoded(kA2Signature)));
  // The same bytes are no PS256 or RS384 signature.
  CHECK_FALSE(keys->verify(Algorithm::PS256, key, kA2Input, decoded(kA2Signature)));
  CHECK_FALSE(keys->verify(Algorithm::RS384, key, kA2Input, decoded(kA2Signature)));
}

// The RFC 7515 A.3 ECDSA signature is JOSE's raw r||s and verifies as such.
TEST_CASE("ES256: the RFC 7515 A.3 vector (raw r||s) verifies", "[policy][keys]") {
  const auto keys = parse_ok(json{{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", kA3Y}}.dump());
  const auto& key = keys->keys().at(0);
  CHECK(key.type() == KeyType::EcP256);
  CHECK(keys->verify(Algorithm::ES256, key, kA3Input, decoded(kA3Signature)));
  CHECK_FALSE(keys->verify(Algorithm::ES256, key, kA3Input, flip_last_byte(decoded(kA3Signature))));
  // A DER signature (what OpenSSL itself would produce) is not a JOSE signature.
  CHECK_FALSE(keys->verify(Algorithm::ES256, key, kA3Input, decoded(kA3Signature).substr(0, 63)));
  CHECK_FALSE(keys->verify(Algorithm::ES384, key, kA3Input, decoded(kA3Signature)));
}

// The RFC 8037 A.4 Ed25519 signature verifies under its OKP JWK.
TEST_CASE("EdDSA: the RFC 8037 A.4 vector verifies", "[policy][keys]") {
  const auto keys = parse_ok(json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kEdX}}.dump());
  const auto& key = keys->keys().at(0);
  CHECK(key.type() == KeyType::Ed25519);
  CHECK(keys->verify(Algorithm::EdDSA, key, kEdInput, decoded(kEdSignature)));
  CHECK_FALSE(keys->verify(Algorithm::EdDSA, key, kEdInput, flip_last_byte(decoded(kEdSignature))));
}

// Every algorithm verifies a signature made with a fresh key of its type, and only under that key.
TEST_CASE("every accepted algorithm verifies its own signatures", "[policy][keys]") {
  const TestKey rsa = TestKey::rsa();
  const TestKey p256 = TestKey::p256();
  const TestKey p384 = TestKey::p384();
  const TestKey p521 = TestKey::p521();
  const TestKey ed = TestKey::ed25519();
  const auto keys = parse_ok(
      testing::jwks({rsa.jwk("rsa"), p256.jwk("p256"), p384.jwk("p384"), p521.jwk("p521"), ed.jwk("ed")}));
  REQUIRE(keys->keys().size() == 5);
  struct Case {
    Algorithm alg;
    const TestKey* signer;
    std::size_t key_index;
  };
  const Case cases[] = {{Algorithm::RS256, &rsa, 0},  {Algorithm::RS384, &rsa, 0},
                        {Algorithm::RS512, &rsa, 0},  {Algorithm::PS256, &rsa, 0},
                        {Algorithm::PS384, &rsa, 0},  {Algorithm::PS512, &rsa, 0},
                        {Algorithm::ES256, &p256, 1}, {Algorithm::ES384, &p384, 2},
                        {Algorithm::ES512, &p521, 3}, {Algorithm::EdDSA, &ed, 4}};
  const std::string input = "header.payload";
  for (const auto& c : cases) {
    INFO(policy::to_string(c.alg));
    const std::string sig = c.signer->sign(c.alg, input);
    for (std::size_t i = 0; i < keys->keys().size(); ++i) {
      CHECK(keys->verify(c.alg, keys->keys()[i], input, sig) == (i == c.key_index));
    }
    CHECK_FALSE(keys->verify(c.alg, keys->keys()[c.key_index], input + ".", sig));
  }
}

// PEM: SPKI for each key type, PKCS#1 "RSA PUBLIC KEY", and several blocks at once.
TEST_CASE("PEM public keys of every type parse", "[policy][keys]") {
  const TestKey rsa = TestKey::rsa();
  const TestKey p256 = TestKey::p256();
  const TestKey p384 = TestKey::p384();
  const TestKey ed = TestKey::ed25519();
  const auto keys =
      parse_ok(rsa.public_pem() + p256.public_pem() + "\n" + p384.public_pem() + ed.public_pem());
  REQUIRE(keys->keys().size() == 4);
  CHECK(keys->keys()[0].type() == KeyType::Rsa);
  CHECK(keys->keys()[1].type() == KeyType::EcP256);
  CHECK(keys->keys()[2].type() == KeyType::EcP384);
  CHECK(keys->keys()[3].type() == KeyType::Ed25519);
  CHECK(keys->keys()[0].kid().empty());
  const std::string sig = p256.sign(Algorithm::ES256, "x.y");
  CHECK(keys->verify(Algorithm::ES256, keys->keys()[1], "x.y", sig));

  // PKCS#1, as `openssl rsa -RSAPublicKey_out` writes it.
  OSSL_ENCODER_CTX* encoder =
      OSSL_ENCODER_CTX_new_for_pkey(rsa.pkey(), EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr);
  unsigned char* data = nullptr;
  std::size_t len = 0;
  REQUIRE(OSSL_ENCODER_to_data(encoder, &data, &len) == 1);
  const std::string pkcs1(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  OSSL_ENCODER_CTX_free(encoder);
  REQUIRE(pkcs1.find("BEGIN RSA PUBLIC KEY") != std::string::npos);
  const auto from_pkcs1 = parse_ok(pkcs1);
  CHECK(
      from_pkcs1->verify(Algorithm::RS256, from_pkcs1->keys()[0], "a.b", rsa.sign(Algorithm::RS256, "a.b")));
}

// A private key pasted where the public one belongs is refused, with a message that says so.
TEST_CASE("a private key PEM is refused", "[policy][keys]") {
  const auto parsed = KeySet::parse(TestKey::p256().private_pem());
  CHECK_FALSE(parsed.ok());
  CHECK(parsed.error.find("private key") != std::string::npos);
}

// Keys lambdagate must not use are left out of a JWKS, each named with the reason; the rest serve.
TEST_CASE("unusable JWKs are skipped with a reason, the others kept", "[policy][keys]") {
  const TestKey good = TestKey::rsa();
  const TestKey small = TestKey::rsa(1024);
  json enc = good.jwk("enc-key");
  enc["use"] = "enc";
  json wrong_ops = good.jwk("ops-key");
  wrong_ops["key_ops"] = json::array({"encrypt"});
  json x25519 = {{"kty", "OKP"}, {"crv", "X25519"}, {"x", kEdX}, {"kid", "x25519"}};
  json secp256k1 = {{"kty", "EC"}, {"crv", "secp256k1"}, {"x", kA3X}, {"y", kA3Y}, {"kid", "k1"}};
  json oct = {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}};
  json hs_alg = good.jwk("hs", "HS256");
  json none_alg = good.jwk("none", "none");
  json mismatched = good.jwk("mismatch", "ES256");
  json off_curve = {{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", kA3X}, {"kid", "off-curve"}};
  json short_x = {{"kty", "EC"}, {"crv", "P-256"}, {"x", "AQAB"}, {"y", kA3Y}, {"kid", "short"}};
  json bad_b64 = {{"kty", "RSA"}, {"n", "not base64!"}, {"e", "AQAB"}, {"kid", "bad-n"}};
  json even_e = {{"kty", "RSA"}, {"n", kA2N}, {"e", "AQAA"}, {"kid", "even-e"}};

  const auto parsed = KeySet::parse(
      testing::jwks({enc, wrong_ops, x25519, secp256k1, oct, hs_alg, none_alg, mismatched, off_curve, short_x,
                     bad_b64, even_e, small.jwk("small"), good.jwk("good", "RS256")}));
  INFO(parsed.error);
  REQUIRE(parsed.ok());
  REQUIRE(parsed.keys->keys().size() == 1);
  CHECK(parsed.keys->keys()[0].kid() == "good");
  CHECK(parsed.keys->keys()[0].alg() == Algorithm::RS256);
  REQUIRE(parsed.skipped.size() == 13);
  CHECK(parsed.skipped[0] == "key \"enc-key\": \"use\" is not \"sig\"");
  CHECK(parsed.skipped[4].find("symmetric") != std::string::npos);
  CHECK(parsed.skipped[8].find("not on P-256") != std::string::npos);
  CHECK(parsed.skipped[12].find("1024 bits") != std::string::npos);
}

// A document with nothing usable, or not a key document at all, is an error with a reason.
TEST_CASE("key documents without a usable key are errors", "[policy][keys]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"hello", "not a JWK, a JWKS or a PEM public key"},
      {"{", "not valid JSON"},
      {"{\"keys\": {}}", "\"keys\" is not an array"},
      {"{\"keys\": []}", "the JWKS has no keys"},
      {"{\"foo\": 1}", "neither a JWKS"},
      {"{\"keys\": [{\"kty\": \"oct\", \"k\": \"AA\"}]}", "no usable key"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a valid key"},
      {"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", "\"FOO\""},
      {std::string(100, '[') + std::string(100, ']'), "not a JWK"},
      {"{\"keys\": " + std::string(50, '[') + std::string(50, ']') + "}", "nests too deeply"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text.substr(0, 60));
    const auto parsed = KeySet::parse(text);
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.error.find(message) != std::string::npos);
  }
}

// Bounds: a document over the size limit, or with too many keys, is refused before any key work.
TEST_CASE("key documents are bounded in size and key count", "[policy][keys]") {
  policy::KeySetLimits limits;
  limits.max_keys = 3;
  const TestKey key = TestKey::ed25519();
  CHECK(KeySet::parse(testing::jwks({key.jwk("1"), key.jwk("2"), key.jwk("3")}), limits).ok());
  const auto many =
      KeySet::parse(testing::jwks({key.jwk("1"), key.jwk("2"), key.jwk("3"), key.jwk("4")}), limits);
  CHECK(many.error == "more than 3 keys");
  limits.max_document_bytes = 100;
  CHECK(KeySet::parse(std::string(101, ' '), limits).error.find("larger than 100 bytes") !=
        std::string::npos);
}

// Algorithm names: exactly the JOSE spellings; none and HMAC are not algorithms here.
TEST_CASE("algorithm names parse exactly, none and HS* do not", "[policy][keys]") {
  CHECK(policy::parse_algorithm("RS256") == Algorithm::RS256);
  CHECK(policy::parse_algorithm("PS256") == Algorithm::PS256);
  CHECK(policy::parse_algorithm("ES384") == Algorithm::ES384);
  CHECK(policy::parse_algorithm("EdDSA") == Algorithm::EdDSA);
  for (const char* refused : {"none", "None", "HS256", "HS384", "HS512", "rs256", "RS256 ", "ES256K", ""}) {
    CHECK_FALSE(policy::parse_algorithm(refused));
  }
}

}  // namespace

namespace {

// One KeySet verifies from several threads at once (workers share it without a lock): every
// genuine signature passes and every altered one fails, on every thread.
TEST_CASE("a KeySet verifies from several threads at once", "[policy][keys]") {
  const TestKey rsa = TestKey::rsa();
  const TestKey ec = TestKey::p256();
  const TestKey ed = TestKey::ed25519();
  const auto keys = parse_ok(testing::jwks({rsa.jwk("r"), ec.jwk("e"), ed.jwk("d")}));
  struct Signed {
    Algorithm alg;
    std::size_t key;
    std::string input;
    std::string sig;
  };
  std::vector<Signed> work;
  for (int i = 0; i < 8; ++i) {
    const std::string input = "input-" + std::to_string(i);
    work.push_back({Algorithm::RS256, 0, input, rsa.sign(Algorithm::RS256, input)});
    work.push_back({Algorithm::PS256, 0, input, rsa.sign(Algorithm::PS256, input)});
    work.push_back({Algorithm::ES256, 1, input, ec.sign(Algorithm::ES256, input)});
    work.push_back({Algorithm::EdDSA, 2, input, ed.sign(Algorithm::EdDSA, input)});
  }
  std::atomic<int> good{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        for (const auto& w : work) {
          const auto& key = keys->keys()[w.key];
          if (keys->verify(w.alg, key, w.input, w.sig)) good.fetch_add(1);
          if (keys->verify(w.alg, key, w.input + "!", w.sig)) wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(good.load() == 4 * 3 * static_cast<int>(work.size()));
  CHECK(wrong.load() == 0);
}

}  // namespace
