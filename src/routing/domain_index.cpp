#include <algorithm>
#include <array>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::routing {

namespace {

// Hosts up to this long are lower-cased on the stack (DNS names stop at 253, plus a port).
constexpr std::size_t kInlineHost = 272;

void insert_longest_first(std::vector<std::pair<std::string, std::size_t>>& list, std::string key,
                          std::size_t index) {
  auto pos = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first.size() < key.size(); });
  list.insert(pos, {std::move(key), index});
}

}  // namespace

void DomainIndex::add(const std::string& domain, std::size_t host_index) {
  std::string d = core::to_lower_ascii(domain);
  if (d == "*") {
    if (!any_) any_ = host_index;
  } else if (d.size() > 1 && d.front() == '*') {
    insert_longest_first(suffixes_, d.substr(1), host_index);
  } else if (d.size() > 1 && d.back() == '*') {
    insert_longest_first(prefixes_, d.substr(0, d.size() - 1), host_index);
  } else {
    exact_.emplace(std::move(d), host_index);
  }
}

std::optional<std::size_t> DomainIndex::find_exact_or_wildcard(std::string_view host) const {
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  // A wildcard never matches the empty string: "*.foo.com" needs at least one character before.
  for (const auto& [suffix, index] : suffixes_) {
    if (host.size() > suffix.size() && host.ends_with(suffix)) return index;
  }
  for (const auto& [prefix, index] : prefixes_) {
    if (host.size() > prefix.size() && host.starts_with(prefix)) return index;
  }
  return std::nullopt;
}

std::optional<std::size_t> DomainIndex::find(std::string_view raw_host) const {
  // Only a catch-all domain ('*', the usual single virtual host): nothing to look the host up in.
  if (exact_.empty() && suffixes_.empty() && prefixes_.empty()) return any_;
  // Lower-case into a stack buffer: no allocation per request unless the Host is unusually long.
  std::array<char, kInlineHost> buffer;
  std::string spill;
  std::string_view host;
  if (raw_host.size() <= buffer.size()) {
    std::transform(raw_host.begin(), raw_host.end(), buffer.begin(),
                   [](char c) { return core::ascii_lower(c); });
    host = std::string_view(buffer.data(), raw_host.size());
  } else {
    spill = core::to_lower_ascii(raw_host);
    host = spill;
  }
  // A domain written with a port matches only that port ("api.com:8443"); a domain without one
  // matches the host on any port. So: the exact host:port first, then every rule on the bare
  // host, then wildcards that spell out a port.
  const auto colon = host.rfind(':');
  const bool has_port = colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos;
  if (!has_port) {
    if (auto found = find_exact_or_wildcard(host)) return found;
    return any_;
  }
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  if (auto found = find_exact_or_wildcard(host.substr(0, colon))) return found;
  if (auto found = find_exact_or_wildcard(host)) return found;
  return any_;
}

}  // namespace lambdagate::routing
