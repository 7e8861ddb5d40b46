// Tokens signed by the openssl command line, not by this code base: keys from `openssl genpkey`,
// public halves from `openssl pkey -pubout` and `openssl req -x509`, signatures from `openssl dgst`
// and `openssl pkeyutl`, ECDSA's DER turned into r||s from `openssl asn1parse`'s output. The
// verifier must accept each, and reject it once the payload changes.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "lambdagate/policy/base64url.hpp"
#include "lambdagate/policy/jwt_verifier.hpp"
#include "lambdagate/policy/key_set.hpp"

namespace {

namespace fs = std::filesystem;
using namespace lambdagate;
using json = nlohmann::json;
using policy::JwtFailure;

// A scratch directory for one test, removed afterwards.
struct Scratch {
  fs::path dir;
  Scratch() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("lambdagate-jwt-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void write(const std::string& name, const std::string& data) const {
    std::ofstream(path(name), std::ios::binary) << data;
  }
};

// Runs a shell command; its stdout.
std::string run(const std::string& command) {
  INFO(command);
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  return out;
}

// r||s from a DER ECDSA signature, via openssl's own ASN.1 dump (two INTEGER lines, hex).
std::string der_to_jose(const Scratch& s, const std::string& der_file, std::size_t half) {
  std::istringstream lines(run("openssl asn1parse -inform DER -in " + s.path(der_file)));
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.rfind(':');
    if (line.find("INTEGER") == std::string::npos || colon == std::string::npos) continue;
    std::string hex = line.substr(colon + 1);
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    REQUIRE(bytes.size() <= half + 1);
    while (bytes.size() > half) bytes.erase(0, 1);  // a leading zero for the sign
    out += std::string(half - bytes.size(), '\0') + bytes;
  }
  REQUIRE(out.size() == 2 * half);
  return out;
}

std::string input_for(const std::string& alg, const json& claims) {
  return policy::base64url::encode(json{{"alg", alg}}.dump()) + "." +
         policy::base64url::encode(claims.dump());
}

const core::SystemTime kNow{std::chrono::seconds{1'700'000'000}};

json claims() { return {{"iss", "cli"}, {"sub", "x"}, {"exp", 1'700'000'600}}; }

policy::JwtRules rules() {
  policy::JwtRules r;
  r.issuer = "cli";
  return r;
}

void check_token(const std::string& key_text, const std::string& input, const std::string& signature) {
  const auto parsed = policy::KeySet::parse(key_text);
  INFO(parsed.error);
  REQUIRE(parsed.ok());
  const std::string token = input + "." + policy::base64url::encode(signature);
  const auto ok = policy::verify_jwt(token, parsed.keys.get(), rules(), kNow);
  CHECK(std::holds_alternative<policy::VerifiedJwt>(ok));
  // The same signature over a different payload.
  const std::string other = input.substr(0, input.find('.') + 1) +
                            policy::base64url::encode(json{{"iss", "cli"}, {"sub", "root"}}.dump()) + "." +
                            policy::base64url::encode(signature);
  const auto bad = policy::verify_jwt(other, parsed.keys.get(), rules(), kNow);
  REQUIRE(std::holds_alternative<JwtFailure>(bad));
  CHECK(std::get<JwtFailure>(bad) == JwtFailure::BadSignature);
}

// RS256 and PS256 from `openssl dgst`, verified with the PEM public key.
TEST_CASE("RS256 and PS256 tokens signed by openssl dgst verify", "[policy][openssl]") {
  Scratch s;
  run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + s.path("rsa.key"));
  run("openssl pkey -in " + s.path("rsa.key") + " -pubout -out " + s.path("rsa.pub"));
  const std::string rs = input_for("RS256", claims());
  s.write("rs.in", rs);
  run("openssl dgst -sha256 -sign " + s.path("rsa.key") + " -out " + s.path("rs.sig") + " " +
      s.path("rs.in"));
  check_token(s.read("rsa.pub"), rs, s.read("rs.sig"));

  const std::string ps = input_for("PS256", claims());
  s.write("ps.in", ps);
  run("openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sign " +
      s.path("rsa.key") + " -out " + s.path("ps.sig") + " " + s.path("ps.in"));
  check_token(s.read("rsa.pub"), ps, s.read("ps.sig"));
}

// ES256 and ES384 from `openssl dgst` (DER, converted to r||s), verified with a certificate.
TEST_CASE("ES256 and ES384 tokens signed by openssl dgst verify, keys from a certificate",
          "[policy][openssl]") {
  Scratch s;
  const std::pair<const char*, std::pair<const char*, std::size_t>> cases[] = {{"ES256", {"P-256", 32}},
                                                                               {"ES384", {"P-384", 48}}};
  for (const auto& [alg, curve] : cases) {
    INFO(alg);
    const std::string key = s.path(std::string(alg) + ".key");
    run(std::string("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:") + curve.first + " -out " +
        key);
    run("openssl req -x509 -new -key " + key + " -subj /CN=lambdagate-test -days 1 -out " +
        s.path("cert.pem"));
    const std::string input = input_for(alg, claims());
    s.write("es.in", input);
    run(std::string("openssl dgst -") + (curve.second == 32 ? "sha256" : "sha384") + " -sign " + key +
        " -out " + s.path("es.der") + " " + s.path("es.in"));
    check_token(s.read("cert.pem"), input, der_to_jose(s, "es.der", curve.second));
  }
}

// EdDSA from `openssl pkeyutl -rawin` (Ed25519 signs the message itself).
TEST_CASE("EdDSA tokens signed by openssl pkeyutl verify", "[policy][openssl]") {
  Scratch s;
  run("openssl genpkey -algorithm ED25519 -out " + s.path("ed.key"));
  run("openssl pkey -in " + s.path("ed.key") + " -pubout -out " + s.path("ed.pub"));
  const std::string input = input_for("EdDSA", claims());
  s.write("ed.in", input);
  run("openssl pkeyutl -sign -rawin -inkey " + s.path("ed.key") + " -in " + s.path("ed.in") + " -out " +
      s.path("ed.sig"));
  check_token(s.read("ed.pub"), input, s.read("ed.sig"));
}

}  // namespace
