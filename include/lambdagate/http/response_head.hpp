#pragma once
// The head of a response (status line, fields, the blank line) as bytes, written by hand into a
// buffer the caller reuses, so that a whole response goes out as one gather write of head + body.
//
// Why not Beast's serializer: for a whole response it is a stack of buffer-sequence views
// (buffers_cat_view, buffers_prefix_view, buffers_suffix and the fields writer's variants), and
// it was ≈ 8% of the gateway's CPU profile for what is a few appends (issue 14). The bytes are the
// ones Beast writes: "HTTP/1.x <code> <reason>\r\n", then every field as it is stored, in order,
// then "\r\n". Framing fields (Content-Length, Transfer-Encoding, Connection) are the caller's to
// set first, as they are for Beast (prepare_payload, keep_alive, chunked).
#include <array>
#include <boost/asio/buffer.hpp>
#include <string>
#include <string_view>

#include "lambdagate/http/server.hpp"

namespace lambdagate::http {

// Replaces `out` with the head of `response`; `out` keeps its capacity.
void write_response_head(const Response::header_type& response, std::string& out);

// Response::prepare_payload, skipped when it would change nothing: the response mapping sets the
// Content-Length of the body already, and Beast sets even the same value as a new field (an
// allocation and two tree updates per response). Throws as prepare_payload does for a body on a
// status that allows none.
void prepare_payload_once(Response& response);

// message::keep_alive(), read and set, without the Connection field's tree search when the
// message has no Connection field (the common case): a walk over a handful of fields by their
// code costs less. With one, Beast's own keep_alive decides and writes, as before.
bool keep_alive_of(const Request& request);
bool keep_alive_of(const Response& response);
void set_keep_alive(Response& response, bool keep_alive);

// The head and the body of a whole response, for one gather write. `head_only` (a HEAD request):
// the head alone, with the Content-Length the body would have had.
inline std::array<boost::asio::const_buffer, 2> response_buffers(const std::string& head,
                                                                 const Response& response, bool head_only) {
  const std::string_view body = head_only ? std::string_view{} : std::string_view{response.body()};
  return {boost::asio::buffer(head), boost::asio::buffer(body.data(), body.size())};
}

}  // namespace lambdagate::http
