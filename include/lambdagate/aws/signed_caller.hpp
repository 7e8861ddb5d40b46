#pragma once
// SignedCaller: what every Lambda API client shares (Invoke, InvokeWithResponseStream,
// ListFunctions, ListAliases): the Upstream's endpoint and credentials, and turning a request
// into exactly the SigV4-signed bytes that go on the wire. Never an unsigned request: without
// credentials it answers an error and nothing is sent.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>


#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

class SignedCaller {
public:
  SignedCaller(http::HttpClient& http, http::Endpoint endpoint, std::string region,
               std::shared_ptr<const CredentialsSource> credentials, const core::Clock& clock);

  // The wire request for `signing` (its path relative to the endpoint's base path; `host` is
  // added) with `body`, signed with the current credentials. Right after start the first fetch
  // may still be in flight: then (and only then) this waits for it, within the deadline. `what`
  // names the call in messages. `signing` is consumed: its path and headers move into the wire
  // request. Arguments by reference: pass named objects (see gateway.cpp on GCC 12 and
  // temporaries in co_await).
  core::Task<std::variant<http::ClientRequest, core::Error>> sign(SigningRequest& signing,
                                                                  const std::string& body,
                                                                  std::string_view what,
                                                                  core::Deadline deadline);

  // sign() in two steps, for a caller that names the call only when there is a wait: sign_now
  // signs with the credentials at hand, or answers nullopt (and leaves `signing` untouched) when
  // there are none yet; then wait_and_sign waits for the first fetch as sign() does.
  std::optional<http::ClientRequest> sign_now(SigningRequest& signing, const std::string& body);
  core::Task<std::variant<http::ClientRequest, core::Error>> wait_and_sign(
      SigningRequest& signing, const std::string& body, std::string_view what, core::Deadline deadline);

  http::HttpClient& http() const { return http_; }
  const http::Endpoint& endpoint() const { return endpoint_; }

private:
  http::ClientRequest signed_request(SigningRequest& signing, const std::string& body,
                                     const Credentials& credentials, core::SystemTime now);

  http::HttpClient& http_;
  http::Endpoint endpoint_;
  std::string region_;
  std::shared_ptr<const CredentialsSource> credentials_;
  const core::Clock& clock_;
  std::string host_;  // the signed Host value, endpoint_.host_header()
  SigV4Signer signer_;
};

// A transport failure as the client-facing error, `what` naming the call. The transport's own
// message may name addresses and system errors, so only its kind is kept.
core::Error transport_error(const http::ClientError& failure, std::string_view what);

}  // namespace lambdagate::aws
