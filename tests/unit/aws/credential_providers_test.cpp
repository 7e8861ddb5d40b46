// The network credential providers over a FakeHttpClient and a FakeClock: what each puts on the
// wire, that the token files are read afresh, that AssumeRole is signed verifiably, and that no
// error message carries a token.
#include "lambdagate/aws/credential_providers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <variant>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_http_client.hpp"
#include "fakes/fake_sleeper.hpp"
#include "fakes/run.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/task.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace lambdagate;
using aws::Credentials;
using aws::CredentialsError;
using aws::CredentialsResult;
using testing::count_header;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::find_header;
using testing::run;

constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/web-role";
constexpr const char* kTargetRoleArn = "arn:aws:iam::210987654321:role/Target";

constexpr const char* kWebIdentitySuccess =
    R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAWEBIDENTITY</AccessKeyId>
      <SecretAccessKey>web-secret</SecretAccessKey>
      <SessionToken>web-session-token</SessionToken>
      <Expiration>2026-01-01T12:00:00Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/web-role/gw</Arn>
      <AssumedRoleId>AROAEXAMPLE:gw</AssumedRoleId></AssumedRoleUser>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X</Provider>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>uuid</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>)";

constexpr const char* kAssumeRoleSuccess =
    R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIACHAINED</AccessKeyId><SecretAccessKey>chained-secret</SecretAccessKey>
      <SessionToken>chained-token</SessionToken><Expiration>2026-01-01T13:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/Target/gw</Arn>
      <AssumedRoleId>AROATARGET:gw</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>uuid</RequestId></ResponseMetadata>
</AssumeRoleResponse>)";

std::string sts_error(const std::string& code, const std::string& message) {
  return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>)" +
         code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

