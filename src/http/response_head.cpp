// A response's head written by hand for one gather write (see response_head.hpp).
#include "lambdagate/http/response_head.hpp"

namespace lambdagate::http {

namespace bhttp = boost::beast::http;

namespace {

// The last decimal digit of `n` as a character.
char digit(unsigned n) { return static_cast<char>('0' + n % 10); }

}  // namespace

void write_response_head(const Response::header_type& response, std::string& out) {
  out.clear();
  // "HTTP/X.Y ### ", digit by digit as Beast writes it.
  const unsigned version = response.version();
  const unsigned code = response.result_int();
  out.append("HTTP/");
  out.push_back(digit(version / 10));
  out.push_back('.');
  out.push_back(digit(version));
  out.push_back(' ');
  out.push_back(digit(code / 100));
  out.push_back(digit(code / 10));
  out.push_back(digit(code));
  out.push_back(' ');
  // The reason phrase set on the response, else the standard one for its code (as Beast does).
  const std::string_view reason = response.reason();
  if (!reason.empty()) {
    out.append(reason);
  } else {
    const auto standard = bhttp::obsolete_reason(response.result());
    out.append(standard.data(), standard.size());
  }
  out.append("\r\n");
  for (const auto& field : response) {
    const auto name = field.name_string();
    const auto value = field.value();
    out.append(name.data(), name.size());
    out.append(": ");
    out.append(value.data(), value.size());
    out.append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace lambdagate::http
