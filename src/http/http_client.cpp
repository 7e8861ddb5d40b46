// HttpClient's defaults: streaming delivers the whole response in one piece; a serialised
// request is read back and sent as a ClientRequest.
#include "lambdagate/http/client.hpp"

#include "lambdagate/http/wire_request.hpp"

namespace lambdagate::http {

core::Task<ClientResult> HttpClient::stream(const Endpoint& endpoint, ClientRequest request,
                                            core::Deadline deadline, ResponseSink& sink) {
  ClientResult result = co_await send(endpoint, std::move(request), deadline);
  if (auto* response = std::get_if<ClientResponse>(&result)) {
    std::string body = std::move(response->body);
    response->body.clear();
    co_await sink.on_head(*response);
    if (!body.empty()) co_await sink.on_body(body);
  }
  co_return result;
}

core::Task<ClientResult> HttpClient::send_wire(const Endpoint& endpoint, WireRequest request,
                                               core::Deadline deadline) {
  std::optional<ClientRequest> whole = from_wire(std::move(request));
  if (!whole) co_return ClientError{ClientErrorKind::Protocol, "cannot send request: malformed request head"};
  co_return co_await send(endpoint, std::move(*whole), deadline);
}

}  // namespace lambdagate::http
