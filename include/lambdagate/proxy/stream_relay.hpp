#pragma once
// StreamRelay: relays a streamed function output (InvokeWithResponseStream) to the client as it
// arrives: raw bytes, or, for unwrapped routes (functions that say so, as Function URLs do), the
// HTTP-integration format, whose JSON prelude gives status, headers and cookies. Nothing is sent
// before the first body byte (or the whole prelude) arrives, so an early failure can still become
// a proper error response (response_mapping.hpp, stream_outcome).
#include <cstddef>
#include <string>
#include <string_view>

#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/config/model.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"
#include "lambdagate/proxy/policy_stage.hpp"
#include "lambdagate/proxy/response_mapping.hpp"

namespace lambdagate::proxy {

class StreamRelay final : public aws::InvokeStreamHandler {
 public:
  // `route_options` shape the head as they shape a buffered response; `request_id` is set on it
  // after them. Both must outlive the relay.
  StreamRelay(http::ResponseWriter& writer, unsigned version, std::string_view request_id,
              const config::RouteOptions& route_options, bool http_integration);

  // The request policies' headers (CORS, x-ratelimit-*) for the head; `state` must outlive the relay.
  void decorate_with(const PolicyState& state) { policy_ = &state; }

  core::Task<bool> on_payload(std::string_view bytes) override;

  // What the relay saw, for stream_outcome().
  RelayState state() const;
  // The status that went out (0 before the head did) and the body bytes written since.
  unsigned status() const { return status_; }
  std::size_t bytes_sent() const { return bytes_sent_; }

 private:
  core::Task<bool> begin(http::Response& head);
  core::Task<bool> write(std::string_view data);

  http::ResponseWriter& writer_;
  unsigned version_;
  std::string_view request_id_;
  const config::RouteOptions& route_options_;
  bool http_integration_;
  const PolicyState* policy_ = nullptr;
  HttpPreludeParser prelude_;
  std::string body_;
  std::string failure_;
  unsigned status_ = 0;
  std::size_t bytes_sent_ = 0;
  bool client_gone_ = false;
};

}  // namespace lambdagate::proxy
