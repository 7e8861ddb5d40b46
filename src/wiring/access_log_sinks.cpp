// Gateway fileSinks -> compiled access-log formats (see access_log_sinks.hpp).
#include "lambdagate/wiring/access_log_sinks.hpp"

#include <nlohmann/json.hpp>

namespace lambdagate::wiring {

namespace {

using observability::AccessLogFormat;

std::string where(const config::SourceLocation& at) { return at.file + ":" + std::to_string(at.line) + ": "; }

std::string json_text(const std::string& text) { return nlohmann::json(text).dump(); }

std::optional<std::vector<AccessLogFormat::JsonMember>> compile_members(
    const std::vector<config::AccessLogJsonMember>& members, std::vector<std::string>& errors);

std::optional<AccessLogFormat::JsonValue> compile_value(const config::AccessLogJsonValue& value,
                                                        std::vector<std::string>& errors) {
  using In = config::AccessLogJsonValue::Kind;
  using Out = AccessLogFormat::JsonValue::Kind;
  AccessLogFormat::JsonValue out;
  switch (value.kind) {
    case In::Null:
      out.literal = "null";
      return out;
    case In::Bool:
    case In::Number:
      out.literal = value.text;
      return out;
    case In::Object: {
      auto members = compile_members(value.members, errors);
      if (!members) return std::nullopt;
      out.kind = Out::Object;
      out.members = std::move(*members);
      return out;
    }
    case In::String:
      break;
  }
  std::string error;
  auto pieces = observability::compile_pieces(value.text, error);
  if (!pieces) {
    errors.push_back(where(value.where) + "access log jsonFormat: " + error);
    return std::nullopt;
  }
  out.kind = Out::Text;
  out.pieces = std::move(*pieces);
  return out;
}

std::optional<std::vector<AccessLogFormat::JsonMember>> compile_members(
    const std::vector<config::AccessLogJsonMember>& members, std::vector<std::string>& errors) {
  std::vector<AccessLogFormat::JsonMember> out;
  bool ok = true;
  for (const auto& member : members) {
    auto value = compile_value(member.value, errors);
    if (!value) {
      ok = false;
      continue;
    }
    out.push_back({json_text(member.key), std::make_shared<const AccessLogFormat::JsonValue>(std::move(*value))});
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<AccessLogFormat> compile_sink(const config::AccessLogFileSink& sink, std::vector<std::string>& errors) {
  using Format = config::AccessLogFileSink::Format;
  switch (sink.format) {
    case Format::Default:
      return AccessLogFormat::envoy_default();
    case Format::Text: {
      std::string error;
      auto pieces = observability::compile_pieces(sink.string_format, error);
      if (!pieces) {
        errors.push_back(where(sink.format_where) + "access log stringFormat: " + error);
        return std::nullopt;
      }
      return AccessLogFormat::text(std::move(*pieces));
    }
    case Format::Json: {
      auto members = compile_members(sink.json_format, errors);
      if (!members) return std::nullopt;
      return AccessLogFormat::json(std::move(*members));
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<proxy::GatewayAccessLogs> compile_access_logs(const config::Config& config,
                                                          std::vector<std::string>& errors) {
  std::vector<proxy::GatewayAccessLogs> out;
  for (const auto& gateway : config.gateways) {
    if (gateway.ssl) continue;  // no HTTPS listener serves requests yet
    proxy::GatewayAccessLogs logs;
    logs.bind_port = gateway.bind_port;
    for (const auto& sink : gateway.access_logs) {
      if (auto format = compile_sink(sink, errors)) logs.sinks.push_back({sink.path, std::move(*format)});
    }
    out.push_back(std::move(logs));
  }
  return out;
}

}  // namespace lambdagate::wiring
