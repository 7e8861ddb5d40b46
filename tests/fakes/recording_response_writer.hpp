#pragma once
// RecordingResponseWriter: an http::ResponseWriter that keeps what a handler streamed, so the
// gateway's streaming path is testable without a socket.
#include <string>
#include <vector>

#include "lambdagate/http/server.hpp"

namespace lambdagate::testing {

class RecordingResponseWriter final : public http::ResponseWriter {
public:
  lambdagate::core::Task<bool> begin(http::Response& head) override {
    started_ = true;
    head_ = head;
    co_return true;
  }
  lambdagate::core::Task<bool> write(std::string_view data) override {
    if (!data.empty()) chunks.emplace_back(data);
    co_return true;
  }
  lambdagate::core::Task<bool> finish() override {
    finished = true;
    co_return true;
  }
  void abort() override { aborted = true; }
  bool started() const override { return started_; }

  const http::Response& head() const { return head_; }
  std::string body() const {
    std::string all;
    for (const auto& c : chunks) all += c;
    return all;
  }

  std::vector<std::string> chunks;
  bool finished = false;
  bool aborted = false;

private:
  bool started_ = false;
  http::Response head_;
};

}  // namespace lambdagate::testing
