#pragma once
// ResponseParser: an incremental HTTP/1.1 response parser for the outbound client. Pure: bytes in,
// state out; the client (pooled_http_client.cpp) reads the socket and feeds what it read.
//
// The upstream is a network peer, so the parser is strict (RFC 9112): status line `HTTP/1.x NNN
// reason`, token header names, no obs-fold, no bare CR or LF, one Content-Length value (repeats
// of the same value accepted), `chunked` only as the final transfer coding, hex chunk sizes with
// overflow checks, chunk extensions checked and bounded, trailers read and dropped, limits on the
// header block and the body. A response with both Transfer-Encoding and Content-Length is refused,
// as Beast did before: one of the two framings is a lie, and the message may be an attempt at
// response splitting (RFC 9112 §6.1). Interim 1xx responses (100 Continue, 103 Early Hints) are
// read and skipped (RFC 9110 §15.2: a client must accept them even unasked); 101 is refused, since
// the client never asks to switch protocols.
//
// Usage: feed() the bytes received so far; it returns how many it consumed. Bytes not consumed
// must be passed again, at the front of the next call, with whatever arrived since (the client's
// read buffer works that way). Call end_of_stream() when the peer closes the connection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lambdagate/http/client.hpp"

namespace lambdagate::http {

class ResponseParser {
 public:
  enum class Error {
    None,
    Malformed,             // not valid HTTP/1.1; reason() says what
    HeadersTooLarge,       // the header block (or the trailers) exceeded header_limit
    BodyTooLarge,          // the body exceeded body_limit
    ClosedBeforeResponse,  // end of stream before any byte arrived
    ClosedMidResponse,     // end of stream inside a response that was not delimited by it
  };

  // `head_request`: the response answers a HEAD, so it has no body whatever its headers say.
  ResponseParser(std::size_t header_limit, std::uint64_t body_limit, bool head_request);

  // Consumes a prefix of `bytes` (see the usage note above). Body bytes are appended to
  // response().body. Consumes nothing once done() or failed().
  std::size_t feed(std::string_view bytes);
  // The peer closed the connection: ends a close-delimited body, or fails the response.
  void end_of_stream();

  bool got_some() const { return got_some_; }  // any byte was fed
  // The final status line and headers are in (or the response failed: check failed() first).
  bool head_done() const { return state_ != State::Head; }
  bool done() const { return state_ == State::Done; }
  bool failed() const { return error_ != Error::None; }
  Error error() const { return error_; }
  std::string_view reason() const { return reason_; }  // for Malformed
  // The connection may carry another request: HTTP/1.1 without "Connection: close", or HTTP/1.0
  // with "Connection: keep-alive", and a body not delimited by the end of the connection.
  bool keep_alive() const;

  ClientResponse& response() { return response_; }

 private:
  enum class State {
    Head,          // status line and header fields
    Body,          // Content-Length body
    BodyToEof,     // close-delimited body
    ChunkSize,     // chunk-size line with its extensions
    ChunkData,     // chunk data
    ChunkDataEnd,  // the CRLF after chunk data
    Trailers,      // trailer fields after the last chunk
    Done,
    Failed,
  };

  // Each consumes from `bytes` and returns the count; they return 0 when they need more bytes.
  std::size_t feed_head(std::string_view bytes);
  std::size_t feed_body(std::string_view bytes);
  std::size_t feed_chunk_size(std::string_view bytes);
  std::size_t feed_chunk_data_end(std::string_view bytes);
  std::size_t feed_trailers(std::string_view bytes);

  // The length of the CRLF-terminated line at the front of `bytes` (without its CRLF, and
  // `line_limit` bytes at most with it); npos when it is not all there yet, or failed() when it
  // is too long or holds a byte other than text (a bare CR or LF, NUL, any control but HTAB).
  std::size_t find_line_end(std::string_view bytes, std::size_t line_limit, Error too_long,
                            const char* too_long_reason);
  bool parse_status_line(std::string_view line);
  // `at`: where the line starts in the block of header lines the head's call copies whole
  // (ResponseHeaders::add_block).
  bool parse_header_field(std::string_view line, std::size_t at);
  bool apply_framing_field(std::string_view name, std::string_view value);
  // One option of a Connection field (close, keep-alive; others mean nothing here).
  void apply_connection_option(std::string_view option);
  // One Content-Length value: false when it differs from one taken before.
  bool take_content_length(std::uint64_t length);
  void start_body();
  void start_next_message();
  bool fail(Error error, const char* reason);

  std::size_t header_limit_;
  std::uint64_t body_limit_;
  bool head_request_;

  State state_ = State::Head;
  Error error_ = Error::None;
  const char* reason_ = "";
  bool got_some_ = false;
  bool status_line_done_ = false;
  std::size_t scanned_ = 0;     // bytes of the pending line already found to be text
  std::size_t head_bytes_ = 0;  // bytes of the header block (or trailers) consumed so far

  // From the header fields of the message being read.
  bool http11_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  bool close_delimited_ = false;  // the body ends with the connection
  std::uint64_t content_length_ = 0;

  std::uint64_t remaining_ = 0;  // of the Content-Length body or of the current chunk
  std::uint64_t body_size_ = 0;  // body bytes so far, against body_limit_

  ClientResponse response_;
};

std::string_view to_string(ResponseParser::Error error);

}  // namespace lambdagate::http
