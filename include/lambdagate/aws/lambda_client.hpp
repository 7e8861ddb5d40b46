#pragma once
// LambdaClient: one Invoke call, signed afresh, within a deadline. The request pipeline depends
// on this interface only; AwsLambdaClient is the real one over an http::HttpClient.
#include <memory>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
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

class LambdaClient {
public:
  virtual ~LambdaClient() = default;
  virtual boost::asio::awaitable<InvokeResult> invoke(const InvokeRequest& request,
                                                      core::Deadline deadline) = 0;
};

// Invoke over HTTP(S) with SigV4. One per (worker, Upstream): it owns a signer for the
// Upstream's region, shares the worker's HttpClient and reads the Upstream's credentials.
class AwsLambdaClient final : public LambdaClient {
public:
  AwsLambdaClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                  std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock);
  boost::asio::awaitable<InvokeResult> invoke(const InvokeRequest& request, core::Deadline deadline) override;

private:
  http::HttpClient& http_;
  http::Endpoint endpoint_;
  std::string region_;
  std::shared_ptr<const CredentialsSource> credentials_;
  const core::Clock& clock_;
  SigV4Signer signer_;
};

}  // namespace lambdagate::aws
