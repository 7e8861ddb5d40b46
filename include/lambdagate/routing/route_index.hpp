#pragma once
// RouteIndex: picks the first route of one virtual host that matches a request, without trying the
// routes one by one. Gloo semantics are unchanged (routes in order, the first route with any
// matching matcher wins); the index only decides which matchers are worth asking.
//
//  - prefix and exact matchers live in two PathTries, one case-sensitive and one folded for
//    `caseSensitive: false`; one walk over the request path yields, per trie, the sorted candidate
//    lists of every prefix key that the path starts with and every exact key equal to it;
//  - a regex matcher is filed in the case-sensitive trie as a prefix key: the literal that RE2
//    proves every match starts with (`/users/[0-9]+` -> "/users/"), or "" (the root, i.e. scanned
//    for every request) when there is none, as for `.*\.json` or a leading `(?i)` letter;
//  - the lists are merged by route position and each candidate gets CompiledMatcher's full check
//    (path again, methods, headers, query); the first that passes is the answer, so candidates
//    after it, regexes included, are never evaluated.
//
// Cost per request: O(|path|) for the two trie walks, plus one full check per candidate visited,
// i.e. per matcher whose key fits the path and that comes before the winner (a regex evaluation for
// a regex). Prefix/exact routes, and regexes with a literal, whose key does not fit the request
// cost nothing, so the time does not grow with the number of such routes. What still costs one
// check each: routes before the winner that share its path and differ only by
// header/method/query, and regexes without a literal placed before the winner.
// No heap allocation: the merge holds at most kMaxSpans lists and settles them early when full.
#include <cstdint>
#include <vector>

#include "lambdagate/routing/path_trie.hpp"

namespace lambdagate::routing {

struct CompiledRoute;
struct RequestView;

class RouteIndex {
public:
  // Indexes `routes` (one virtual host's, in order) by position; `routes` must outlive the index
  // unchanged and be the same vector passed to match().
  static RouteIndex build(const std::vector<CompiledRoute>& routes);

  // The first of `routes` with a matcher that matches `request`, or null.
  const CompiledRoute* match(const std::vector<CompiledRoute>& routes, const RequestView& request) const;

private:
  PathTrie case_sensitive_;
  PathTrie case_insensitive_;
};

}  // namespace lambdagate::routing
