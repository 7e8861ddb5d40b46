// A response's head written by hand for one gather write (see response_head.hpp).
#include "lambdagate/http/response_head.hpp"

#include <charconv>
#include <string_view>

namespace lambdagate::http {

namespace bhttp = boost::beast::http;

namespace {

// The last decimal digit of `n` as a character.
char digit(unsigned n) { return static_cast<char>('0' + n % 10); }

char* put(char* at, std::string_view text) {
  text.copy(at, text.size());
  return at + text.size();
}

}  // namespace

void write_response_head(const Response::header_type& response, std::string& out) {
  // The reason phrase set on the response, else the standard one for its code (as Beast does).
  std::string_view reason = response.reason();
  if (reason.empty()) {
    const auto standard = bhttp::obsolete_reason(response.result());
    reason = std::string_view(standard.data(), standard.size());
  }
  // Sized once, then filled: appending piece by piece grew the string five or six times for a
  // typical Lambda response (issue 14: a malloc, a copy and a free each).
  constexpr std::string_view kStatusLineStart = "HTTP/1.1 200 ";  // the length of any "HTTP/X.Y ### "
  std::size_t size = kStatusLineStart.size() + reason.size() + 2 + 2;
  for (const auto& field : response) size += field.name_string().size() + 2 + field.value().size() + 2;
  out.resize(size);
  char* at = out.data();
  // "HTTP/X.Y ### ", digit by digit as Beast writes it.
  const unsigned version = response.version();
  const unsigned code = response.result_int();
  at = put(at, "HTTP/");
  *at++ = digit(version / 10);
  *at++ = '.';
  *at++ = digit(version);
  *at++ = ' ';
  *at++ = digit(code / 100);
  *at++ = digit(code / 10);
  *at++ = digit(code);
  *at++ = ' ';
  at = put(at, reason);
  at = put(at, "\r\n");
  for (const auto& field : response) {
    const auto name = field.name_string();
    const auto value = field.value();
    at = put(at, std::string_view(name.data(), name.size()));
    at = put(at, ": ");
    at = put(at, std::string_view(value.data(), value.size()));
    at = put(at, "\r\n");
  }
  put(at, "\r\n");
}

namespace {

template <bool IsRequest, class Fields>
bool has_connection_field(const bhttp::header<IsRequest, Fields>& head) {
  for (const auto& field : head) {
    if (field.name() == bhttp::field::connection) return true;
  }
  return false;
}

// With no Connection field, HTTP/1.1 is persistent and HTTP/1.0 is not (RFC 9112 §9.3).
template <class Message>
bool keep_alive_of_message(const Message& message) {
  if (!has_connection_field(message.base())) return message.version() >= 11;
  return message.keep_alive();
}

}  // namespace

bool keep_alive_of(const Request& request) { return keep_alive_of_message(request); }
bool keep_alive_of(const Response& response) { return keep_alive_of_message(response); }

void set_keep_alive(Response& response, bool keep_alive) {
  // An HTTP/1.1 response without a Connection field is persistent already: Beast would only look.
  if (keep_alive && response.version() >= 11 && !has_connection_field(response.base())) return;
  response.keep_alive(keep_alive);
}

void prepare_payload_once(Response& response) {
  const std::size_t size = response.body().size();
  const unsigned code = response.result_int();
  const bool body_not_allowed = (code >= 100 && code < 200) || code == 204 || code == 304;
  if (!(body_not_allowed && size != 0)) {
    // The fields in order, compared by their code: a response has a handful, and a walk costs
    // less than the two case-insensitive tree searches of equal_range.
    const bhttp::fields::value_type* length = nullptr;
    std::size_t lengths = 0;
    for (const auto& field : response) {
      if (field.name() == bhttp::field::content_length) {
        length = &field;
        ++lengths;
      }
    }
    if (lengths == 1) {
      char digits[20];
      const auto end = std::to_chars(digits, digits + sizeof digits, size).ptr;
      const auto value = length->value();
      if (std::string_view(value.data(), value.size()) ==
          std::string_view(digits, static_cast<std::size_t>(end - digits))) {
        return;  // the one Content-Length there is says this body's size
      }
    }
  }
  response.prepare_payload();
}

}  // namespace lambdagate::http
