#include "lambdagate/routing/path_trie.hpp"

namespace lambdagate::routing {

struct PathTrie::Builder::Node {
  std::string label;
  std::vector<std::unique_ptr<Node>> children;  // sorted by label[0]; labels are never empty
  std::vector<RouteCandidate> prefix;
  std::vector<RouteCandidate> exact;
};

namespace {

std::size_t common_prefix(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

PathTrie::Builder::Builder(bool case_sensitive)
    : case_sensitive_(case_sensitive), root_(std::make_unique<Node>()) {}
PathTrie::Builder::~Builder() = default;
PathTrie::Builder::Builder(Builder&&) noexcept = default;
PathTrie::Builder& PathTrie::Builder::operator=(Builder&&) noexcept = default;

void PathTrie::Builder::add(KeyKind kind, std::string_view raw_key, RouteCandidate candidate) {
  const std::string key = case_sensitive_ ? std::string(raw_key) : core::to_lower_ascii(raw_key);
  Node* node = root_.get();
  std::size_t pos = 0;
  while (pos < key.size()) {
    const std::string_view rest = std::string_view(key).substr(pos);
    auto& children = node->children;
    auto it = std::lower_bound(
        children.begin(), children.end(), rest.front(), [](const std::unique_ptr<Node>& child, char byte) {
          return static_cast<unsigned char>(child->label.front()) < static_cast<unsigned char>(byte);
        });
    if (it == children.end() || (*it)->label.front() != rest.front()) {
      auto leaf = std::make_unique<Node>();
      leaf->label = std::string(rest);
      node = children.insert(it, std::move(leaf))->get();
      pos = key.size();
      break;
    }
    const std::size_t common = common_prefix((*it)->label, rest);
    if (common < (*it)->label.size()) {
      // The key leaves this edge part-way: split it so the key's end (or fork) is a node.
      auto middle = std::make_unique<Node>();
      middle->label = (*it)->label.substr(0, common);
      (*it)->label.erase(0, common);
      middle->children.push_back(std::move(*it));
      *it = std::move(middle);
    }
    node = it->get();
    pos += common;
  }
  (kind == KeyKind::Prefix ? node->prefix : node->exact).push_back(candidate);
}

PathTrie PathTrie::Builder::build() const {
  PathTrie trie;
  trie.case_sensitive_ = case_sensitive_;
  // Depth-first, so a node's first child sits right after it; recursion depth is bounded by the
  // number of forks along the longest key.
  auto flatten = [&trie](const Node& source, auto& self) -> std::uint32_t {
    const auto index = static_cast<std::uint32_t>(trie.nodes_.size());
    trie.nodes_.emplace_back();
    PathTrie::Node node;
    node.label_begin = static_cast<std::uint32_t>(trie.labels_.size());
    node.label_size = static_cast<std::uint32_t>(source.label.size());
    trie.labels_ += source.label;
    node.prefix_begin = static_cast<std::uint32_t>(trie.candidates_.size());
    trie.candidates_.insert(trie.candidates_.end(), source.prefix.begin(), source.prefix.end());
    node.exact_begin = static_cast<std::uint32_t>(trie.candidates_.size());
    trie.candidates_.insert(trie.candidates_.end(), source.exact.begin(), source.exact.end());
    node.exact_end = static_cast<std::uint32_t>(trie.candidates_.size());
    node.children_begin = static_cast<std::uint32_t>(trie.child_bytes_.size());
    node.children_size = static_cast<std::uint32_t>(source.children.size());
    for (const auto& child : source.children) {
      trie.child_bytes_.push_back(static_cast<unsigned char>(child->label.front()));
      trie.child_nodes_.push_back(0);
    }
    trie.nodes_[index] = node;
    for (std::uint32_t i = 0; i < node.children_size; ++i) {
      const std::uint32_t child = self(*source.children[i], self);
      trie.child_nodes_[node.children_begin + i] = child;
    }
    return index;
  };
  flatten(*root_, flatten);
  return trie;
}

}  // namespace lambdagate::routing
