#include "lambdagate/app/config_watcher.hpp"

#include <sys/inotify.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include "lambdagate/core/task.hpp"

namespace lambdagate::app {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr auto kTuple = asio::as_tuple(core::use_task);

// Entry changes that can alter what the loader reads. IN_CLOSE_WRITE rather than IN_MODIFY: a
// file is read once its writer is done with it. IN_ATTRIB covers chmod (an unreadable file).
constexpr std::uint32_t kEntryEvents =
    IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB;
constexpr std::uint32_t kSelfEvents = IN_DELETE_SELF | IN_MOVE_SELF;
constexpr std::uint32_t kWatchMask = kEntryEvents | kSelfEvents | IN_ONLYDIR;

// A symlink loop gives up after as many hops as the kernel allows (ELOOP).
constexpr int kMaxSymlinkHops = 40;

// The loader's rule for the files of a directory (config/loader.cpp): hidden entries and the
// ConfigMap's "..data" and timestamped directories are not configuration files.
bool is_yaml_name(std::string_view name) {
  if (name.empty() || name[0] == '.') return false;
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

// Resolves `path` one component at a time, as the kernel does, and records every symbolic link
// met on the way as (its directory, its name): replacing any of them changes what the path
// means. Returns the resolved path, which need not exist.
fs::path resolve_recording_links(const fs::path& path, std::vector<WatchTarget>& out) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) return path;
  fs::path resolved = absolute.root_path();
  const fs::path relative = absolute.relative_path();
  std::vector<fs::path> rest(relative.begin(), relative.end());
  int hops = 0;
  std::size_t i = 0;
  while (i < rest.size()) {
    const fs::path& part = rest[i];
    if (part.empty() || part == ".") {
      ++i;
      continue;
    }
    if (part == "..") {
      resolved = resolved.parent_path();
      ++i;
      continue;
    }
    fs::path candidate = resolved / part;
    if (hops < kMaxSymlinkHops && fs::is_symlink(fs::symlink_status(candidate, ec))) {
      ++hops;
      out.push_back({resolved.string(), part.string()});
      fs::path target = fs::read_symlink(candidate, ec);
      if (ec) return candidate;
      const fs::path target_relative = target.relative_path();
      std::vector<fs::path> next(target_relative.begin(), target_relative.end());
      next.insert(next.end(), rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end());
      if (target.is_absolute()) resolved = target.root_path();
      rest = std::move(next);
      i = 0;
      continue;
    }
    resolved = std::move(candidate);
    ++i;
  }
  return resolved;
}

void add_file(const fs::path& path, std::vector<WatchTarget>& out) {
  fs::path resolved = resolve_recording_links(path, out);
  if (resolved.has_parent_path())
    out.push_back({resolved.parent_path().string(), resolved.filename().string()});
}

}  // namespace

std::vector<WatchTarget> watch_targets(const std::vector<std::string>& paths) {
  std::vector<WatchTarget> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      add_file(path, out);
      continue;
    }
    fs::path dir = resolve_recording_links(path, out);
    out.push_back({dir.string(), ""});
    // Files linked from elsewhere (a ConfigMap's "x.yaml -> ..data/x.yaml") change where they
    // point to, not in this directory.
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (is_yaml_name(it->path().filename().string()) && it->is_symlink(ec)) add_file(it->path(), out);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_relevant_event(const WatchTarget& target, std::uint32_t mask, std::string_view name) {
  if (name.empty()) {
    // The watched directory itself was removed or renamed. Only a --config directory matters:
    // other directories are watched for a link or file in them, whose change shows up there.
    return target.name.empty() && (mask & kSelfEvents) != 0;
  }
  if ((mask & kEntryEvents) == 0) return false;
  if (!target.name.empty()) return name == target.name;
  return name == "..data" || is_yaml_name(name);
}

Debouncer::Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_wait)
    : quiet_(quiet), max_wait_(std::max(quiet, max_wait)) {}

core::SteadyTime Debouncer::on_event(core::SteadyTime now) {
  if (!first_) first_ = now;
  due_ = std::min(now + quiet_, *first_ + max_wait_);
  return due_;
}

bool Debouncer::take_due(core::SteadyTime now) {
  if (!first_ || now < due_) return false;
  first_.reset();
  return true;
}

ConfigWatcher::ConfigWatcher(asio::io_context& io, std::vector<std::string> paths,
                             std::function<void()> on_change, spdlog::logger& logger,
                             const core::Clock& clock, ConfigWatcherOptions options)
    : io_(io),
      paths_(std::move(paths)),
      on_change_(std::move(on_change)),
      logger_(logger),
      clock_(clock),
      debouncer_(options.quiet, options.max_wait),
      stream_(io),
      timer_(io) {}

