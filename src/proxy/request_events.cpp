// Request events: the client's request as the JSON a function expects (payload_mapping.hpp has
// the field-by-field decisions).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/base64.hpp"
#include "lambdagate/core/percent_decoding.hpp"
#include "lambdagate/proxy/payload_mapping.hpp"

namespace lambdagate::proxy {

namespace {

using Json = nlohmann::json;                 // sorted keys, as Gloo writes its event
using OrderedJson = nlohmann::ordered_json;  // AWS's documented field order, easier to read


std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t extra = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= extra) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t i = 2; i <= extra; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += extra + 1;
  }
  return true;
}

using core::percent_decode;  // %XX only; '+' stays '+'

struct Target {
  std::string_view path;
  std::string_view query;  // without '?'
};

Target split_target(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

// Values grouped by a key in order of first appearance; `key` keeps the first spelling seen.
struct Group {
  std::string key;
  std::vector<std::string> values;
};

class Grouper {
 public:
  // `fold_case`: names that differ only in ASCII case are one group (header names).
  explicit Grouper(bool fold_case) : fold_case_(fold_case) {}

  void add(std::string_view key, std::string value) {
    std::string index_key = fold_case_ ? core::to_lower_ascii(key) : std::string(key);
    auto [it, inserted] = index_.try_emplace(std::move(index_key), groups_.size());
    if (inserted) groups_.push_back({std::string(key), {}});
    groups_[it->second].values.push_back(std::move(value));
  }

  const std::vector<Group>& groups() const { return groups_; }
  bool empty() const { return groups_.empty(); }

 private:
  bool fold_case_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<Group> groups_;
};

Grouper parse_query(std::string_view query) {
  Grouper params(false);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto equals = piece.find('=');
    std::string name = percent_decode(piece.substr(0, equals));
    if (name.empty()) continue;
    std::string value =
        equals == std::string_view::npos ? std::string() : percent_decode(piece.substr(equals + 1));
    params.add(name, std::move(value));
  }
  return params;
}

std::string join(const std::vector<std::string>& values, char separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(separator);
    out += values[i];
  }
  return out;
}

std::optional<std::string_view> find_header(const IncomingRequest& request, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [key, value] : request.headers) {
    if (core::iequals_ascii(key, name)) found = value;  // last one, as `headers` reports it
  }
  return found;
}

