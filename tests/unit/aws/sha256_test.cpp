// Sha256 and HmacSha256 (sha256.hpp) against the FIPS 180-2 and RFC 4231 vectors, and their
// reused OpenSSL contexts: no answer may depend on the one before.
#include "lambdagate/aws/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// digest_after_kept trusts its caller that the kept beginning is still there; it hashes the
// message whole when nothing is kept (the last beginning too short to keep, or none yet).
TEST_CASE("Sha256Resumable::digest_after_kept resumes the beginning the last digest kept", "[sha256]") {
  lambdagate::aws::Sha256 once;
  lambdagate::aws::Sha256Resumable resumable;
  const std::string a(1000, 'a');
  CHECK(hex(resumable.digest_after_kept(a + "x")) == hex(once.digest(a + "x")));  // nothing kept yet
  CHECK(hex(resumable.digest(a + "tail", a.size())) == hex(once.digest(a + "tail")));
  for (const std::string& tail : std::vector<std::string>{"", "t", "another tail", std::string(300, 'z')}) {
    INFO("tail of " << tail.size() << " bytes");
    CHECK(hex(resumable.digest_after_kept(a + tail)) == hex(once.digest(a + tail)));
  }
  // A beginning too short to keep replaces the kept one: nothing is kept then.
  const std::string b(100, 'b');
  CHECK(hex(resumable.digest(b + "tail", b.size())) == hex(once.digest(b + "tail")));
  CHECK(hex(resumable.digest_after_kept(b + "tail two")) == hex(once.digest(b + "tail two")));
}

// HmacSha256 keys itself (RFC 2104: a key longer than SHA-256's 64-byte block is hashed first, a
// shorter one padded) as OpenSSL's own HMAC does, for every key length around the block size,
// re-keyed on one object after each MAC; and RFC 4231 test case 6, a 131-byte key.
TEST_CASE("HmacSha256 equals OpenSSL's HMAC for keys shorter and longer than a block", "[sha256]") {
  lambdagate::aws::HmacSha256 hmac;
  const std::string data = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/lambda/aws4_request\n";
  for (std::size_t length = 0; length <= 140; ++length) {
    std::string key(length, '\0');
    for (std::size_t i = 0; i < length; ++i) key[i] = static_cast<char>(i * 37 + length);
    unsigned char expected[EVP_MAX_MD_SIZE];
    unsigned int expected_size = 0;
    REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                 reinterpret_cast<const unsigned char*>(data.data()), data.size(), expected,
                 &expected_size) != nullptr);
    INFO("key of " << length << " bytes");
    hmac.set_key(key);
    const auto mac = hmac.mac(data);
    REQUIRE(expected_size == mac.size());
    CHECK(std::string(mac.begin(), mac.end()) == std::string(expected, expected + expected_size));
  }
  hmac.set_key(std::string(131, '\xaa'));
  CHECK(hex(hmac.mac("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// A kept beginning that ends inside a block, resumed many times with tails that cross one or
// more block boundaries, equals the one-shot hash each time: the copied state carries the
// partial block and the finished copy does not disturb the kept one.
TEST_CASE("Sha256Resumable resumes a partial block with tails of every length", "[sha256]") {
  lambdagate::aws::Sha256 once;
  lambdagate::aws::Sha256Resumable resumable;
  const std::string beginning(1000, 't');  // 1000 = 15 blocks and 40 bytes
  std::string tail;
  for (std::size_t length = 0; length <= 200; ++length) {
    const std::string message = beginning + tail;
    INFO("tail of " << length << " bytes");
    CHECK(hex(resumable.digest(message, beginning.size())) == hex(once.digest(message)));
    tail.push_back(static_cast<char>('a' + length % 26));
  }
}