ConfigWatcher::~ConfigWatcher() {
  boost::system::error_code ignored;
  stream_.close(ignored);  // closing the inotify descriptor drops every watch
}

bool ConfigWatcher::start() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    logger_.warn("config watcher: inotify is unavailable ({}); configuration changes apply on SIGHUP only",
                 std::strerror(errno));
    return false;
  }
  stream_.assign(fd);
  sync_watches();
  if (targets_by_wd_.empty()) {
    logger_.warn("config watcher: no configuration directory could be watched; changes apply on SIGHUP only");
  } else {
    logger_.info("config watcher: watching {} director{} for configuration changes", targets_by_wd_.size(),
                 targets_by_wd_.size() == 1 ? "y" : "ies");
  }
  asio::co_spawn(io_, read_loop(), asio::detached);
  return true;
}

void ConfigWatcher::stop() {
  stopped_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  stream_.close(ignored);
  targets_by_wd_.clear();
}

core::Task<void> ConfigWatcher::read_loop() {
  // Room for many events; the kernel never splits one across reads.
  std::vector<char> buffer(64 * 1024);
  while (!stopped_) {
    auto read_buffer = asio::buffer(buffer);
    auto [ec, n] = co_await stream_.async_read_some(read_buffer, kTuple);
    if (ec) {
      if (!stopped_ && ec != asio::error::operation_aborted) {
        logger_.warn("config watcher: reading inotify events failed ({}); changes apply on SIGHUP only",
                     ec.message());
      }
      co_return;
    }
    handle_events(buffer.data(), n);
  }
}

void ConfigWatcher::handle_events(const char* data, std::size_t size) {
  bool relevant = false;
  std::size_t offset = 0;
  while (offset + sizeof(inotify_event) <= size) {
    inotify_event event;
    std::memcpy(&event, data + offset, sizeof event);  // the buffer carries no alignment promise
    std::string_view name;
    if (event.len > 0) {
      const char* text = data + offset + sizeof(inotify_event);
      name = std::string_view(text, ::strnlen(text, event.len));
    }
    offset += sizeof(inotify_event) + event.len;
    if (event.mask & IN_Q_OVERFLOW) {
      // Events were lost: assume the worst.
      logger_.warn("config watcher: inotify queue overflowed; reloading to be safe");
      relevant = true;
      continue;
    }
    auto it = targets_by_wd_.find(event.wd);
    if (it == targets_by_wd_.end()) continue;
    for (const WatchTarget& target : it->second) {
      if (is_relevant_event(target, event.mask, name)) {
        logger_.debug("config watcher: event {:#x} on {}/{}", event.mask, target.directory, name);
        relevant = true;
        break;
      }
    }
    if (event.mask & IN_IGNORED) targets_by_wd_.erase(it);  // the kernel dropped this watch
  }
  if (relevant && !stopped_) arm_timer(debouncer_.on_event(clock_.steady_now()));
}

void ConfigWatcher::arm_timer(core::SteadyTime due) {
  // Re-arming cancels the previous wait, so only the latest deadline fires.
  timer_.expires_at(due);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_ || !debouncer_.take_due(clock_.steady_now())) return;
    // Links may point elsewhere now (a new ConfigMap generation): watch what the reload reads.
    sync_watches();
    on_change_();
  });
}

void ConfigWatcher::watch_referenced(std::vector<std::string> files) {
  referenced_ = std::move(files);
  if (stream_.is_open()) sync_watches();
}

void ConfigWatcher::sync_watches() {
  std::map<std::string, std::vector<WatchTarget>> by_directory;
  std::vector<std::string> paths = paths_;
  paths.insert(paths.end(), referenced_.begin(), referenced_.end());
  for (auto& target : watch_targets(paths)) by_directory[target.directory].push_back(std::move(target));
  std::map<int, std::vector<WatchTarget>> next;
  const int fd = stream_.native_handle();
  for (auto& [directory, targets] : by_directory) {
    const int wd = inotify_add_watch(fd, directory.c_str(), kWatchMask);
    if (wd < 0) {
      // A --config path that does not exist yet: the reload reports it; nothing to watch here.
      logger_.debug("config watcher: cannot watch {}: {}", directory, std::strerror(errno));
      continue;
    }
    auto& slot = next[wd];  // two paths to one directory share a watch
    slot.insert(slot.end(), targets.begin(), targets.end());
  }
  for (const auto& [wd, targets] : targets_by_wd_) {
    if (!next.contains(wd)) inotify_rm_watch(fd, wd);
  }
  targets_by_wd_ = std::move(next);
}

}  // namespace lambdagate::app