// The context's domain, else the Host without its port: "example.com:8080" → "example.com",
// "[::1]:8080" → "[::1]".
std::string domain_name(const IncomingRequest& request, const EventContext& context) {
  if (!context.domain_name.empty()) return std::string(context.domain_name);
  std::string_view host;
  for (const auto& [key, value] : request.headers) {
    if (core::iequals_ascii(key, "host")) {
      host = trim(value);
      break;
    }
  }
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return std::string(close == std::string_view::npos ? host : host.substr(0, close + 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

// The first label ("api" of "api.example.com"); an IP literal has no labels, so the whole name.
std::string domain_prefix(std::string_view domain) {
  const bool ipv4 = !domain.empty() && domain.find_first_not_of("0123456789.") == std::string_view::npos;
  if (ipv4 || (!domain.empty() && domain.front() == '[')) return std::string(domain);
  return std::string(domain.substr(0, domain.find('.')));
}

// "25/Nov/2026:12:00:00 +0000", the CLF-style time API Gateway writes.
std::string request_time(core::SystemTime time) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{std::chrono::floor<std::chrono::seconds>(time - day)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02u/%s/%04d:%02d:%02d:%02d +0000", static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buf;
}

std::int64_t epoch_millis(core::SystemTime time) {
  return std::chrono::floor<std::chrono::milliseconds>(time).time_since_epoch().count();
}

std::string_view content_type_of(const IncomingRequest& request) {
  return find_header(request, "content-type").value_or(std::string_view{});
}

// The body as an event carries it: the text itself, or base64.
struct EventBody {
  std::string text;
  bool base64 = false;
};

EventBody event_body(const IncomingRequest& request) {
  if (is_text_body(content_type_of(request), request.body)) return {std::string(request.body), false};
  return {core::base64::encode(request.body), true};
}

std::string dump(const OrderedJson& event) {
  return event.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

std::string_view or_default(std::string_view value, std::string_view fallback) {
  return value.empty() ? fallback : value;
}

}  // namespace

bool is_text_body(std::string_view content_type, std::string_view body) {
  if (body.empty()) return true;
  if (!is_valid_utf8(body)) return false;
  const std::string media = core::to_lower_ascii(trim(content_type.substr(0, content_type.find(';'))));
  if (media.empty()) return true;
  const auto slash = media.find('/');
  if (slash == std::string::npos) return false;
  const std::string_view type = std::string_view(media).substr(0, slash);
  const std::string_view subtype = std::string_view(media).substr(slash + 1);
  if (type == "text") return true;
  if (subtype.ends_with("+json") || subtype.ends_with("+xml")) return true;
  return media == "application/json" || media == "application/xml" || media == "application/javascript" ||
         media == "application/x-www-form-urlencoded";
}

std::string gloo_request_event(const IncomingRequest& request) {
  const Target target = split_target(request.target);
  Json event = Json::object();

  if (!request.body.empty()) {
    if (is_valid_utf8(request.body)) {
      event["body"] = std::string(request.body);
    } else {
      event["body"] = core::base64::encode(request.body);
      event["isBase64Encoded"] = true;
    }
  }

  Grouper headers(true);
  for (const auto& [name, value] : request.headers) headers.add(core::to_lower_ascii(name), std::string(value));
  Json single = Json::object();
  Json multi = Json::object();
  for (const auto& group : headers.groups()) {
    single[group.key] = group.values.back();
    if (group.values.size() > 1) multi[group.key] = group.values;
  }
  event["headers"] = std::move(single);
  event["multiValueHeaders"] = std::move(multi);

  event["queryString"] = std::string(target.query);
  event["httpMethod"] = std::string(request.method);
  event["path"] = std::string(target.path);

  Json params = Json::object();
  Json multi_params = Json::object();
  const Grouper query = parse_query(target.query);
  for (const auto& group : query.groups()) {
    params[group.key] = group.values.back();
    if (group.values.size() > 1) multi_params[group.key] = group.values;
  }
  event["queryStringParameters"] = std::move(params);
  event["multiValueQueryStringParameters"] = std::move(multi_params);
  return event.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string api_gateway_v1_event(const IncomingRequest& request, const EventContext& context) {
  const Target target = split_target(request.target);
  const std::string resource(or_default(context.resource_path, "/{proxy+}"));
  OrderedJson event = OrderedJson::object();
  event["version"] = "1.0";
  event["resource"] = resource;
  event["path"] = std::string(target.path);
  event["httpMethod"] = std::string(request.method);

  Grouper headers(true);
  for (const auto& [name, value] : request.headers) headers.add(name, std::string(value));
  OrderedJson single = OrderedJson::object();
  OrderedJson multi = OrderedJson::object();
  for (const auto& group : headers.groups()) {
    single[group.key] = group.values.back();
    multi[group.key] = group.values;
  }
  event["headers"] = std::move(single);
  event["multiValueHeaders"] = std::move(multi);

  const Grouper query = parse_query(target.query);
  if (query.empty()) {
    event["queryStringParameters"] = nullptr;
    event["multiValueQueryStringParameters"] = nullptr;
  } else {
    OrderedJson params = OrderedJson::object();
    OrderedJson multi_params = OrderedJson::object();
    for (const auto& group : query.groups()) {
      params[group.key] = group.values.back();
      multi_params[group.key] = group.values;
    }
    event["queryStringParameters"] = std::move(params);
    event["multiValueQueryStringParameters"] = std::move(multi_params);
  }
  event["pathParameters"] = nullptr;
  event["stageVariables"] = nullptr;

  const std::string domain = domain_name(request, context);
  const auto user_agent = find_header(request, "user-agent");
  OrderedJson identity = OrderedJson::object();
  for (const char* key : {"accessKey", "accountId", "apiKey", "apiKeyId", "caller", "clientCert",
                          "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId",
                          "cognitoIdentityPoolId", "principalOrgId"}) {
    identity[key] = nullptr;
  }
  identity["sourceIp"] = std::string(request.source_ip);
  identity["user"] = nullptr;
  identity["userAgent"] = user_agent ? OrderedJson(std::string(*user_agent)) : OrderedJson(nullptr);
  identity["userArn"] = nullptr;

  OrderedJson request_context = OrderedJson::object();
  request_context["accountId"] = std::string(or_default(context.account_id, kAnonymousAccountId));
  request_context["apiId"] = std::string(context.api_id);
  request_context["domainName"] = domain;
  request_context["domainPrefix"] = domain_prefix(domain);
  if (!context.authorizer.empty()) request_context["authorizer"] = OrderedJson::parse(context.authorizer);
  request_context["extendedRequestId"] = std::string(request.request_id);
  request_context["httpMethod"] = std::string(request.method);
  request_context["identity"] = std::move(identity);
  request_context["path"] = std::string(target.path);
  request_context["protocol"] = std::string(request.protocol);
  request_context["requestId"] = std::string(request.request_id);
  request_context["requestTime"] = request_time(request.time);
  request_context["requestTimeEpoch"] = epoch_millis(request.time);
  request_context["resourcePath"] = resource;
  request_context["stage"] = std::string(context.stage);
  event["requestContext"] = std::move(request_context);

  if (request.body.empty()) {
    event["body"] = nullptr;
    event["isBase64Encoded"] = false;
  } else {
    EventBody body = event_body(request);
    event["body"] = std::move(body.text);
    event["isBase64Encoded"] = body.base64;
  }
  return dump(event);
}

std::string api_gateway_v2_event(const IncomingRequest& request, const EventContext& context) {
  const Target target = split_target(request.target);
  const std::string route_key =
      context.resource_path.empty() ? std::string("$default") : "ANY " + std::string(context.resource_path);
  OrderedJson event = OrderedJson::object();
  event["version"] = "2.0";
  event["routeKey"] = route_key;
  event["rawPath"] = std::string(target.path);
  event["rawQueryString"] = std::string(target.query);

  std::vector<std::string> cookies;
  Grouper headers(true);
  for (const auto& [name, value] : request.headers) {
    if (core::iequals_ascii(name, "cookie")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        const std::string_view cookie = trim(rest.substr(0, semicolon));
        if (!cookie.empty()) cookies.emplace_back(cookie);
        rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      }
      continue;
    }
    headers.add(core::to_lower_ascii(name), std::string(value));
  }
  if (!cookies.empty()) event["cookies"] = cookies;
  OrderedJson joined_headers = OrderedJson::object();
  for (const auto& group : headers.groups()) joined_headers[group.key] = join(group.values, ',');
  event["headers"] = std::move(joined_headers);

  const Grouper query = parse_query(target.query);
  if (!query.empty()) {
    OrderedJson params = OrderedJson::object();
    for (const auto& group : query.groups()) params[group.key] = join(group.values, ',');
    event["queryStringParameters"] = std::move(params);
  }

  const std::string domain = domain_name(request, context);
  OrderedJson http = OrderedJson::object();
  http["method"] = std::string(request.method);
  http["path"] = std::string(target.path);
  http["protocol"] = std::string(request.protocol);
  http["sourceIp"] = std::string(request.source_ip);
  http["userAgent"] = std::string(find_header(request, "user-agent").value_or(std::string_view{}));

  OrderedJson request_context = OrderedJson::object();
  request_context["accountId"] = std::string(or_default(context.account_id, kAnonymousAccountId));
  request_context["apiId"] = std::string(context.api_id);
  if (!context.authorizer.empty()) request_context["authorizer"] = OrderedJson::parse(context.authorizer);
  request_context["domainName"] = domain;
  request_context["domainPrefix"] = domain_prefix(domain);
  request_context["http"] = std::move(http);
  request_context["requestId"] = std::string(request.request_id);
  request_context["routeKey"] = route_key;
  request_context["stage"] = std::string(context.stage);
  request_context["time"] = request_time(request.time);
  request_context["timeEpoch"] = epoch_millis(request.time);
  event["requestContext"] = std::move(request_context);

  if (request.body.empty()) {
    event["isBase64Encoded"] = false;
  } else {
    EventBody body = event_body(request);
    event["body"] = std::move(body.text);
    event["isBase64Encoded"] = body.base64;
  }
  return dump(event);
}

}  // namespace lambdagate::proxy
