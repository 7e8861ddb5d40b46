#pragma once
// Gateway: the request pipeline of one worker (DESIGN.md §4, §7), an orchestrator of small parts:
// destination_resolver (route → function → Invoke request, pure), retry_driver (attempts,
// per-try deadlines, backoff through the Sleeper), stream_relay (response streaming) and
// response_mapping (Lambda's answers and failures as responses). It adds what spans a request: the
// request id, the deadline, one access log line and the request metrics.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lambdagate/aws/lambda_client.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/request_id.hpp"
#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/http/client.hpp"
#include "lambdagate/http/server.hpp"
#include "lambdagate/observability/logging.hpp"
#include "lambdagate/observability/metrics.hpp"
#include "lambdagate/observability/rate_limited_log.hpp"
#include "lambdagate/proxy/destination_resolver.hpp"
#include "lambdagate/proxy/policy_stage.hpp"
#include "lambdagate/proxy/response_mapping.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::proxy {

class Gateway final : public http::RequestHandler {
public:
 // `sleeper` waits out retry backoffs. `draining`: while set, requests are refused with 503
 // draining and their connection closed. `metrics`: this worker's shard of the request metrics
 // (written by this Gateway only); null records nothing. `problems`: where the detail of a failed
 // call goes (the client's message names the route and logical function only); shared by the
 // workers, rate-limited; null logs nothing.
 Gateway(const SnapshotStore& snapshots, http::HttpClient& http_client, const core::Clock& clock,
         core::Sleeper& sleeper, observability::AccessLog& access_log, const std::atomic<bool>& draining,
         GatewayOptions options = {}, observability::MetricsShard* metrics = nullptr,
         observability::RateLimitedLog* problems = nullptr);

 core::Task<http::Response> handle(http::Request& request, const http::ConnectionInfo& connection,
                                   http::ResponseWriter& writer) override;
 http::Response reject(core::ErrorKind kind, std::string message, const http::Request* request) override;

private:
  struct Outcome;
  struct Call;

  // The answer when no request can be served (draining, or no configuration yet), in `response`:
  // true then. Not in handle(), whose coroutine frame would hold its temporaries.
  bool refuse_unservable(const Snapshot* snapshot, const http::Request& request, std::string_view request_id,
                         Outcome& outcome, http::Response& response) const;
  // Matches the route, runs its request policies (policy_stage), resolves the destination and
  // answers: directly, with an error, or by invoking the function.
  // `matched` is set to the route that matched, if any (for its response header options).
  core::Task<http::Response> route_and_invoke(http::Request& request,
                                              const http::ConnectionInfo& connection,
                                              const Snapshot& snapshot, std::string_view request_id,
                                              Outcome& outcome, const routing::CompiledRoute*& matched,
                                              http::ResponseWriter& writer, PolicyState& policy);
  // route_and_invoke's steps that do not wait: the route's deadline; the destination of `route`
  // for this request, recorded in `outcome`; the answer of a destination that is not an Invoke
  // (the route's own response, or an error).
  core::Deadline route_deadline(const routing::CompiledRoute& route) const;
  Resolution resolve(const http::Request& request, const http::ConnectionInfo& connection, const Snapshot& snapshot,
                     std::string_view request_id, const routing::CompiledRoute* route, const PolicyState& policy);
  static void record_resolution(Resolution& resolution, const Snapshot& snapshot, Outcome& outcome,
                                const routing::CompiledRoute*& matched);
  http::Response answer_resolved(const Resolution& resolution, std::string_view request_id, Outcome& outcome,
                                 unsigned version);
  // Invoke, with the route's retries, and the function's output mapped to the HTTP response.
  core::Task<http::Response> invoke_buffered(Call& call);
  // InvokeWithResponseStream, relayed to the client through `writer` as chunks arrive.
  core::Task<http::Response> invoke_streaming(Call& call, http::ResponseWriter& writer);
  // lambdagate_lambda_invocations_total and lambdagate_throttles_total for one attempt.
  void record_attempt(const Outcome& outcome, const core::Error* failure, bool function_error);
  // One access log line and the request metrics.
  void log_request(const Snapshot* snapshot, const http::Request& request, const http::ConnectionInfo& connection,
                   std::string_view request_id, const Outcome& outcome, const http::Response& response,
                   bool streamed, core::SteadyTime started);
  static void report_failure(observability::RateLimitedLog* problems, const core::Error& error,
                             std::string_view request_id, std::string_view route, std::string_view upstream,
                             std::string_view function);
  std::shared_ptr<aws::LambdaClient> lambda_client(const Snapshot& snapshot, const UpstreamRuntime& upstream);
  std::string request_id_for(const http::Request& request);

  const SnapshotStore& snapshots_;
  http::HttpClient& http_client_;
  const core::Clock& clock_;
  core::Sleeper& sleeper_;
  observability::AccessLog& access_log_;
  const std::atomic<bool>& draining_;
  GatewayOptions options_;
  observability::MetricsShard* metrics_;
  observability::RateLimitedLog* problems_;
  std::string sink_line_;  // reused for fileSink lines
  core::RequestIdGenerator ids_;
  PolicyStage policy_stage_;  // this worker's: its verified-token cache is not shared

  // Lambda clients of this worker for the current snapshot; rebuilt when the snapshot changes.
  // Requests hold their client by shared_ptr, so a swap never pulls one from under them.
  std::uint64_t clients_version_ = 0;
  std::unordered_map<const UpstreamRuntime*, std::shared_ptr<aws::LambdaClient>> clients_;
};

}  // namespace lambdagate::proxy
