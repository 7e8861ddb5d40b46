#include "lambdagate/app/config_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace lambdagate;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A scratch directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("lambdagate-watch-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
    path = fs::canonical(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void touch(const fs::path& p) { std::ofstream(p) << "# x\n"; }

bool has(const std::vector<app::WatchTarget>& targets, const fs::path& dir, const std::string& name) {
  return std::find(targets.begin(), targets.end(), app::WatchTarget{dir.string(), name}) != targets.end();
}

}  // namespace

// A plain file: its parent directory, filtered by the file's name (editors rename over it).
TEST_CASE("watch_targets: a file is watched through its directory", "[app]") {
  TempDir tmp;
  touch(tmp.path / "gw.yaml");
  auto targets = app::watch_targets({(tmp.path / "gw.yaml").string()});
  REQUIRE(targets.size() == 1);
  CHECK(has(targets, tmp.path, "gw.yaml"));
}

// A ConfigMap mount: the directory itself, the "..data" link, and the files' real directory.
TEST_CASE("watch_targets: a ConfigMap mount", "[app]") {
  TempDir tmp;
  const fs::path generation = tmp.path / "..2026_11_25_00_00_00.000000";
  fs::create_directories(generation);
  touch(generation / "upstream.yaml");
  fs::create_directory_symlink("..2026_11_25_00_00_00.000000", tmp.path / "..data");
  fs::create_symlink("..data/upstream.yaml", tmp.path / "upstream.yaml");

  auto dir_targets = app::watch_targets({tmp.path.string()});
  CHECK(has(dir_targets, tmp.path, ""));
  CHECK(has(dir_targets, tmp.path, "..data"));
  CHECK(has(dir_targets, generation, "upstream.yaml"));

  // A single file of the mount: a change of "..data" is a change of the file.
  auto file_targets = app::watch_targets({(tmp.path / "upstream.yaml").string()});
  CHECK(has(file_targets, tmp.path, "upstream.yaml"));
  CHECK(has(file_targets, tmp.path, "..data"));
  CHECK(has(file_targets, generation, "upstream.yaml"));
  CHECK_FALSE(has(file_targets, tmp.path, ""));
}

// A path that does not exist (yet) still names the directory to watch; a symlink loop ends.
TEST_CASE("watch_targets: missing paths and loops", "[app]") {
  TempDir tmp;
  auto targets = app::watch_targets({(tmp.path / "later.yaml").string()});
  CHECK(has(targets, tmp.path, "later.yaml"));
  fs::create_symlink("b.yaml", tmp.path / "a.yaml");
  fs::create_symlink("a.yaml", tmp.path / "b.yaml");
  auto loop = app::watch_targets({(tmp.path / "a.yaml").string()});
  CHECK(has(loop, tmp.path, "a.yaml"));
  CHECK(has(loop, tmp.path, "b.yaml"));
}

// Which events may change what the loader reads.
TEST_CASE("is_relevant_event", "[app]") {
  const app::WatchTarget dir{"/cfg", ""};
  const app::WatchTarget file{"/etc", "gw.yaml"};
  struct Case {
    const app::WatchTarget* target;
    std::uint32_t mask;
    std::string name;
    bool relevant;
  };
  const Case cases[] = {
      {&dir, IN_MOVED_TO, "..data", true},                  // kubelet's atomic swap
      {&dir, IN_CREATE, "..data_tmp", false},               // ... before it is renamed
      {&dir, IN_CREATE | IN_ISDIR, "..2026_11_25", false},  // a new generation directory
      {&dir, IN_DELETE | IN_ISDIR, "..2026_11_24", false},  // the old one going away
      {&dir, IN_CLOSE_WRITE, "routes.yaml", true},
      {&dir, IN_CREATE, "new.yml", true},
      {&dir, IN_DELETE, "old.yaml", true},
      {&dir, IN_MOVED_FROM, "routes.yaml", true},
      {&dir, IN_ATTRIB, "routes.yaml", true},
      {&dir, IN_CLOSE_WRITE, ".routes.yaml.swp", false},  // editor scratch files
      {&dir, IN_CLOSE_WRITE, "routes.yaml~", false},
      {&dir, IN_CLOSE_WRITE, "4913", false},
      {&dir, IN_DELETE_SELF, "", true},  // the --config directory itself went away
      {&dir, IN_IGNORED, "", false},
      {&file, IN_MOVED_TO, "gw.yaml", true},  // vim/sed -i: write elsewhere, rename over
      {&file, IN_CLOSE_WRITE, "gw.yaml", true},
      {&file, IN_CLOSE_WRITE, "other.yaml", false},
      {&file, IN_DELETE_SELF, "", false},  // a directory watched for one file: the file's event counts
  };
  for (const auto& c : cases) {
    INFO(c.target->name << " " << c.mask << " " << c.name);
    CHECK(app::is_relevant_event(*c.target, c.mask, c.name) == c.relevant);
  }
}

// A burst of events gives one action, quiet time after the last event, capped after the first.
TEST_CASE("Debouncer", "[app]") {
  app::Debouncer debouncer(200ms, 1000ms);
  const core::SteadyTime t0{};
  CHECK_FALSE(debouncer.pending());
  CHECK_FALSE(debouncer.take_due(t0));
  CHECK(debouncer.on_event(t0) == t0 + 200ms);
  CHECK(debouncer.on_event(t0 + 150ms) == t0 + 350ms);  // a later event pushes it back
  CHECK_FALSE(debouncer.take_due(t0 + 200ms));
  CHECK(debouncer.take_due(t0 + 350ms));
  CHECK_FALSE(debouncer.take_due(t0 + 400ms));  // once per burst
  CHECK_FALSE(debouncer.pending());

  // Events every 150 ms never leave 200 ms of quiet; the ceiling fires anyway.
  const core::SteadyTime t1 = t0 + 10s;
  core::SteadyTime due{};
  for (int i = 0; i < 10; ++i) due = debouncer.on_event(t1 + i * 150ms);
  CHECK(due == t1 + 1000ms);
  CHECK(debouncer.take_due(t1 + 1000ms));
}
