#pragma once
// How a session sets up the parser of one request (issue 12): Beast's body and header limits,
// and chunk extensions summed over the whole body against the header limit (Beast 1.81 counts
// them against nothing). Its own header so the HTTP request fuzz target
// (tests/fuzz/http_request_fuzz.cpp) drives exactly the parser the session reads with.
#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "lambdagate/http/request.hpp"

namespace lambdagate::http {

// Its fields come from the arena it is made with (request.hpp), or from the heap without one.
using RequestParser =
    boost::beast::http::request_parser<boost::beast::http::string_body, ArenaAllocator<char>>;

// The parser a session reads one request with, its fields from `arena` (which must outlive it
// and the request released from it).
inline RequestParser request_parser_over(RequestArena& arena) {
  return RequestParser(std::piecewise_construct, std::make_tuple(),
                       std::make_tuple(ArenaAllocator<char>(&arena)));
}

// The chunk-extension bytes one request may still carry; the parser calls it for every chunk
// header. Beast keeps a reference, not a copy: it must outlive the parser it is given to.
struct ChunkExtensionBudget {
  std::uint64_t limit = 0;
  std::uint64_t used = 0;

  void operator()(std::uint64_t /*chunk_size*/, boost::beast::string_view extensions,
                  boost::system::error_code& ec) {
    used += extensions.size();
    if (used > limit) ec = boost::beast::http::error::header_limit;
  }
};

// Limits `parser` as the session does: bodies to max_body_bytes (a declared Content-Length over
// it is refused with the header already), the request line and headers to max_header_bytes, and
// the chunk extensions of the whole body to max_header_bytes too, through `extensions`. Trailers
// are bounded by the read buffer (read_buffer_limit in server.hpp): Beast parses them whole.
inline void configure_request_parser(RequestParser& parser, std::size_t max_body_bytes,
                                     std::uint32_t max_header_bytes, ChunkExtensionBudget& extensions) {
  parser.body_limit(max_body_bytes);
  parser.header_limit(max_header_bytes);
  extensions = ChunkExtensionBudget{max_header_bytes, 0};
  parser.on_chunk_header(extensions);
}

// The fields of a request's header, by identity (Beast allocates each field on its own, so its
// address is stable): recorded before a chunked body is read, to tell the trailer's fields apart.
using HeaderFieldIds = std::vector<const void*>;

inline HeaderFieldIds header_field_ids(const Request& request) {
  HeaderFieldIds ids;
  for (const auto& field : request) ids.push_back(&field);
  return ids;
}

// Removes the fields a chunked body's trailer added to `request` (all but `header_fields`).
// Beast adds them to the header once the body is read, after check_request_head ran, and next to
// the header's fields of the same name: a trailer could add a second Host (routed on the first,
// the function sees the last), a header name with '_' past headersWithUnderscoresAction:
// REJECT_REQUEST, or more fields than maxHeadersCount. Envoy drops request trailers too (its
// HTTP/1 codec parses none unless told to). Returns how many fields were dropped.
inline std::size_t drop_trailer_fields(Request& request, const HeaderFieldIds& header_fields) {
  std::size_t dropped = 0;
  for (auto it = request.begin(); it != request.end();) {
    if (std::find(header_fields.begin(), header_fields.end(), &*it) == header_fields.end()) {
      it = request.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace lambdagate::http
