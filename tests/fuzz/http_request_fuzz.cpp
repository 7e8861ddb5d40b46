// libFuzzer target for the HTTP/1.1 request parser as a session sets it up: Beast's parser with
// configure_request_parser (body and header limits, chunk extensions counted against the header
// limit), a read buffer bounded by read_buffer_limit, then check_request_head (Host,
// Transfer-Encoding, header count, underscores). The bytes of a connection, from anyone.
//
// Input: [flags][bytes]. flags bit 0 selects small limits (256-byte headers, 64-byte bodies) so
// the limits are reachable with short inputs; bits 1-3 the most bytes one read returns (1 to 8,
// or all when 0), as a slow client would send them; bit 4 rejects header names with '_'.
// Requests are read one after another, as pipelined on one connection, until a refusal.
//
// Checked, beyond "no crash, no sanitizer report":
// - an accepted HTTP/1.1 request has exactly one non-empty Host;
// - an accepted request has no Transfer-Encoding but a single "chunked", and never both
//   Transfer-Encoding and Content-Length; a declared length is the body's length;
// - a body never exceeds the body limit; chunk extensions never exceed the header limit;
// - the header is within the header limit, the trailer within the read buffer, and the read
//   buffer never grows past read_buffer_limit;
// - what a trailer adds is dropped as the session drops it (drop_trailer_fields), so the checks
//   on the header hold for the request the handler gets (a trailer once added a second Host);
// - at most max_headers_count header fields are accepted.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/http/request_checks.hpp"
#include "lambdagate/http/request_parser_setup.hpp"
#include "lambdagate/http/server.hpp"

namespace http = lambdagate::http;
namespace bhttp = boost::beast::http;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// A SyncReadStream over the fuzz input: at most `piece` bytes per read, then end of stream.
class BytesStream {
 public:
  BytesStream(std::string_view bytes, std::size_t piece) : bytes_(bytes), piece_(piece) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    if (bytes_.empty()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t want = std::min(bytes_.size(), piece_ == 0 ? bytes_.size() : piece_);
    const std::size_t n = boost::asio::buffer_copy(buffers, boost::asio::buffer(bytes_.data(), want));
    bytes_.remove_prefix(n);
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    return read_some(buffers, ec);
  }

 private:
  std::string_view bytes_;
  std::size_t piece_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t field_bytes(const http::Request& request) {
  std::size_t total = 0;
  for (const auto& field : request) total += field.name_string().size() + field.value().size() + 4;
  return total;
}

std::size_t count(const http::Request& request, bhttp::field name) {
  const auto range = request.equal_range(name);
  return static_cast<std::size_t>(std::distance(range.first, range.second));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::ServerLimits limits;
  if (data[0] & 0x01u) {
    limits.max_header_bytes = 256;
    limits.max_body_bytes = 64;
  }
  limits.headers.max_headers_count = (data[0] & 0x01u) ? 8 : 100;
  if (data[0] & 0x10u) limits.headers.underscores = http::UnderscoreHeaders::Reject;
  const std::size_t piece = (data[0] >> 1) & 0x07u;
  BytesStream stream(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), piece);

  boost::beast::flat_buffer buffer;
  buffer.max_size(http::read_buffer_limit(limits));
  for (;;) {
    http::RequestArena arena;
    http::RequestParser parser = http::request_parser_over(arena);
    http::ChunkExtensionBudget extensions;
    http::configure_request_parser(parser, limits.max_body_bytes, limits.max_header_bytes, extensions);
    boost::system::error_code ec;
    bhttp::read_header(stream, buffer, parser, ec);
    check(buffer.size() <= http::read_buffer_limit(limits));
    if (ec) return 0;
    const http::Request& head = parser.get();
    const std::size_t header_bytes = field_bytes(head);
    check(header_bytes + head.target().size() <= limits.max_header_bytes);
    const std::size_t header_count = static_cast<std::size_t>(std::distance(head.begin(), head.end()));
    if (http::check_request_head(head, limits.headers)) return 0;

    if (!parser.is_done()) {
      const http::HeaderFieldIds header_fields =
          parser.chunked() ? http::header_field_ids(head) : http::HeaderFieldIds{};
      bhttp::read(stream, buffer, parser, ec);
      check(buffer.size() <= http::read_buffer_limit(limits));
      check(extensions.used <= extensions.limit || ec);
      if (ec) return 0;
      // The trailer's fields joined the header's; all of them had to fit the read buffer at once.
      check(field_bytes(parser.get()) <= header_bytes + http::read_buffer_limit(limits));
      if (parser.chunked()) http::drop_trailer_fields(parser.get(), header_fields);
      check(static_cast<std::size_t>(std::distance(head.begin(), head.end())) == header_count);
    }
    const http::Request& request = parser.get();
    if (request.version() >= 11) {
      check(count(request, bhttp::field::host) == 1);
      check(!trim(request[bhttp::field::host]).empty());
    }
    const std::size_t te = count(head, bhttp::field::transfer_encoding);
    check(te <= 1);
    if (te == 1) {
      check(lambdagate::core::iequals_ascii(trim(head[bhttp::field::transfer_encoding]), "chunked"));
      check(count(head, bhttp::field::content_length) == 0);
      check(parser.chunked());
    }
    if (const auto declared = parser.content_length()) check(*declared == request.body().size());
    check(request.body().size() <= limits.max_body_bytes);
    check(extensions.used <= limits.max_header_bytes);
    check(static_cast<std::size_t>(std::distance(head.begin(), head.end())) <=
          limits.headers.max_headers_count);
    if (limits.headers.underscores == http::UnderscoreHeaders::Reject) {
      for (const auto& field : head) check(field.name_string().find('_') == std::string_view::npos);
    }
    if (!parser.keep_alive()) return 0;
  }
}
