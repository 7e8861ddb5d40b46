// Base64url as JWS uses it: unpadded, URL alphabet, exactly one spelling per byte string.
#include "lambdagate/policy/base64url.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

using namespace lambdagate::policy;

// RFC 4648 §10's vectors, without padding, round-trip.
TEST_CASE("base64url encodes and decodes the RFC 4648 vectors without padding", "[policy][base64url]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    CHECK(base64url::encode(plain) == encoded);
    CHECK(base64url::decode(encoded) == plain);
  }
}

// The URL alphabet: '-' and '_' where standard base64 has '+' and '/'.
TEST_CASE("base64url uses - and _ and rejects + and /", "[policy][base64url]") {
  CHECK(base64url::encode("\xfb\xff") == "-_8");
  CHECK(base64url::decode("-_8") == std::string("\xfb\xff"));
  CHECK_FALSE(base64url::decode("+/8"));
}

// Every other spelling of the same bytes is refused, so a token has one form only.
TEST_CASE("base64url refuses padding, whitespace, stray symbols and non-zero unused bits",
          "[policy][base64url]") {
  CHECK_FALSE(base64url::decode("Zg=="));
  CHECK_FALSE(base64url::decode("Zm9v "));
  CHECK_FALSE(base64url::decode("Zm 9v"));
  CHECK_FALSE(base64url::decode("Z"));    // a lone symbol carries no whole byte
  CHECK_FALSE(base64url::decode("Zh"));   // "f" is Zg; Zh has a stray bit set
  CHECK_FALSE(base64url::decode("Zm9"));  // "fo" is Zm8
  CHECK_FALSE(base64url::decode("Zm9v."));
  CHECK(base64url::decode("Zm8") == std::string("fo"));
}

// Every byte value survives a round trip.
TEST_CASE("base64url round-trips all byte values", "[policy][base64url]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string piece = all.substr(0, n);
    CHECK(base64url::decode(base64url::encode(piece)) == piece);
  }
}

}  // namespace
