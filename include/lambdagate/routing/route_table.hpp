#pragma once
// RouteTable: the compiled, immutable form of every VirtualService, and the pure function that
// picks the route for a request (Gloo/Envoy semantics, reference/gloo.md §3):
// virtual host by Host header (exact, then longest suffix wildcard, then longest prefix
// wildcard, then '*'), then the first route, in order, with any matcher that matches.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lambdagate/config/model.hpp"

namespace re2 {
class RE2;
}

namespace lambdagate::routing {

// Request headers as the matchers see them: lookup by lower-case name.
class RequestHeaders {
public:
  virtual ~RequestHeaders() = default;
  // First value of the header `lower_name`, or nullopt.
  virtual std::optional<std::string_view> get(std::string_view lower_name) const = 0;
};

struct RequestView {
  std::string_view method;  // "GET"
  std::string_view host;    // Host header as sent, possibly with ":port"
  std::string_view path;    // path without the query string
  std::string_view query;   // raw query string without '?'
  const RequestHeaders* headers = nullptr;
};

// A matcher compiled once: regexes built, case folded.
class CompiledMatcher {
public:
  explicit CompiledMatcher(const config::Matcher& source);
  ~CompiledMatcher();
  CompiledMatcher(CompiledMatcher&&) noexcept;
  CompiledMatcher& operator=(CompiledMatcher&&) noexcept;

  bool matches(const RequestView& request) const;
  const config::Matcher& source() const { return *source_; }

private:
  bool path_matches(std::string_view path) const;
  bool headers_match(const RequestView& request) const;
  bool query_matches(std::string_view query) const;

  const config::Matcher* source_;
  std::string folded_path_;  // lower-cased when !case_sensitive
  std::unique_ptr<re2::RE2> path_regex_;
  std::vector<std::unique_ptr<re2::RE2>> header_regexes_;  // parallel to source_->headers
  std::vector<std::unique_ptr<re2::RE2>> query_regexes_;   // parallel to source_->query_parameters
};

struct CompiledRoute {
  const config::VirtualService* virtual_service = nullptr;
  const config::Route* route = nullptr;
  std::size_t index = 0;  // position in the virtual service, for logs and metrics
  std::string name;       // route name, or "<vs namespace>/<vs name>/<index>"
  std::vector<CompiledMatcher> matchers;
};

struct CompiledVirtualHost {
  const config::VirtualService* virtual_service = nullptr;
  std::vector<CompiledRoute> routes;
};

// Domain index with Envoy's precedence. Pure; built once per snapshot.
class DomainIndex {
public:
  void add(const std::string& domain, std::size_t host_index);
  std::optional<std::size_t> find(std::string_view host) const;

private:
  std::optional<std::size_t> find_exact_or_wildcard(std::string_view host) const;

  std::unordered_map<std::string, std::size_t> exact_;
  std::vector<std::pair<std::string, std::size_t>> suffixes_;  // "*.foo.com" stored as ".foo.com", longest first
  std::vector<std::pair<std::string, std::size_t>> prefixes_;  // "foo.*" stored as "foo.", longest first
  std::optional<std::size_t> any_;
};

class RouteTable {
public:
  // Compiles every VirtualService of `config`; the table keeps `config` alive.
  static std::shared_ptr<const RouteTable> compile(std::shared_ptr<const config::Config> config);

  // The route for this request, or null (404 route_not_found).
  const CompiledRoute* match(const RequestView& request) const;

  std::size_t route_count() const;

private:
  std::shared_ptr<const config::Config> config_;
  std::vector<CompiledVirtualHost> hosts_;
  DomainIndex domains_;
};

}  // namespace lambdagate::routing
