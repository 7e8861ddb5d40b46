// libFuzzer target for the JWT and JWKS parsers (src/policy): what a client sends as a bearer
// token and what a remote JWKS endpoint serves.
//
// Input: [mode][bytes]. mode % 3 == 0: `bytes` is a token, parsed and verified against a fixed
// key set (the RFC 7515 A.2/A.3 and RFC 8037 A.4 public keys); 1: a key document (JWK, JWKS or
// PEM) for KeySet::parse; 2: base64url round trip.
//
// Checked, beyond "no crash, no sanitizer report":
// - a parsed token's signing input is a prefix of the token, its payload an object, its
//   signature non-empty; verification of anything the fuzzer makes fails (it holds no key);
// - a key parse either has keys (at most max_keys) or a non-empty error, never both;
// - base64url decode(encode(x)) == x, and a decoded text re-encodes to itself.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/policy/jwt_verifier.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace policy = lambdagate::policy;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const policy::KeySet& fixed_keys() {
  static const auto keys =
      policy::KeySet::parse(
          R"({"keys":[{"kty":"RSA","kid":"a2","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
                   {"kty":"EC","kid":"a3","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
                   {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})")
          .keys;
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const auto parsed = policy::parse_jwt(bytes);
      if (const auto* jwt = std::get_if<policy::ParsedJwt>(&parsed)) {
        check(bytes.substr(0, jwt->signing_input.size()) == jwt->signing_input);
        check(jwt->payload && jwt->payload->is_object());
        check(!jwt->signature.empty());
      }
      policy::JwtRules rules;
      const auto result = policy::verify_jwt(bytes, &fixed_keys(), rules, lambdagate::core::SystemTime{});
      // The RFC examples are the only tokens these keys verify; anything else must fail.
      if (std::holds_alternative<policy::VerifiedJwt>(result)) {
        check(bytes.starts_with("eyJhbGciOiJSUzI1NiJ9.") || bytes.starts_with("eyJhbGciOiJFUzI1NiJ9."));
      }
      break;
    }
    case 1: {
      const auto parsed = policy::KeySet::parse(bytes);
      check(parsed.ok() == parsed.error.empty());
      if (parsed.ok())
        check(!parsed.keys->empty() && parsed.keys->keys().size() <= policy::KeySetLimits{}.max_keys);
      for (const auto& line : parsed.skipped) check(!line.empty() && line.size() < 4096);
      break;
    }
    default: {
      const std::string encoded = policy::base64url::encode(bytes);
      check(policy::base64url::decode(encoded) == std::string(bytes));
      if (const auto decoded = policy::base64url::decode(bytes))
        check(policy::base64url::encode(*decoded) == bytes);
      break;
    }
  }
  return 0;
}