core::SystemTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// A file in a fresh temporary directory, removed with it.
class TempFile {
 public:
  TempFile() {
    std::random_device device;
    dir_ = fs::temp_directory_path() /
           ("lambdagate-providers-" + std::to_string(device()) + std::to_string(device()));
    fs::create_directories(dir_);
    path_ = (dir_ / "token").string();
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  void write(const std::string& content) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  void remove() const { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  fs::path dir_;
  std::string path_;
};

Credentials ok(const CredentialsResult& result) {
  if (const auto* e = std::get_if<CredentialsError>(&result)) FAIL("unexpected error: " << e->message);
  return std::get<Credentials>(result);
}

CredentialsError failed(const CredentialsResult& result) {
  if (std::holds_alternative<Credentials>(result)) FAIL("expected an error, got credentials");
  return std::get<CredentialsError>(result);
}

// The form body as a map, values decoded.
std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    const auto end = std::min(body.find('&', pos), body.size());
    const std::string pair = body.substr(pos, end - pos);
    const auto eq = pair.find('=');
    fields[aws::sigv4::percent_decode(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : aws::sigv4::percent_decode(pair.substr(eq + 1));
    pos = end + 1;
  }
  return fields;
}

// Authorization headers for the AssumeRole requests below as botocore, an independent SigV4
// implementation, computes them (tests/tools/sts_signatures_botocore.py prints them): the signer is
// checked against someone else's arithmetic, not its own.
constexpr const char* kBotocoreAssumeRoleAug30 =
    "AWS4-HMAC-SHA256 Credential=ASIABASE/20150830/eu-west-1/sts/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
    "Signature=b6d8578af77367df7b7251f798cb6a2c2bf0bed2c69ed8a242bdc8dd120be556";
constexpr const char* kBotocoreAssumeRoleAug31 =
    "AWS4-HMAC-SHA256 Credential=ASIABASE/20150831/eu-west-1/sts/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
    "Signature=6c67c0c48cfd3e58543a75c01606e03e400790811c9e7c806d9516a8adc78511";
constexpr const char* kBotocoreAssumeRoleLongTerm =
    "AWS4-HMAC-SHA256 Credential=AKIDBASE/20150830/us-east-1/sts/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=50ba0d26ff302476250015c2ca7de270a9774188a8db7a99432dba44197cea06";

aws::StsCallOptions sts_options(const std::string& url = "https://sts.us-east-1.amazonaws.com") {
  aws::StsCallOptions options;
  options.endpoint = *http::parse_endpoint(url);
  options.signing_region = "us-east-1";
  options.timeout = 3s;
  return options;
}

// A base CredentialsCache already holding `credentials` (static, so its loop ends after one fetch).
std::shared_ptr<aws::CredentialsCache> ready_cache(FakeClock& clock, Credentials credentials) {
  auto provider = std::make_shared<aws::StaticCredentialsProvider>(std::move(credentials), "environment");
  auto cache =
      std::make_shared<aws::CredentialsCache>(provider, clock, std::make_shared<testing::FakeSleeper>(clock));
  asio::io_context io;
  cache->start(io.get_executor());
  io.run();
  REQUIRE(cache->current(clock.system_now()));
  return cache;
}

}  // namespace

// ---- web identity ---------------------------------------------------------------------------

// The unsigned AssumeRoleWithWebIdentity POST: target, headers, form fields, deadline.
TEST_CASE("WebIdentityCredentialsProvider sends an unsigned AssumeRoleWithWebIdentity", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("eyJhbGciOiJSUzI1NiJ9.first-token.sig\n");
  auto options = sts_options();
  options.duration = 3600s;
  aws::WebIdentityCredentialsProvider provider(http, options, kRoleArn, token.path(), "lambdagate-gw", clock);
  http.push_response(200, kWebIdentitySuccess);

  const Credentials c = ok(run(provider.fetch()));
  CHECK(c.access_key_id == "ASIAWEBIDENTITY");
  CHECK(c.secret_access_key == "web-secret");
  CHECK(c.session_token == "web-session-token");
  CHECK(c.expiration == utc(2026, 1, 1, 12, 0, 0));

  REQUIRE(http.calls().size() == 1);
  const auto& call = http.last_call();
  CHECK(call.endpoint == options.endpoint);
  CHECK(call.request.method == "POST");
  CHECK(call.request.target == "/");
  CHECK(find_header(call.request.headers, "host") == "sts.us-east-1.amazonaws.com");
  CHECK(find_header(call.request.headers, "content-type") ==
        "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(count_header(call.request.headers, "authorization") == 0);
  CHECK(count_header(call.request.headers, "x-amz-security-token") == 0);
  REQUIRE(call.deadline.time());
  CHECK(*call.deadline.time() == clock.steady_now() + 3s);

  const auto fields = form_fields(call.request.body);
  CHECK(fields.at("Action") == "AssumeRoleWithWebIdentity");
  CHECK(fields.at("Version") == "2011-06-15");
  CHECK(fields.at("RoleArn") == kRoleArn);
  CHECK(fields.at("RoleSessionName") == "lambdagate-gw");
  CHECK(fields.at("WebIdentityToken") == "eyJhbGciOiJSUzI1NiJ9.first-token.sig");  // trimmed
  CHECK(fields.at("DurationSeconds") == "3600");

  CHECK(provider.source() == std::string("web identity (role ") + kRoleArn + ")");
}

// kubelet rotates the token: the next fetch sends the new one.
TEST_CASE("WebIdentityCredentialsProvider reads the token file afresh on every fetch", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  aws::WebIdentityCredentialsProvider provider(http, sts_options(), kRoleArn, token.path(), "gw", clock);
  http.push_response(200, kWebIdentitySuccess);
  http.push_response(200, kWebIdentitySuccess);

  token.write("token-one");
  ok(run(provider.fetch()));
  token.write("token-two");
  ok(run(provider.fetch()));
  REQUIRE(http.calls().size() == 2);
  CHECK(form_fields(http.calls()[0].request.body).at("WebIdentityToken") == "token-one");
  CHECK(form_fields(http.calls()[1].request.body).at("WebIdentityToken") == "token-two");
}

// A missing or empty token file is a retryable error naming the file, never quoting a token;
// nothing goes on the wire.
TEST_CASE("WebIdentityCredentialsProvider reports an unreadable token file without its content",
          "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  aws::WebIdentityCredentialsProvider provider(http, sts_options(), kRoleArn, token.path(), "gw", clock);

  token.write("secret-token-xyz");
  http.push_response(200, kWebIdentitySuccess);
  ok(run(provider.fetch()));

  token.remove();
  auto missing = failed(run(provider.fetch()));
  CHECK(missing.retryable);
  CHECK(missing.message.find(token.path()) != std::string::npos);
  CHECK(missing.message.find("secret-token-xyz") == std::string::npos);

  token.write(" \n");
  auto empty = failed(run(provider.fetch()));
  CHECK(empty.retryable);
  CHECK(empty.message.find("empty") != std::string::npos);
  CHECK(empty.message.find(token.path()) != std::string::npos);

  CHECK(http.calls().size() == 1);
}

// STS's answers and transport failures become CredentialsErrors with STS's retry classification;
// should STS quote the token back, it is masked.
TEST_CASE("WebIdentityCredentialsProvider maps STS errors", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("jwt-token-value");
  aws::WebIdentityCredentialsProvider provider(http, sts_options(), kRoleArn, token.path(), "gw", clock);

  http.push_response(400, sts_error("IDPCommunicationError", "could not reach the issuer"));
  auto idp = failed(run(provider.fetch()));
  CHECK(idp.retryable);
  CHECK(idp.message.find("IDPCommunicationError") != std::string::npos);
  CHECK(idp.message.find("could not reach the issuer") != std::string::npos);
  CHECK(idp.message.find(kRoleArn) != std::string::npos);

  http.push_response(403,
                     sts_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));
  auto denied = failed(run(provider.fetch()));
  CHECK_FALSE(denied.retryable);
  CHECK(denied.message.find("HTTP 403 AccessDenied") != std::string::npos);

  http.push_error(http::ClientErrorKind::Timeout, "connect to 1.2.3.4 timed out");
  auto timeout = failed(run(provider.fetch()));
  CHECK(timeout.retryable);
  CHECK(timeout.message.find("timeout") != std::string::npos);

  http.push_response(503, "<html><body>Service Unavailable</body></html>");
  CHECK(failed(run(provider.fetch())).retryable);

  http.push_response(400, sts_error("InvalidIdentityToken", "token jwt-token-value is not valid"));
  auto echoed = failed(run(provider.fetch()));
  CHECK(echoed.message.find("jwt-token-value") == std::string::npos);
  CHECK(echoed.message.find("****") != std::string::npos);
}

// A session name STS would reject is reported without a call.
TEST_CASE("WebIdentityCredentialsProvider rejects an invalid session name", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("t0k3n");
  aws::WebIdentityCredentialsProvider provider(http, sts_options(), kRoleArn, token.path(), "bad name",
                                               clock);
  auto error = failed(run(provider.fetch()));
  CHECK_FALSE(error.retryable);
  CHECK(error.message.find("session name") != std::string::npos);
  CHECK(http.calls().empty());
}

// An STS endpoint with a port and a base path (a local fake): Host carries the port, the target
// the path.
TEST_CASE("WebIdentityCredentialsProvider posts below the endpoint's base path", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("t0k3n");
  aws::WebIdentityCredentialsProvider provider(http, sts_options("http://127.0.0.1:9000/sts"), kRoleArn,
                                               token.path(), "gw", clock);
  http.push_response(200, kWebIdentitySuccess);
  ok(run(provider.fetch()));
  CHECK(http.last_call().request.target == "/sts/");
  CHECK(find_header(http.last_call().request.headers, "host") == "127.0.0.1:9000");
}

// ---- AssumeRole ---------------------------------------------------------------------------------

// AssumeRole is SigV4-signed for sts with the base credentials (their session token included) and
// the signature re-verifies from the wire bytes.
TEST_CASE("AssumeRoleCredentialsProvider signs AssumeRole with the base credentials", "[providers]") {
  FakeClock clock;  // 2015-08-30T12:36:00Z
  FakeHttpClient http;
  const Credentials base{"ASIABASE", "base-secret", "base-session-token", std::nullopt};
  auto cache = ready_cache(clock, base);
  auto options = sts_options("https://sts.eu-west-1.amazonaws.com");
  options.signing_region = "eu-west-1";
  options.duration = 900s;
  aws::AssumeRoleCredentialsProvider provider(http, options, kTargetRoleArn, "gw", cache, clock);
  http.push_response(200, kAssumeRoleSuccess);
  http.push_response(200, kAssumeRoleSuccess);

  const Credentials c = ok(run(provider.fetch()));
  CHECK(c.access_key_id == "ASIACHAINED");
  CHECK(c.expiration == utc(2026, 1, 1, 13, 0, 0));

  const auto& sent = http.last_call().request;
  CHECK(sent.method == "POST");
  CHECK(sent.target == "/");
  CHECK(find_header(sent.headers, "host") == "sts.eu-west-1.amazonaws.com");
  CHECK(find_header(sent.headers, "content-type") == "application/x-www-form-urlencoded; charset=utf-8");
  CHECK(find_header(sent.headers, "x-amz-date") == "20150830T123600Z");
  CHECK(find_header(sent.headers, "x-amz-security-token") == "base-session-token");
  const auto authorization = find_header(sent.headers, "authorization");
  REQUIRE(authorization);
  CHECK(authorization->starts_with(
      "AWS4-HMAC-SHA256 Credential=ASIABASE/20150830/eu-west-1/sts/aws4_request, "));
  CHECK(authorization->find("x-amz-security-token") != std::string::npos);  // signed, not appended after
  CHECK(*authorization == kBotocoreAssumeRoleAug30);

  const auto fields = form_fields(sent.body);
  CHECK(fields.at("Action") == "AssumeRole");
  CHECK(fields.at("Version") == "2011-06-15");
  CHECK(fields.at("RoleArn") == kTargetRoleArn);
  CHECK(fields.at("RoleSessionName") == "gw");
  CHECK(fields.at("DurationSeconds") == "900");
  CHECK(fields.count("WebIdentityToken") == 0);

  // Signed afresh each fetch, at the current time.
  clock.advance(24h);
  ok(run(provider.fetch()));
  CHECK(find_header(http.last_call().request.headers, "x-amz-date") == "20150831T123600Z");
  CHECK(*find_header(http.last_call().request.headers, "authorization") == kBotocoreAssumeRoleAug31);

  CHECK(provider.source() == std::string("assume role ") + kTargetRoleArn + " via environment");
}

// Long-term base keys: no security token header at all.
TEST_CASE("AssumeRoleCredentialsProvider sends no security token for long-term base keys", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  const Credentials base{"AKIDBASE", "base-secret", "", std::nullopt};
  aws::AssumeRoleCredentialsProvider provider(http, sts_options(), kTargetRoleArn, "gw",
                                              ready_cache(clock, base), clock);
  http.push_response(200, kAssumeRoleSuccess);
  ok(run(provider.fetch()));
  const auto& sent = http.last_call().request;
  CHECK(count_header(sent.headers, "x-amz-security-token") == 0);
  CHECK(*find_header(sent.headers, "authorization") == kBotocoreAssumeRoleLongTerm);
}

// No base credentials and no base fetch in flight: a retryable error, and nothing unsigned sent.
TEST_CASE("AssumeRoleCredentialsProvider fails without base credentials", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  auto never_started = std::make_shared<aws::CredentialsCache>(
      std::make_shared<aws::StaticCredentialsProvider>(Credentials{"AKID", "secret", "", {}}, "environment"),
      clock, std::make_shared<testing::FakeSleeper>(clock));
  aws::AssumeRoleCredentialsProvider provider(http, sts_options(), kTargetRoleArn, "gw", never_started,
                                              clock);
  auto error = failed(run(provider.fetch()));
  CHECK(error.retryable);
  CHECK(error.message.find("base credentials unavailable") != std::string::npos);
  CHECK(http.calls().empty());
}

// At start-up the role's first fetch waits for the base cache's fetch in flight.
TEST_CASE("AssumeRoleCredentialsProvider waits for the base fetch in flight", "[providers]") {
  // A base source that answers after 20 ms of real time.
  class SlowProvider final : public aws::CredentialsProvider {
   public:
    lambdagate::core::Task<CredentialsResult> fetch() override {
      const auto executor = co_await asio::this_coro::executor;
      asio::steady_timer timer(executor, 20ms);
      co_await timer.async_wait(lambdagate::core::use_task);
      co_return Credentials{"AKIDSLOW", "slow-secret", "", std::nullopt};
    }
    std::string source() const override { return "slow"; }
  };
  FakeClock clock;
  FakeHttpClient http;
  asio::io_context io;
  // Holding sleeps: the waiting fetch must be woken by the base fetch completing, not by its
  // deadline passing on the fake clock.
  auto base = std::make_shared<aws::CredentialsCache>(
      std::make_shared<SlowProvider>(), clock,
      std::make_shared<testing::FakeSleeper>(clock, testing::FakeSleeper::Mode::Hold));
  base->start(io.get_executor());
  aws::AssumeRoleCredentialsProvider provider(http, sts_options(), kTargetRoleArn, "gw", base, clock);
  http.push_response(200, kAssumeRoleSuccess);

  std::optional<CredentialsResult> result;
  asio::co_spawn(io, provider.fetch(), [&](std::exception_ptr e, CredentialsResult r) {
    REQUIRE_FALSE(e);
    result = std::move(r);
  });
  io.run_for(2s);
  REQUIRE(result);
  ok(*result);
  REQUIRE(http.calls().size() == 1);
  CHECK(find_header(http.last_call().request.headers, "authorization")->find("Credential=AKIDSLOW/") !=
        std::string::npos);
}

// ---- container credentials ------------------------------------------------------------------

// EKS Pod Identity: GET with the token file's (trimmed) content as Authorization; the JSON answer.
TEST_CASE("ContainerCredentialsProvider sends the token and parses the JSON answer", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("pod-identity-token-1\n");
  const auto endpoint = *http::parse_endpoint("http://169.254.170.23/v1/credentials");
  aws::ContainerCredentialsProvider provider(http, endpoint, "/v1/credentials", token.path(), 2s, clock);
  http.push_response(200, R"({"AccessKeyId":"ASIAPOD","SecretAccessKey":"pod-secret","Token":"pod-session",
                              "AccountId":"123456789012","Expiration":"2026-01-01T12:00:00Z"})");
  http.push_response(200,
                     R"({"AccessKeyId":"ASIAPOD2","SecretAccessKey":"pod-secret-2","Token":"pod-session-2",
                              "Expiration":"2026-01-01T12:00:00.123+00:00"})");

  const Credentials c = ok(run(provider.fetch()));
  CHECK(c.access_key_id == "ASIAPOD");
  CHECK(c.secret_access_key == "pod-secret");
  CHECK(c.session_token == "pod-session");
  CHECK(c.expiration == utc(2026, 1, 1, 12, 0, 0));

  const auto& call = http.last_call();
  CHECK(call.endpoint == endpoint);
  CHECK(call.request.method == "GET");
  CHECK(call.request.target == "/v1/credentials");
  CHECK(find_header(call.request.headers, "host") == "169.254.170.23");
  CHECK(find_header(call.request.headers, "authorization") == "pod-identity-token-1");
  CHECK(call.request.body.empty());
  REQUIRE(call.deadline.time());
  CHECK(*call.deadline.time() == clock.steady_now() + 2s);

  // The token rotates: read again.
  token.write("pod-identity-token-2");
  const Credentials c2 = ok(run(provider.fetch()));
  CHECK(c2.expiration == utc(2026, 1, 1, 12, 0, 0) + 123ms);
  CHECK(find_header(http.last_call().request.headers, "authorization") == "pod-identity-token-2");

  CHECK(provider.source() == "container credentials http://169.254.170.23/v1/credentials");
}

