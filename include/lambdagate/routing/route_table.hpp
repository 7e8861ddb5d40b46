#pragma once
// RouteTable: the compiled, immutable form of every VirtualService, and the pure function that
// picks the route for a request (Gloo/Envoy semantics, reference/gloo.md §3):
// virtual host by Host header (exact, then longest suffix wildcard, then longest prefix
// wildcard, then '*'), then the first route, in order, with any matcher that matches.
//
// Cost per request: the domain lookup (one hash probe, then the wildcard lists), then the virtual
// host's RouteIndex (route_index.hpp): O(|path|) plus the candidates whose path fits, so prefix and
// exact routes that do not fit the request cost nothing, nor do regex routes whose literal start
// does not fit; a regex is only evaluated when it could match and comes before the winner.
// No heap allocation for Host headers of usual length (see DomainIndex::find).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/routing/route_index.hpp"

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

  // For a regex matcher: a literal that every path it matches starts with (from RE2's
  // PossibleMatchRange), so the route index can file the regex under it; "" when RE2 cannot tell
  // (e.g. `.*\.json`) or for other kinds.
  std::string regex_literal_prefix() const;

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
  RouteIndex index;  // over `routes`; built once they are final
};

// Domain index with Envoy's precedence. Pure; built once per snapshot.
class DomainIndex {
public:
  void add(const std::string& domain, std::size_t host_index);
  std::optional<std::size_t> find(std::string_view host) const;

private:
  std::optional<std::size_t> find_exact_or_wildcard(std::string_view host) const;

  // Transparent, so a lookup by string_view needs no std::string per request.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> exact_;
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
  // The virtual host serving `host`, or null: whose CORS policy an answer gets when no route
  // of that host matches.
  const config::VirtualService* virtual_service_for(std::string_view host) const;

  std::size_t route_count() const;

private:
  std::shared_ptr<const config::Config> config_;
  std::vector<CompiledVirtualHost> hosts_;
  DomainIndex domains_;
};

}  // namespace lambdagate::routing
