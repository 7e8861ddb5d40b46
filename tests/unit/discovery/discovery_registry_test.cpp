// DiscoveryRegistry: one discoverer per Upstream, kept across reloads, replaced when its inputs
// change, stopped when no snapshot uses it.
#include "lambdagate/discovery/discovery_registry.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_function_lister.hpp"
#include "fakes/fake_sleeper.hpp"

namespace {

namespace asio = boost::asio;
using namespace lambdagate;
using namespace std::chrono_literals;
using discovery::DiscoveredFunctions;
using discovery::DiscoveryRegistry;
using discovery::DiscoveryTarget;
using discovery::RoundReport;
using testing::FakeClock;
using testing::FakeFunctionLister;
using testing::FakeSleeper;
using testing::function_version;

class StaticSource final : public aws::CredentialsSource {
 public:
  std::shared_ptr<const aws::Credentials> current(core::SystemTime) const override { return nullptr; }
};

struct Fixture {
  asio::io_context io;
  FakeClock clock;
  std::shared_ptr<FakeSleeper> sleeper = std::make_shared<FakeSleeper>(clock);
  std::vector<std::string> made;  // "key@region" per lister made
  std::vector<RoundReport> reports;
  DiscoveryRegistry registry{
      io.get_executor(),
      [this](const DiscoveryTarget& target) -> std::shared_ptr<discovery::FunctionLister> {
        made.push_back(target.upstream_key + "@" + target.region);
        auto lister = std::make_shared<FakeFunctionLister>(clock);
        lister->serve_pages({{function_version("fn-" + target.region)}});
        return lister;
      },
      clock, sleeper, [this](const RoundReport& report) { reports.push_back(report); }};
  std::shared_ptr<const aws::CredentialsSource> credentials = std::make_shared<StaticSource>();

  DiscoveryTarget target(std::string key, std::string region = "us-east-1") {
    return DiscoveryTarget{std::move(key),
                           std::move(region),
                           *http::parse_endpoint("https://lambda." + region + ".amazonaws.com"),
                           credentials,
                           {}};
  }
  // Runs handlers until `n` more rounds were reported.
  void rounds(std::size_t n) {
    const std::size_t want = reports.size() + n;
    for (int i = 0; i < 10000 && reports.size() < want; ++i) io.run_one_for(10ms);
    REQUIRE(reports.size() >= want);
  }
  ~Fixture() {
    registry.stop_all();
    io.restart();
    io.run_for(2s);
  }
};

// The same target gets the same functions and no second discoverer; the first round fills them.
TEST_CASE("DiscoveryRegistry: obtain starts one discoverer per Upstream", "[discovery][registry]") {
  Fixture f;
  auto functions = f.registry.obtain(f.target("default/lambda"));
  REQUIRE(functions);
  CHECK(f.registry.obtain(f.target("default/lambda")) == functions);
  CHECK(f.made == std::vector<std::string>{"default/lambda@us-east-1"});
  f.rounds(1);
  REQUIRE(functions->catalog());
  CHECK(functions->catalog()->find("fn-us-east-1"));

  const auto entries = f.registry.entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].upstream_key == "default/lambda");
  CHECK(entries[0].region == "us-east-1");
  CHECK(entries[0].function_count == 1);
  CHECK(entries[0].status.rounds_succeeded >= 1);
}

// New options or credentials replace the discoverer but keep the functions found so far (same
// region and endpoint); another region starts from nothing.
TEST_CASE("DiscoveryRegistry: changed inputs replace the discoverer", "[discovery][registry]") {
  Fixture f;
  auto functions = f.registry.obtain(f.target("default/lambda"));
  f.rounds(1);
  const auto catalog = functions->catalog();
  REQUIRE(catalog);

  DiscoveryTarget slower = f.target("default/lambda");
  slower.options.poll_interval = 60s;
  CHECK(f.registry.obtain(slower) == functions);
  CHECK(f.made.size() == 2);
  CHECK(functions->catalog() == catalog);  // still served until the new discoverer's first round

  DiscoveryTarget rotated = slower;
  rotated.credentials = std::make_shared<StaticSource>();
  CHECK(f.registry.obtain(rotated) == functions);
  CHECK(f.made.size() == 3);

  auto moved = f.registry.obtain(f.target("default/lambda", "eu-west-1"));
  CHECK(moved != functions);
  CHECK(moved->catalog() == nullptr);
  f.rounds(1);
  REQUIRE(moved->catalog());
  CHECK(moved->catalog()->find("fn-eu-west-1"));
  CHECK(f.reports.back().upstream_key == "default/lambda");
  CHECK(f.registry.entries().size() == 1);
}

// retain() stops the discoverers no snapshot uses any more; request_round() ignores unknown keys.
TEST_CASE("DiscoveryRegistry: retain drops Upstreams no longer in use", "[discovery][registry]") {
  Fixture f;
  f.registry.obtain(f.target("default/a"));
  auto b = f.registry.obtain(f.target("default/b"));
  f.rounds(2);
  f.registry.retain({"default/b"});
  const auto entries = f.registry.entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].upstream_key == "default/b");
  f.registry.request_round("default/nope");
  f.registry.request_round("default/b");

  // Only b keeps polling.
  const std::size_t before = f.reports.size();
  f.rounds(3);
  for (std::size_t i = before; i < f.reports.size(); ++i) CHECK(f.reports[i].upstream_key == "default/b");
  CHECK(b->status().rounds_succeeded >= 3);
}

}  // namespace
