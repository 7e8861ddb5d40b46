#pragma once
// ConfigWatcher: reloads the configuration when a --config file changes (DESIGN.md §1, §3), as
// SIGHUP does. It watches directories with inotify on the control io_context: a file's parent
// directory filtered by the file's name (editors replace a file by rename), a directory itself,
// and the directory of every symbolic link on the way to the real files, so that a Kubernetes
// ConfigMap update (kubelet renames "..data_tmp" over "..data") is seen. Events are debounced; the
// watch set is recomputed before each reload because link targets move. Without inotify the
// watcher logs a warning and SIGHUP remains the way to reload.
#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::app {

// One directory to watch and the entry names in it that matter.
struct WatchTarget {
  std::string directory;
  // Only events about this entry; empty: any YAML file or the ConfigMap "..data" link.
  std::string name;

  friend bool operator==(const WatchTarget&, const WatchTarget&) = default;
  friend auto operator<=>(const WatchTarget&, const WatchTarget&) = default;
};

// The directories to watch for the --config paths, as they are on disk now (reads symlinks, no
// inotify): for each path, every symbolic link met while resolving it (its parent directory,
// filtered by the link's name), then the resolved file (parent, filtered by name) or directory
// (itself, unfiltered); for a directory, also the links of the YAML files in it. Sorted, unique.
std::vector<WatchTarget> watch_targets(const std::vector<std::string>& paths);

// Whether an inotify event (`mask`, entry `name`, empty for events about the watched directory
// itself) on a directory watched for `target` can change what the loader reads. Pure.
bool is_relevant_event(const WatchTarget& target, std::uint32_t mask, std::string_view name);

// Trailing-edge debounce with a ceiling: an action is due `quiet` after the last event, but no
// later than `max_wait` after the first one of a burst, so a steady trickle of events cannot
// postpone a reload for ever. Pure; time is passed in.
class Debouncer {
 public:
  Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_wait);
  // Records an event; returns when the action is due.
  core::SteadyTime on_event(core::SteadyTime now);
  // True (once per burst) when an action is due at `now`; the burst is then over.
  bool take_due(core::SteadyTime now);
  bool pending() const { return first_.has_value(); }

 private:
  std::chrono::milliseconds quiet_;
  std::chrono::milliseconds max_wait_;
  std::optional<core::SteadyTime> first_;
  core::SteadyTime due_{};
};

struct ConfigWatcherOptions {
  std::chrono::milliseconds quiet{200};
  std::chrono::milliseconds max_wait{2000};
};

class ConfigWatcher {
 public:
  // `on_change` runs on the io_context's thread, once per debounced burst of relevant events.
  ConfigWatcher(boost::asio::io_context& io, std::vector<std::string> paths, std::function<void()> on_change,
                spdlog::logger& logger, const core::Clock& clock, ConfigWatcherOptions options = {});
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  // Sets up inotify and starts reading events. False (after a warning) when inotify is
  // unavailable; the gateway then reloads on SIGHUP only.
  bool start();
  // Files the configuration refers to (sslFiles certificates and keys, a mounted Secret volume):
  // watched like the --config paths from now on, replacing the previous set. On the io_context's
  // thread.
  void watch_referenced(std::vector<std::string> files);
  // Stops watching (on the io_context's thread); no callback runs afterwards.
  void stop();

 private:
  core::Task<void> read_loop();
  void handle_events(const char* data, std::size_t size);
  void arm_timer(core::SteadyTime due);
  void sync_watches();

  boost::asio::io_context& io_;
  std::vector<std::string> paths_;
  std::vector<std::string> referenced_;
  std::function<void()> on_change_;
  spdlog::logger& logger_;
  const core::Clock& clock_;
  Debouncer debouncer_;
  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer timer_;
  std::map<int, std::vector<WatchTarget>> targets_by_wd_;
  bool stopped_ = false;
};

}  // namespace lambdagate::app