// A token with a line break inside would inject headers: refused, nothing sent, token not quoted.
TEST_CASE("ContainerCredentialsProvider rejects a token with CR or LF", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  aws::ContainerCredentialsProvider provider(http, *http::parse_endpoint("http://169.254.170.23"),
                                             "/v1/credentials", token.path(), 2s, clock);
  for (const char* bad : {"abc\r\nX-Injected: 1", "abc\ndef", "abc\rdef"}) {
    token.write(bad);
    auto error = failed(run(provider.fetch()));
    CHECK_FALSE(error.retryable);
    CHECK(error.message.find("line break") != std::string::npos);
    CHECK(error.message.find("abc") == std::string::npos);
  }
  CHECK(http.calls().empty());
}

// ECS task roles have no token file: no Authorization header.
TEST_CASE("ContainerCredentialsProvider without a token file sends no Authorization", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  aws::ContainerCredentialsProvider provider(
      http, *http::parse_endpoint("http://169.254.170.2/v2/credentials/guid"), "", "", 2s, clock);
  http.push_response(
      200,
      R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2026-01-01T12:00:00Z"})");
  ok(run(provider.fetch()));
  CHECK(http.last_call().request.target == "/v2/credentials/guid");
  CHECK(count_header(http.last_call().request.headers, "authorization") == 0);
}

