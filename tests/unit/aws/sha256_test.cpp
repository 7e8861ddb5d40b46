// Sha256 and HmacSha256 (sha256.hpp) against the FIPS 180-2 and RFC 4231 vectors, and their
// reused OpenSSL contexts: no answer may depend on the one before.
#include "lambdagate/aws/sha256.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lambdagate/aws/sigv4.hpp"

namespace {

std::string hex(const lambdagate::aws::Sha256Digest& digest) {
  return lambdagate::aws::sigv4::hex(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace

// One context gives the right answer whatever it hashed or keyed before.
TEST_CASE("Sha256 and HmacSha256 reuse their contexts without carrying state", "[sha256]") {
  lambdagate::aws::Sha256 sha256;
  CHECK(hex(sha256.digest("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256.digest("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(sha256.digest("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  lambdagate::aws::HmacSha256 hmac;
  CHECK_THROWS_AS(hmac.mac("data"), std::logic_error);
  // RFC 4231 test case 2, three times in a row on one key, then test case 1 on another key.
  hmac.set_key("Jefe");
  for (int i = 0; i < 3; ++i) {
    CHECK(hex(hmac.mac("what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  hmac.set_key(std::string(20, '\x0b'));
  CHECK(hex(hmac.mac("Hi There")) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // An empty key is a key, not "keep the last one".
  hmac.set_key("");
  CHECK(hex(hmac.mac("data")) == "e528c4d99e6177f5841f712a143b90843299a4aa181a06501422d9ca862bd2a5");
}

// Sha256Resumable equals a one-shot SHA-256 whether the beginning it is told repeats does
// (resumed from the kept state), does not (hashed whole, and kept instead), is short (not kept)
// or covers the whole message.
TEST_CASE("Sha256Resumable equals SHA-256 whether or not the beginning repeats", "[sha256]") {
  lambdagate::aws::Sha256 once;
  lambdagate::aws::Sha256Resumable resumable;
  const std::string a(1000, 'a');
  const std::string b = std::string(999, 'a') + "b";
  struct Call {
    std::string data;
    std::size_t repeating;
  };
  const Call calls[] = {
      {a + "tail one", a.size()},
      {a + "tail two", a.size()},      // resumed
      {a + "tail two", a.size()},      // resumed, the same message again
      {b + "tail one", b.size()},      // differs in the last byte of the beginning
      {b, b.size()},                   // nothing after the beginning
      {a + "tail one", a.size() - 1},  // a shorter beginning
      {a + "tail one", 10},            // too short to keep
      {a + "tail one", 5000},          // longer than the message: the whole message
      {a + "tail three", a.size()},
      {"", 0},
  };
  for (const auto& call : calls) {
    INFO(call.data.size() << " bytes, " << call.repeating << " repeating");
    CHECK(hex(resumable.digest(call.data, call.repeating)) == hex(once.digest(call.data)));
  }
}
