// A response's head written by hand for one gather write (see response_head.hpp).
#include "lambdagate/http/response_head.hpp"

namespace lambdagate::http {

namespace bhttp = boost::beast::http;

void write_response_head(const Response::header_type& response, std::string& out) {
  out.clear();
  // "HTTP/X.Y ### ", digit by digit as Beast writes it.
  const unsigned version = response.version();
  const unsigned code = response.result_int();
  const char start[] = {'H', 'T', 'T', 'P', '/',
                        static_cast<char>('0' + version / 10 % 10), '.', static_cast<char>('0' + version % 10), ' ',
                        static_cast<char>('0' + code / 100 % 10), static_cast<char>('0' + code / 10 % 10),
                        static_cast<char>('0' + code % 10), ' '};
  out.append(start, sizeof start);
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
