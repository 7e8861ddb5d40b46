// Base64: RFC 4648 vectors, byte-exact round trips, and what each decoder refuses.
#include "lambdagate/core/base64.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace lambdagate::core::base64 {
namespace {

std::string all_bytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

// The test vectors of RFC 4648 §10 encode as listed and decode back with both decoders.
TEST_CASE("base64 matches the RFC 4648 test vectors", "[base64]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(encode(plain) == encoded);
    CHECK(decode(encoded) == plain);
    CHECK(decode_lenient(encoded) == plain);
  }
}

// Every byte value, at every length up to 300, survives encode then strict decode unchanged.
TEST_CASE("base64 round-trips every byte value at every length", "[base64]") {
  const std::string bytes = all_bytes();
  CHECK(encode(bytes).size() == 344);
  CHECK(decode(encode(bytes)) == bytes);
  for (std::size_t length = 0; length <= 300; ++length) {
    std::string input;
    for (std::size_t i = 0; i < length; ++i) input.push_back(static_cast<char>((i * 151 + length) & 0xff));
    INFO("length " << length);
    REQUIRE(decode(encode(input)) == input);
    REQUIRE(decode_lenient(encode(input)) == input);
  }
}

// The strict decoder refuses anything an encoder would not have written.
TEST_CASE("strict base64 rejects bad symbols, whitespace and bad padding", "[base64]") {
  const std::vector<std::pair<std::string, std::string>> rejected = {
      {"missing padding", "Zg"},
      {"short padding", "Zg="},
      {"three symbols and no padding", "Zm8"},
      {"a lone symbol", "Z"},
      {"three '='", "Z==="},
      {"only padding", "===="},
      {"padding in the middle", "Zg==Zm8="},
      {"'=' inside a quantum", "Zm=v"},
      {"leading '='", "=Zm9"},
      {"non-zero unused bits (1 byte)", "Zh=="},
      {"non-zero unused bits (2 bytes)", "Zm9="},
      {"trailing newline", "Zm9v\n"},
      {"space inside", "Zm9v YmFy"},
      {"leading space", " Zm9v"},
      {"URL-safe alphabet '-'", "Zm-v"},
      {"URL-safe alphabet '_'", "Zm_v"},
      {"bad symbol", "Zm9*"},
      {"NUL byte", std::string("Zm9\0", 4)},
      {"non-ASCII byte", "Zm9\xc3"},
  };
  for (const auto& [name, text] : rejected) {
    INFO(name);
    CHECK_FALSE(decode(text).has_value());
  }
}

// The lenient decoder takes Kubernetes-style data: wrapped lines, spaces, no padding.
TEST_CASE("lenient base64 skips whitespace and accepts missing padding", "[base64]") {
  const std::vector<std::tuple<std::string, std::string, std::string>> accepted = {
      {"line breaks", "Zm9v\nYmFy", "foobar"},
      {"CRLF and tab", "Zm9v\r\n\tYmE=", "fooba"},
      {"surrounding spaces", "  Zm9vYg==  \n", "foob"},
      {"no padding (1 byte)", "Zg", "f"},
      {"no padding (2 bytes)", "Zm8", "fo"},
      {"whitespace only", " \n ", ""},
  };
  for (const auto& [name, text, plain] : accepted) {
    INFO(name);
    CHECK(decode_lenient(text) == plain);
  }
}

// The lenient decoder still refuses what is not base64 at all.
TEST_CASE("lenient base64 rejects bad symbols, data after padding and bad padding", "[base64]") {
  const std::vector<std::pair<std::string, std::string>> rejected = {
      {"bad symbol", "Zm9v*"},
      {"data after padding", "Zg==Zg"},
      {"a lone symbol", "Z"},
      {"three '='", "Zg==="},
      {"padding that does not complete a quantum", "Zm8=="},
      {"non-zero unused bits", "Zh"},
      {"URL-safe alphabet", "Zm-v"},
  };
  for (const auto& [name, text] : rejected) {
    INFO(name);
    CHECK_FALSE(decode_lenient(text).has_value());
  }
}

}  // namespace
}  // namespace lambdagate::core::base64