// Failures: transport and 5xx are retryable, 4xx and unusable bodies are not; none quotes the body.
TEST_CASE("ContainerCredentialsProvider maps failures", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("tok");
  aws::ContainerCredentialsProvider provider(http, *http::parse_endpoint("http://127.0.0.1:8080"), "/creds",
                                             token.path(), 2s, clock);

  http.push_error(http::ClientErrorKind::ConnectFailed);
  CHECK(failed(run(provider.fetch())).retryable);

  http.push_response(500, R"({"Message":"agent broke"})");
  auto server = failed(run(provider.fetch()));
  CHECK(server.retryable);
  CHECK(server.message.find("HTTP 500") != std::string::npos);

  http.push_response(403, R"({"Message":"denied"})");
  CHECK_FALSE(failed(run(provider.fetch())).retryable);

  http.push_response(200, "not json at all: secret-ish bytes");
  auto garbage = failed(run(provider.fetch()));
  CHECK_FALSE(garbage.retryable);
  CHECK(garbage.message.find("secret-ish") == std::string::npos);

  http.push_response(200, R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"2026-01-01T12:00:00Z"})");
  CHECK(failed(run(provider.fetch())).message.find("Token") != std::string::npos);

  http.push_response(200, R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"tomorrow"})");
  CHECK(failed(run(provider.fetch())).message.find("Expiration") != std::string::npos);

  token.remove();
  auto missing = failed(run(provider.fetch()));
  CHECK(missing.retryable);
  CHECK(missing.message.find(token.path()) != std::string::npos);
}

