#pragma once
// FakeHttpClient: an http::HttpClient that records every request and answers from a script —
// a queue of results, or a handler that sees the request — so AWS client logic runs without
// sockets. An unscripted call answers a Protocol error, which the test then sees as a failure.
#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::testing {

class FakeHttpClient final : public http::HttpClient {
 public:
  struct Call {
    http::Endpoint endpoint;
    http::ClientRequest request;
    core::Deadline deadline;
  };
  using Handler = std::function<http::ClientResult(const http::Endpoint&, const http::ClientRequest&)>;

  // Queues one answer; answers are given in order, before any handler is asked.
  void push(http::ClientResult result) { script_.push_back(std::move(result)); }
  void push_response(unsigned status, std::string body = {}, http::HeaderList headers = {}) {
    push(http::ClientResponse{status, std::move(headers), std::move(body)});
  }
  void push_error(http::ClientErrorKind kind, std::string message = "scripted failure") {
    push(http::ClientError{kind, std::move(message)});
  }
  // Answers every call once the queue is empty.
  void set_handler(Handler handler) { handler_ = std::move(handler); }

  const std::vector<Call>& calls() const { return calls_; }
  const Call& last_call() const { return calls_.back(); }

  lambdagate::core::Task<http::ClientResult> send(const http::Endpoint& endpoint, http::ClientRequest request,
                                                  core::Deadline deadline) override {
    calls_.push_back(Call{endpoint, std::move(request), deadline});
    const Call& call = calls_.back();
    if (!script_.empty()) {
      http::ClientResult result = std::move(script_.front());
      script_.pop_front();
      co_return result;
    }
    if (handler_) co_return handler_(call.endpoint, call.request);
    co_return http::ClientError{http::ClientErrorKind::Protocol, "FakeHttpClient: no scripted answer"};
  }

 private:
  std::deque<http::ClientResult> script_;
  Handler handler_;
  std::vector<Call> calls_;
};

// First value of a header in a recorded request, case-insensitive.
inline std::optional<std::string> find_header(const http::HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (core::iequals_ascii(k, name)) return v;
  }
  return std::nullopt;
}

// How many times a header appears, case-insensitive.
inline std::size_t count_header(const http::HeaderList& headers, std::string_view name) {
  return static_cast<std::size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const auto& h) { return core::iequals_ascii(h.first, name); }));
}

}  // namespace lambdagate::testing
