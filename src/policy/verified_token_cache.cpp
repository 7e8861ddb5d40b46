// VerifiedTokenCache: per-worker memory of verified tokens (see verified_token_cache.hpp).
#include "lambdagate/policy/verified_token_cache.hpp"

#include <nlohmann/json.hpp>

namespace lambdagate::policy {

std::shared_ptr<const nlohmann::json> VerifiedTokenCache::find(const void* provider, std::string_view token,
                                                               const KeySet* keys) const {
  const auto it = entries_.find(token);
  // Two providers may accept the same token with different rules: an entry is one provider's.
  if (it == entries_.end() || it->second.provider != provider || it->second.keys.get() != keys) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return it->second.claims;
}

void VerifiedTokenCache::insert(const void* provider, std::string_view token,
                                std::shared_ptr<const KeySet> keys,
                                std::shared_ptr<const nlohmann::json> claims) {
  if (capacity_ == 0) return;
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(std::string(token), Entry{provider, std::move(keys), std::move(claims)});
}

}  // namespace lambdagate::policy