// Plain http only to loopback and the ECS/EKS agents; https anywhere.
TEST_CASE("container_endpoint_allowed permits http only to loopback and the agents", "[providers]") {
  auto allowed = [](const char* url) { return aws::container_endpoint_allowed(*http::parse_endpoint(url)); };
  for (const char* good : {"https://credentials.example.com/x", "http://127.0.0.1:8080/creds",
                           "http://127.1.2.3", "http://localhost:1234", "http://LOCALHOST", "http://[::1]:80",
                           "http://169.254.170.2/v2", "http://169.254.170.23/v1/credentials",
                           "http://[fd00:ec2::23]/v1/credentials", "http://[fd00:0ec2:0:0::23]"}) {
    INFO(good);
    CHECK(allowed(good));
  }
  for (const char* bad :
       {"http://169.254.169.254/latest", "http://example.com", "http://10.0.0.1", "http://[fd00:ec2::24]",
        "http://169.254.170.3", "http://localhost.evil.com", "http://128.0.0.1"}) {
    INFO(bad);
    CHECK_FALSE(allowed(bad));
  }
}

// The provider enforces it too: a token never goes over plain http to another host.
TEST_CASE("ContainerCredentialsProvider refuses a non-allowed http endpoint", "[providers]") {
  FakeClock clock;
  FakeHttpClient http;
  TempFile token;
  token.write("pod-token-should-not-leak");
  aws::ContainerCredentialsProvider provider(http, *http::parse_endpoint("http://example.com/creds"), "",
                                             token.path(), 2s, clock);
  auto error = failed(run(provider.fetch()));
  CHECK_FALSE(error.retryable);
  CHECK(error.message.find("plain http") != std::string::npos);
  CHECK(error.message.find("pod-token") == std::string::npos);
  CHECK(http.calls().empty());
}
