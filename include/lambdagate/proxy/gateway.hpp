#pragma once
// Gateway: the request pipeline of one worker (DESIGN.md §4, §7): route → destination →
// Lambda Invoke → HTTP response, with a deadline, an access log line and a request id.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/request_id.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/logging.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::proxy {

struct GatewayOptions {
  std::size_t max_sync_payload = 6 * 1024 * 1024;   // Lambda's RequestResponse limit (6 MiB)
  std::size_t max_async_payload = 1024 * 1024;      // Lambda's Event limit (1 MiB)
  std::chrono::milliseconds default_timeout{15000};  // Gloo/Envoy route timeout default
};

// The JSON error body of DESIGN.md §4, with x-request-id and content-type set.
http::Response make_error_response(const core::Error& error, std::string_view request_id, unsigned version);

class Gateway final : public http::RequestHandler {
public:
  // `metrics`: this worker's shard of the request metrics (written by this Gateway only); null
  // records nothing.
  Gateway(const SnapshotStore& snapshots, http::HttpClient& http_client, const core::Clock& clock,
          observability::AccessLog& access_log, const std::atomic<bool>& draining, GatewayOptions options = {},
          observability::MetricsShard* metrics = nullptr);

  boost::asio::awaitable<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection,
                                                http::ResponseWriter& writer) override;
  http::Response reject(core::ErrorKind kind, std::string message, const http::Request* request) override;

  struct Call;  // one request on its way to Lambda (gateway.cpp)

private:
  struct Outcome;
  // `matched` is set to the route that matched, if any (for its response header options).
  boost::asio::awaitable<http::Response> route_and_invoke(const http::Request& request,
                                                          const http::ConnectionInfo& connection,
                                                          const Snapshot& snapshot, std::string_view request_id,
                                                          Outcome& outcome, const routing::CompiledRoute*& matched,
                                                          http::ResponseWriter& writer);
  // Invoke, with the route's retries, and the function's output mapped to the HTTP response.
  boost::asio::awaitable<http::Response> invoke_buffered(Call& call);
  // InvokeWithResponseStream, relayed to the client through `writer` as chunks arrive.
  boost::asio::awaitable<http::Response> invoke_streaming(Call& call, http::ResponseWriter& writer);
  std::shared_ptr<aws::LambdaClient> lambda_client(const Snapshot& snapshot, const UpstreamRuntime& upstream);
  std::string request_id_for(const http::Request& request);

  const SnapshotStore& snapshots_;
  http::HttpClient& http_client_;
  const core::Clock& clock_;
  observability::AccessLog& access_log_;
  const std::atomic<bool>& draining_;
  GatewayOptions options_;
  observability::MetricsShard* metrics_;
  core::RequestIdGenerator ids_;

  // Lambda clients of this worker for the current snapshot; rebuilt when the snapshot changes.
  // Requests hold their client by shared_ptr, so a swap never pulls one from under them.
  std::uint64_t clients_version_ = 0;
  std::unordered_map<const UpstreamRuntime*, std::shared_ptr<aws::LambdaClient>> clients_;
};

}  // namespace lambdagate::proxy
