// StreamRelay: a function's response stream, relayed to the client (see stream_relay.hpp).
#include "lambdagate/proxy/stream_relay.hpp"

namespace lambdagate::proxy {

namespace bhttp = boost::beast::http;

StreamRelay::StreamRelay(http::ResponseWriter& writer, unsigned version, std::string_view request_id,
                         const config::RouteOptions& route_options, bool http_integration)
    : writer_(writer),
      version_(version),
      request_id_(request_id),
      route_options_(route_options),
      http_integration_(http_integration) {}

core::Task<bool> StreamRelay::on_payload(std::string_view bytes) {
  if (!http_integration_) {
    if (!writer_.started()) {
      http::Response head{bhttp::status::ok, version_};
      head.set(bhttp::field::content_type, "application/octet-stream");
      if (!co_await begin(head)) co_return false;
    }
    co_return co_await write(bytes);
  }
  body_.clear();
  const auto state = prelude_.feed(bytes, body_);
  if (state == HttpPreludeParser::State::Failed) {
    failure_ = prelude_.error();
    co_return false;
  }
  if (state == HttpPreludeParser::State::NeedMore) co_return true;
  if (!writer_.started()) {
    const MappedResponse& mapped = prelude_.head();
    http::Response head{static_cast<bhttp::status>(mapped.status), version_};
    for (const auto& [name, value] : mapped.headers) head.insert(name, value);
    if (head.find(bhttp::field::content_type) == head.end()) {
      head.set(bhttp::field::content_type, "application/octet-stream");
    }
    if (!co_await begin(head)) co_return false;
  }
  co_return co_await write(body_);
}

RelayState StreamRelay::state() const {
  RelayState state;
  state.started = writer_.started();
  state.client_gone = client_gone_;
  state.prelude_failure = failure_;
  state.prelude_pending = http_integration_ && prelude_.state() == HttpPreludeParser::State::NeedMore;
  return state;
}

core::Task<bool> StreamRelay::begin(http::Response& head) {
  // As for buffered responses: the route's header changes first, then the request id.
  manipulate_response_headers(head, route_options_);
  if (policy_) PolicyStage::decorate(head, *policy_);
  head.set("x-request-id", request_id_);
  status_ = head.result_int();
  const bool ok = co_await writer_.begin(head);
  client_gone_ = !ok;
  co_return ok;
}

core::Task<bool> StreamRelay::write(std::string_view data) {
  const bool ok = co_await writer_.write(data);
  if (ok) bytes_sent_ += data.size();
  client_gone_ = !ok;
  co_return ok;
}

}  // namespace lambdagate::proxy
