// Checks on a request's header before anything acts on it (see request_checks.hpp).
#include "lambdagate/http/request_checks.hpp"

#include <vector>

#include "lambdagate/core/ascii.hpp"

namespace lambdagate::http {

namespace bhttp = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<HeadRefusal> check_request_head(const Request& request, const HeaderPolicy& policy) {
  std::size_t transfer_encodings = 0;
  std::size_t hosts = 0;
  std::size_t fields = 0;
  std::string_view host;
  std::string_view transfer_encoding;
  bool underscore = false;
  for (const auto& field : request.base()) {
    ++fields;
    if (field.name() == bhttp::field::transfer_encoding) {
      ++transfer_encodings;
      transfer_encoding = field.value();
    } else if (field.name() == bhttp::field::host) {
      ++hosts;
      host = field.value();
    }
    if (field.name_string().find('_') != std::string_view::npos) underscore = true;
  }
  if (transfer_encodings > 1 ||
      (transfer_encodings == 1 && !core::iequals_ascii(trim(transfer_encoding), "chunked"))) {
    return HeadRefusal{core::ErrorKind::BadRequest,
                       "unsupported Transfer-Encoding: only a single 'chunked' is accepted"};
  }
  if (request.version() >= 11 && (hosts != 1 || trim(host).empty())) {
    return HeadRefusal{core::ErrorKind::BadRequest,
                       hosts > 1 ? "more than one Host header" : "an HTTP/1.1 request needs a Host header"};
  }
  if (hosts > 1) return HeadRefusal{core::ErrorKind::BadRequest, "more than one Host header"};
  if (fields > policy.max_headers_count) {
    return HeadRefusal{core::ErrorKind::HeadersTooLarge,
                       "too many request headers (limit " + std::to_string(policy.max_headers_count) + ")"};
  }
  if (underscore && policy.underscores == UnderscoreHeaders::Reject) {
    return HeadRefusal{core::ErrorKind::BadRequest, "header names with underscores are not accepted"};
  }
  return std::nullopt;
}

void drop_underscore_headers(Request& request) {
  std::vector<std::string> names;
  for (const auto& field : request.base()) {
    if (field.name_string().find('_') != std::string_view::npos) names.emplace_back(field.name_string());
  }
  for (const auto& name : names) request.erase(name);
}

}  // namespace lambdagate::http
