#pragma once
// Request ids: every response carries x-request-id. A client's own id is kept when it is
// reasonable (printable, ≤ 128 characters); otherwise a random 128-bit hex id is made.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace lambdagate::core {

bool is_acceptable_request_id(std::string_view id);

// Not thread-safe: one per worker.
class RequestIdGenerator {
public:
  RequestIdGenerator();
  std::string next();
  std::mt19937_64& random() { return rng_; }  // the worker's random source (weights, jitter)

private:
  std::mt19937_64 rng_;
};

}  // namespace lambdagate::core
