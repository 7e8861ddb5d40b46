#include "lambdagate/routing/route_index.hpp"

#include <array>
#include <limits>
#include <span>

#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::routing {

namespace {

constexpr std::uint32_t kNoRoute = std::numeric_limits<std::uint32_t>::max();

// Finds the lowest route position whose candidate fully matches, over candidate lists that are
// each sorted by route. It keeps a fixed array of lists; when that fills up (a path crossing more
// than kMaxSpans prefix keys that have routes), it settles the lists it holds, keeps the winner as
// a bound and starts over, which gives the same answer because the overall winner is the minimum
// of the winners of any partition of the lists.
class CandidateMerger {
public:
  CandidateMerger(const std::vector<CompiledRoute>& routes, const RequestView& request)
      : routes_(routes), request_(request) {}

  void add(std::span<const RouteCandidate> candidates) {
    if (candidates.front().route >= best_) return;  // nothing in it can beat the winner so far
    if (count_ == kMaxSpans) settle();
    cursors_[count_++] = {candidates.data(), candidates.data() + candidates.size()};
  }

  // The winner over every list added so far, or kNoRoute.
  std::uint32_t settle() {
    for (;;) {
      Cursor* pick = nullptr;
      std::uint32_t lowest = best_;
      for (std::size_t i = 0; i < count_; ++i) {
        Cursor& cursor = cursors_[i];
        if (cursor.next != cursor.end && cursor.next->route < lowest) {
          lowest = cursor.next->route;
          pick = &cursor;
        }
      }
      if (pick == nullptr) break;
      const RouteCandidate candidate = *pick->next++;
      if (routes_[candidate.route].matchers[candidate.matcher].matches(request_)) {
        best_ = candidate.route;  // every other head is at or after it
        break;
      }
    }
    count_ = 0;
    return best_;
  }

private:
  static constexpr std::size_t kMaxSpans = 16;

  // Plain pointers rather than spans: the array is left uninitialised past count_, which keeps
  // the per-request setup to a few stores.
  struct Cursor {
    const RouteCandidate* next;
    const RouteCandidate* end;
  };

  const std::vector<CompiledRoute>& routes_;
  const RequestView& request_;
  std::array<Cursor, kMaxSpans> cursors_;
  std::size_t count_ = 0;
  std::uint32_t best_ = kNoRoute;
};

}  // namespace

RouteIndex RouteIndex::build(const std::vector<CompiledRoute>& routes) {
  PathTrie::Builder sensitive(true);
  PathTrie::Builder insensitive(false);
  RouteIndex index;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const auto& matchers = routes[r].matchers;
    for (std::size_t m = 0; m < matchers.size(); ++m) {
      const config::Matcher& source = matchers[m].source();
      const RouteCandidate candidate{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(m)};
      switch (source.kind) {
        case config::PathMatchKind::Prefix:
          (source.case_sensitive ? sensitive : insensitive)
              .add(PathTrie::KeyKind::Prefix, source.path, candidate);
          break;
        case config::PathMatchKind::Exact:
          (source.case_sensitive ? sensitive : insensitive)
              .add(PathTrie::KeyKind::Exact, source.path, candidate);
          break;
        case config::PathMatchKind::Regex:
          // Filed as a prefix key under the literal every match starts with (byte for byte, even for a
          // case-insensitive regex, whose literal stops at the first letter); "" puts it at the root,
          // where every request sees it.
          sensitive.add(PathTrie::KeyKind::Prefix, matchers[m].regex_literal_prefix(), candidate);
          break;
      }
    }
  }
  index.case_sensitive_ = sensitive.build();
  index.case_insensitive_ = insensitive.build();
  return index;
}

const CompiledRoute* RouteIndex::match(const std::vector<CompiledRoute>& routes,
                                       const RequestView& request) const {
  CandidateMerger merger(routes, request);
  auto add = [&merger](std::span<const RouteCandidate> candidates) { merger.add(candidates); };
  case_sensitive_.walk(request.path, add);
  case_insensitive_.walk(request.path, add);
  const std::uint32_t best = merger.settle();
  return best == kNoRoute ? nullptr : &routes[best];
}

}  // namespace lambdagate::routing
