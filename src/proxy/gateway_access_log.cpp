// Formatting a request for its Gateway's fileSinks (see gateway_access_log.hpp).
#include "lambdagate/proxy/gateway_access_log.hpp"

namespace lambdagate::proxy {

namespace {

// %REQ(X)% / %RESP(X)% over a Beast header block; Beast's find is case-insensitive.
template <class Fields>
class FieldsLookup final : public observability::HeaderLookup {
 public:
  explicit FieldsLookup(const Fields& fields) : fields_(fields) {}
  std::optional<std::string_view> find(std::string_view name) const override {
    auto it = fields_.find(boost::beast::string_view(name.data(), name.size()));
    if (it == fields_.end()) return std::nullopt;
    return std::string_view(it->value().data(), it->value().size());
  }

 private:
  const Fields& fields_;
};

std::string_view protocol(unsigned version) {
  switch (version) {
    case 10:
      return "HTTP/1.0";
    case 11:
      return "HTTP/1.1";
    default:
      return "HTTP/1.1";
  }
}

}  // namespace

void write_access_log_sinks(const std::vector<AccessLogSink>& sinks, const observability::AccessLogEntry& entry,
                            const http::Request& request, const http::Response& response,
                            const http::ConnectionInfo& connection, const http::Endpoint* upstream_endpoint,
                            observability::AccessLog& out, std::string& line) {
  const FieldsLookup request_headers(request.base());
  const FieldsLookup response_headers(response.base());
  const std::string upstream_host = upstream_endpoint ? upstream_endpoint->host + ":" +
                                                            std::to_string(upstream_endpoint->port)
                                                      : std::string();
  observability::AccessLogFacts facts;
  facts.start_time = entry.time - std::chrono::duration_cast<core::SystemTime::duration>(entry.duration);
  facts.method = entry.method;
  facts.path = entry.path;
  if (auto host = request.find(boost::beast::http::field::host); host != request.end())
    facts.authority = std::string_view(host->value().data(), host->value().size());
  facts.protocol = protocol(request.version());
  facts.response_code = entry.status;
  facts.error_code = entry.error_code;
  facts.bytes_received = entry.bytes_received;
  facts.bytes_sent = entry.bytes_sent;
  facts.duration = entry.duration;
  facts.upstream_host = upstream_host;
  facts.remote_address = connection.remote_address;
  facts.remote_port = connection.remote_port;
  facts.request_id = entry.request_id;
  facts.route = entry.route;
  facts.upstream = entry.upstream;
  facts.function = entry.function;
  facts.attempts = entry.attempts;
  facts.request_headers = &request_headers;
  facts.response_headers = &response_headers;
  for (const auto& sink : sinks) {
    sink.format.format(facts, line);
    out.write_line(sink.path, line);
  }
}

}  // namespace lambdagate::proxy
