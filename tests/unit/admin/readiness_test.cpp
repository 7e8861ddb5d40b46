#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "lambdagate/admin/admin_handler.hpp"
#include "lambdagate/config/loader.hpp"
#include "lambdagate/wiring/snapshot_builder.hpp"

using namespace lambdagate;

namespace {

class NoCredentials final : public aws::CredentialsSource {
 public:
  std::shared_ptr<const aws::Credentials> current(core::SystemTime) const override { return nullptr; }
};

}  // namespace

// Ready means: configuration loaded, listeners bound, every Upstream has usable credentials,
// not draining. Each missing condition is named.
TEST_CASE("readiness problems", "[admin]") {
  testing::FakeClock clock;
  admin::RuntimeStatus status;
  CHECK(admin::readiness_problems(nullptr, status, clock.system_now()).size() == 2);

  proxy::Snapshot snapshot;
  status.listeners_bound = true;
  CHECK(admin::readiness_problems(&snapshot, status, clock.system_now()).empty());

  proxy::UpstreamRuntime rt;
  rt.key = "ns/u";
  rt.credential_source = "none";
  snapshot.upstreams[{"u", "ns"}] = rt;
  auto problems = admin::readiness_problems(&snapshot, status, clock.system_now());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("ns/u") != std::string::npos);

  snapshot.upstreams[{"u", "ns"}].credentials = std::make_shared<NoCredentials>();
  CHECK(admin::readiness_problems(&snapshot, status, clock.system_now()).size() == 1);

  snapshot.upstreams.clear();
  status.draining = true;
  CHECK(admin::readiness_problems(&snapshot, status, clock.system_now()).size() == 1);
}

// An Upstream with discovery on is ready once its first round has ended, whether it found the
// functions or failed (then its hand-written functions still serve).
TEST_CASE("readiness waits for the first discovery round", "[admin]") {
  testing::FakeClock clock;
  admin::RuntimeStatus status;
  status.listeners_bound = true;
  proxy::Snapshot snapshot;
  auto discovered = std::make_shared<discovery::DiscoveredFunctions>();
  proxy::UpstreamRuntime rt;
  rt.key = "ns/u";
  rt.credentials = nullptr;
  rt.discovered = discovered;
  snapshot.upstreams[{"u", "ns"}] = rt;

  auto problems = admin::readiness_problems(&snapshot, status, clock.system_now());
  REQUIRE(problems.size() == 2);  // no credentials, and no discovery round yet
  CHECK(problems[1].find("first function discovery round") != std::string::npos);

  discovered->record_failure("ListFunctions: AccessDeniedException", clock.system_now());
  CHECK(admin::readiness_problems(&snapshot, status, clock.system_now()).size() == 1);

  auto fresh = std::make_shared<discovery::DiscoveredFunctions>();
  fresh->record_success(std::make_shared<const discovery::FunctionCatalog>(), clock.system_now());
  snapshot.upstreams[{"u", "ns"}].discovered = fresh;
  CHECK(admin::readiness_problems(&snapshot, status, clock.system_now()).size() == 1);
}

// A served certificate that expires within 7 days (or has expired) is named in the warnings
// (/readyz "warnings" and the load's log), never before. The redirect pair's certificate
// (tests/data/tls/server.pem) is valid until 2126-11-01 22:37:39 UTC.
TEST_CASE("expiring certificates are warned about", "[admin]") {
  auto loaded = config::load_config({std::string(LAMBDAGATE_TEST_DATA) + "/gloo/redirect-pair"});
  REQUIRE(loaded.config);
  auto built = wiring::build_snapshot(loaded.config, wiring::Environment{}, 1, core::SystemTime{});
  REQUIRE(built.snapshot);
  using std::chrono::hours;
  const core::SystemTime not_after = std::chrono::sys_days{std::chrono::year{2126} / 11 / 1} + hours(22) +
                                     std::chrono::minutes(37) + std::chrono::seconds(39);
  CHECK(admin::expiring_certificates(*built.snapshot, not_after - hours(24 * 7) - hours(1)).empty());
  CHECK(admin::expiring_certificates(*built.snapshot, not_after - hours(24 * 7) + hours(1)) ==
        std::vector<std::string>{"gateway (implicit)/gateway-proxy-ssl: the certificate of shop/shop-https "
                                 "(CN=localhost) expires within 7 days"});
  CHECK(admin::expiring_certificates(*built.snapshot, not_after + hours(1)) ==
        std::vector<std::string>{"gateway (implicit)/gateway-proxy-ssl: the certificate of shop/shop-https "
                                 "(CN=localhost) has expired"});
}
