// HttpClient's default streaming: the whole response, delivered in one piece.
#include "lambdagate/http/client.hpp"

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

}  // namespace lambdagate::http
