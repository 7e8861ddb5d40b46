#pragma once
// PathTrie: a compressed byte trie (radix tree) from path keys to the route matchers that use them.
// It answers "which prefix matchers are a prefix of this request path, and which exact matchers
// equal it" with one walk over the path's bytes, so the cost depends on the path, not on how many
// routes a virtual host has. A trie built case-insensitively stores folded keys and folds the
// request bytes while walking, so it never needs a lower-cased copy of the path.
//
// Walk cost: O(|path|) byte comparisons plus, at each node, a child lookup over its distinct next
// bytes (linear when few, binary search when many, so at most ~8 comparisons). No allocation.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lambdagate/core/ascii.hpp"

namespace lambdagate::routing {

// One matcher of one route, by position in its virtual host: route `route`, matcher `matcher`.
// Every list the trie hands out is sorted by (route, matcher), i.e. in Gloo's evaluation order.
struct RouteCandidate {
  std::uint32_t route = 0;
  std::uint32_t matcher = 0;
};

class PathTrie {
public:
  enum class KeyKind { Prefix, Exact };

  // The mutable form, a tree of owned nodes; `build` flattens it into the arrays walk() reads.
  class Builder {
  public:
    explicit Builder(bool case_sensitive);
    ~Builder();
    Builder(Builder&&) noexcept;
    Builder& operator=(Builder&&) noexcept;

    // Candidates must be added in (route, matcher) order, as RouteIndex does by walking the routes;
    // the trie keeps insertion order and never sorts.
    void add(KeyKind kind, std::string_view key, RouteCandidate candidate);
    PathTrie build() const;

  private:
    struct Node;
    bool case_sensitive_;
    std::unique_ptr<Node> root_;
  };

  PathTrie() = default;

  bool empty() const { return candidates_.empty(); }

  // Calls on_span(std::span<const RouteCandidate>) for every non-empty candidate list that fits
  // `path`: prefix lists from the shortest key to the longest, then the exact list if a key equals
  // the whole path. Each span is sorted by (route, matcher); spans are not sorted among themselves.
  template <class OnSpan>
  void walk(std::string_view path, OnSpan&& on_span) const;

private:
  // Flat node; a node's label is the run of key bytes leading to it from its parent.
  struct Node {
    std::uint32_t label_begin = 0;  // into labels_
    std::uint32_t label_size = 0;
    std::uint32_t children_begin = 0;  // into child_bytes_ / child_nodes_, sorted by byte
    std::uint32_t children_size = 0;
    std::uint32_t prefix_begin = 0;  // into candidates_: [prefix_begin, exact_begin) prefix keys
    std::uint32_t exact_begin = 0;   // [exact_begin, exact_end) exact keys ending here
    std::uint32_t exact_end = 0;
  };

  // Above this many children a node is searched by bisection rather than a linear scan.
  static constexpr std::uint32_t kLinearChildren = 8;

  char key_byte(char c) const { return case_sensitive_ ? c : core::ascii_lower(c); }
  std::uint32_t find_child(const Node& node, unsigned char byte) const;

  bool case_sensitive_ = true;
  std::vector<Node> nodes_;  // nodes_[0] is the root, with an empty label
  std::string labels_;
  std::vector<unsigned char> child_bytes_;  // first label byte of each child
  std::vector<std::uint32_t> child_nodes_;
  std::vector<RouteCandidate> candidates_;
};

inline std::uint32_t PathTrie::find_child(const Node& node, unsigned char byte) const {
  const unsigned char* first = child_bytes_.data() + node.children_begin;
  const unsigned char* last = first + node.children_size;
  const unsigned char* it;
  if (node.children_size <= kLinearChildren) {
    it = std::find(first, last, byte);
  } else {
    it = std::lower_bound(first, last, byte);
    if (it != last && *it != byte) it = last;
  }
  return it == last ? 0 : child_nodes_[node.children_begin + static_cast<std::uint32_t>(it - first)];
}

template <class OnSpan>
void PathTrie::walk(std::string_view path, OnSpan&& on_span) const {
  if (candidates_.empty()) return;
  const RouteCandidate* candidates = candidates_.data();
  std::uint32_t index = 0;
  std::size_t pos = 0;
  for (;;) {
    const Node& node = nodes_[index];
    if (node.prefix_begin != node.exact_begin) {
      on_span(std::span<const RouteCandidate>(candidates + node.prefix_begin, candidates + node.exact_begin));
    }
    if (pos == path.size()) {
      if (node.exact_begin != node.exact_end) {
        on_span(std::span<const RouteCandidate>(candidates + node.exact_begin, candidates + node.exact_end));
      }
      return;
    }
    // The root is never anyone's child, so 0 doubles as "no such child".
    const std::uint32_t next = find_child(node, static_cast<unsigned char>(key_byte(path[pos])));
    if (next == 0) return;
    const Node& child = nodes_[next];
    if (child.label_size > path.size() - pos) return;
    const char* label = labels_.data() + child.label_begin;
    if (case_sensitive_) {
      if (path.compare(pos, child.label_size, label, child.label_size) != 0) return;
    } else {
      for (std::uint32_t i = 1; i < child.label_size; ++i) {  // byte 0 was the child lookup
        if (core::ascii_lower(path[pos + i]) != label[i]) return;
      }
    }
    pos += child.label_size;
    index = next;
  }
}

}  // namespace lambdagate::routing
