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

  // Invoke's hot path, on the wire form (http::WireRequest). sign_wire_now signs as sign_now
  // does and serialises the result (to_wire: the error it finds, if any), and keeps its head.
  // repeat makes the request sign_wire_now made last again with `body` as its payload: only the
  // payload's hash, the signature and Content-Length are new. It answers nullopt when anything
  // was signed since, or when the signer cannot repeat (another second, other credentials: see
  // SigV4Signer::sign_repeat); the caller then signs in full. The caller vouches that its request
  // is the last one but for its payload (AwsLambdaClient compares its Invoke's fields).
  std::optional<std::variant<http::WireRequest, http::ClientError>> sign_wire_now(SigningRequest& signing,
                                                                                 const std::string& body);
  std::optional<http::WireRequest> repeat(const std::string& body);

  http::HttpClient& http() const { return http_; }
  const http::Endpoint& endpoint() const { return endpoint_; }

private:
  // The Upstream's credentials at `now`; null when there are none yet.
  std::shared_ptr<const Credentials> credentials_at(core::SystemTime now) const;
  http::ClientRequest signed_request(SigningRequest& signing, const std::string& body,
                                     const Credentials& credentials, core::SystemTime now);

  http::HttpClient& http_;
  http::Endpoint endpoint_;
  std::string region_;
  std::shared_ptr<const CredentialsSource> credentials_;
  const core::Clock& clock_;
  std::string host_;  // the signed Host value, endpoint_.host_header()
  SigV4Signer signer_;
  // The head sign_wire_now made last, up to the 64 hex digits of its signature (what follows
  // them is "\r\nContent-Length: N\r\n\r\n"). Empty once the signer has signed anything else:
  // whenever it is not, the signer's last request is the one it is the head of.
  std::string repeat_head_;
};

// A transport failure as the client-facing error, `what` naming the call. The transport's own
// message may name addresses and system errors, so only its kind is kept.
core::Error transport_error(const http::ClientError& failure, std::string_view what);

}  // namespace lambdagate::aws
