#pragma once
// LambdaClient: one Invoke call, signed afresh, within a deadline. The request pipeline depends
// on this interface only; AwsLambdaClient is the real one over an http::HttpClient.
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/signed_caller.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

enum class InvocationType { RequestResponse, Event };

struct InvokeRequest {
  std::string function_name;  // already resolved (resolve_function_name)
  std::string qualifier;      // empty = none
  InvocationType invocation_type = InvocationType::RequestResponse;
  std::string payload;
  HeaderList extra_headers;   // e.g. x-envoy-original-path; signed with the rest
};

struct InvokeResponse {
  unsigned status = 200;            // Lambda's status: 200 sync, 202 async
  std::string payload;              // the function's output
  std::string function_error;       // X-Amz-Function-Error value, empty when none
  std::string executed_version;     // X-Amz-Executed-Version
};

using InvokeResult = std::variant<InvokeResponse, core::Error>;

// Receives a streamed function output (InvokeWithResponseStream) as it arrives.
class InvokeStreamHandler {
public:
  virtual ~InvokeStreamHandler() = default;
  // The bytes of each PayloadChunk, in order. Returning false stops the stream.
  virtual core::Task<bool> on_payload(std::string_view bytes) = 0;
};

// How a stream Lambda accepted (HTTP 200) ended.
struct StreamEnd {
  bool complete = false;       // InvokeComplete arrived and carried no error
  bool function_failed = false;  // InvokeComplete carried the function's ErrorCode
  std::string error_code;      // InvokeComplete.ErrorCode, or why the stream broke off (a Lambda
                               // exception event's type, StreamInterrupted, InvalidEventStream, Timeout)
  std::string error_details;   // InvokeComplete.ErrorDetails: the function's own text, never forwarded
  std::string executed_version;
  bool stopped = false;        // the handler stopped reading
};

// core::Error: Lambda refused the call before any stream began (retryable like Invoke's errors).
using InvokeStreamResult = std::variant<StreamEnd, core::Error>;

class LambdaClient {
public:
  virtual ~LambdaClient() = default;
  virtual core::Task<InvokeResult> invoke(const InvokeRequest& request,
                                          core::Deadline deadline) = 0;
  // InvokeWithResponseStream: each PayloadChunk goes to `handler` as soon as it is decoded.
  virtual core::Task<InvokeStreamResult> invoke_stream(const InvokeRequest& request,
                                                       core::Deadline deadline,
                                                       InvokeStreamHandler& handler) = 0;
};

// Invoke over HTTP(S) with SigV4. One per (worker, Upstream): it owns a signer for the
// Upstream's region, shares the worker's HttpClient and reads the Upstream's credentials.
class AwsLambdaClient final : public LambdaClient {
public:
  AwsLambdaClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                  std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock);
  core::Task<InvokeResult> invoke(const InvokeRequest& request, core::Deadline deadline) override;
  core::Task<InvokeStreamResult> invoke_stream(const InvokeRequest& request, core::Deadline deadline,
                                               InvokeStreamHandler& handler) override;

  // What SigV4 signs for `path` (Invoke or InvokeWithResponseStream): Lambda's headers and the
  // request's extra ones.
  static SigningRequest signing_request(const InvokeRequest& request, std::string path);
  // The Invoke `request` signed with the credentials at hand, as it goes on the wire (or why it
  // cannot go: to_wire's error); nullopt only before the first credentials have arrived (right
  // after start). A request equal to the one signed in full before it in all but its payload, the
  // usual case for one function under load, is made from that one's head (SignedCaller::repeat).
  // Not a coroutine: a call that never waits costs no coroutine frame. Public so that
  // bench/sigv4.cpp measures exactly the construction invoke() pays for.
  std::optional<std::variant<http::WireRequest, http::ClientError>> wire_now(const InvokeRequest& request);

 private:
  // The wait right after start: `signing` signed once the first credentials are there, or why
  // there are none within the deadline.
  core::Task<std::variant<http::ClientRequest, core::Error>> wait_and_sign(
      SigningRequest& signing, const InvokeRequest& request, core::Deadline deadline);
  // invoke() when wire_now had no credentials yet: the wait, then the call.
  core::Task<InvokeResult> invoke_after_wait(const InvokeRequest& request, core::Deadline deadline);
  // Lambda's answer (or the transport's failure) to an Invoke of `function_name`.
  static InvokeResult invoke_result(http::ClientResult result, const std::string& function_name);

  SignedCaller caller_;
  // The fields, all but the payload, of the Invoke wire_now last signed in full: the request whose
  // head caller_ may keep for repeat().
  bool repeatable_ = false;
  std::string repeat_function_;
  std::string repeat_qualifier_;
  InvocationType repeat_type_ = InvocationType::RequestResponse;
  HeaderList repeat_extra_headers_;
};

}  // namespace lambdagate::aws
