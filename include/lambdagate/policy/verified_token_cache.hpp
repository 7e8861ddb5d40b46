#pragma once
// VerifiedTokenCache: tokens one worker has already verified, as Envoy's jwt_cache_config keeps
// them, so a client sending the same token again costs a hash lookup instead of a signature
// check (RS256 is ~20 µs, the lookup well under one). One per worker thread: no lock, no sharing.
//
// An entry remembers the token's claims and the KeySet that verified it. A hit counts only when
// the provider still serves that very KeySet (a rotation that drops the key invalidates it), and
// the time claims are checked again at every hit (exp, nbf, iat with the provider's skew), so a
// cached token expires exactly when an uncached one would. Only successes are cached: a refusal
// is never remembered, and a token that failed once is verified afresh next time.
// Bounded: at `capacity` entries the whole cache is dropped (cheap, and it refills with the
// tokens actually in use).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lambdagate/policy/key_set.hpp"

namespace lambdagate::policy {

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(std::size_t capacity = 4096) : capacity_(capacity) {}

  // The claims of `token` as verified by `provider` with `keys`, or null.
  std::shared_ptr<const nlohmann::json> find(const void* provider, std::string_view token,
                                             const KeySet* keys) const;
  void insert(const void* provider, std::string_view token, std::shared_ptr<const KeySet> keys,
              std::shared_ptr<const nlohmann::json> claims);

  std::size_t size() const { return entries_.size(); }
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    const void* provider;
    std::shared_ptr<const KeySet> keys;
    std::shared_ptr<const nlohmann::json> claims;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::size_t capacity_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
  mutable std::uint64_t hits_ = 0;
  mutable std::uint64_t misses_ = 0;
};

}  // namespace lambdagate::policy
