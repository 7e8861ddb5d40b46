// ResponseParser (response_parser.hpp): the upstream response, parsed line by line as it arrives.
// It replaced Beast's basic_parser for the client, which cost ≈ 7.8k instructions and 7
// allocations per response (a std::string per header name and value from its field callbacks, the
// composed read operations, the case-insensitive lookups of every field name).
#include "lambdagate/http/response_parser.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <tuple>
#include <utility>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/http/head_scan.hpp"

namespace lambdagate::http {

namespace {

constexpr std::size_t npos = std::string_view::npos;
// A chunk-size line with its extensions; Lambda sends none, so this only bounds a hostile peer.
constexpr std::size_t kChunkLineLimit = 4096;
// The most body room reserved up front from a Content-Length: above Lambda's 6 MB synchronous
// response limit, far below what a hostile length could ask for.
constexpr std::uint64_t kMaxBodyReservation = 8 * 1024 * 1024;
// Lambda answers with about ten headers of about 300 bytes in all: room for them at once
// instead of growing step by step.
constexpr std::size_t kExpectedHeaders = 16;
constexpr std::size_t kExpectedHeaderBytes = 512;

// field-vchar, SP and HTAB (RFC 9110 §5.5) and obs-text: what a field value or a reason phrase may
// hold. No control byte, so no CR, LF or NUL.
constexpr std::array<bool, 256> make_text_table() {
  std::array<bool, 256> table{};
  table['\t'] = true;
  for (int c = 0x20; c <= 0x7E; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 0x80; c <= 0xFF; ++c) table[static_cast<std::size_t>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kText = make_text_table();

bool is_text_char(char c) { return kText[static_cast<unsigned char>(c)]; }
bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

using head_scan::find_control_byte;
using head_scan::token_length;

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Walks a comma-separated list (RFC 9110 §5.6.1), empty elements allowed, each element trimmed.
// `visit(element)` returns false to stop; the walk returns false then.
template <class Visit>
bool for_each_element(std::string_view list, Visit visit) {
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty() && !visit(element)) return false;
    if (comma == npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// Digits only, no sign, no overflow.
bool parse_decimal(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (!is_digit(c)) return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 §7.1.1),
// with chunk-ext-val a token or a quoted-string. Checked, then ignored.
bool valid_chunk_extensions(std::string_view text) {
  std::size_t at = 0;
  const auto skip_space = [&] {
    while (at < text.size() && is_space(text[at])) ++at;
  };
  while (true) {
    skip_space();
    if (at == text.size()) return true;
    if (text[at] != ';') return false;
    ++at;
    skip_space();
    const std::size_t name = token_length(text.substr(at));
    if (name == 0) return false;
    at += name;
    skip_space();
    if (at == text.size() || text[at] != '=') continue;
    ++at;
    skip_space();
    if (at < text.size() && text[at] == '"') {
      // quoted-string: qdtext or a quoted-pair, up to the closing quote.
      for (++at;; ++at) {
        if (at == text.size()) return false;
        const char c = text[at];
        if (c == '"') break;
        if (c == '\\') {
          if (++at == text.size() || !is_text_char(text[at])) return false;
        } else if (!is_text_char(c)) {
          return false;
        }
      }
      ++at;
    } else {
      const std::size_t value = token_length(text.substr(at));
      if (value == 0) return false;
      at += value;
    }
  }
}

}  // namespace

ResponseParser::ResponseParser(std::size_t header_limit, std::uint64_t body_limit, bool head_request)
    : header_limit_(header_limit), body_limit_(body_limit), head_request_(head_request) {}

bool ResponseParser::fail(Error error, const char* reason) {
  error_ = error;
  reason_ = reason;
  state_ = State::Failed;
  return false;
}

bool ResponseParser::keep_alive() const {
  if (close_delimited_) return false;
  if (http11_) return !connection_close_;
  return connection_keep_alive_ && !connection_close_;
}

std::size_t ResponseParser::feed(std::string_view bytes) {
  if (!bytes.empty()) got_some_ = true;
  std::size_t used = 0;
  while (true) {
    const std::string_view rest = bytes.substr(used);
    std::size_t step = 0;
    switch (state_) {
      case State::Head:
        step = feed_head(rest);
        break;
      case State::Body:
      case State::BodyToEof:
      case State::ChunkData:
        step = feed_body(rest);
        break;
      case State::ChunkSize:
        step = feed_chunk_size(rest);
        break;
      case State::ChunkDataEnd:
        step = feed_chunk_data_end(rest);
        break;
      case State::Trailers:
        step = feed_trailers(rest);
        break;
      case State::Done:
      case State::Failed:
        return used;
    }
    // Every step either consumes bytes or waits for more; a state reached without consuming
    // (Done after an empty body) ends the loop above on the next turn.
    if (step == 0) return used;
    used += step;
  }
}

void ResponseParser::end_of_stream() {
  if (state_ == State::Done || state_ == State::Failed) return;
  if (state_ == State::BodyToEof) {
    state_ = State::Done;
    return;
  }
  if (!got_some_) {
    fail(Error::ClosedBeforeResponse, "connection closed before the response");
    return;
  }
  fail(Error::ClosedMidResponse, "connection closed mid-response");
}

std::size_t ResponseParser::find_line_end(std::string_view bytes, std::size_t line_limit, Error too_long,
                                          const char* too_long_reason) {
  const std::string_view window = bytes.substr(0, line_limit);
  std::size_t at = scanned_;
  while ((at = find_control_byte(window, at)) < window.size()) {
    const char c = window[at];
    if (c == '\t') {
      ++at;
      continue;
    }
    if (c == '\r' && at + 1 == window.size()) break;  // the LF may be on its way
    if (c == '\r' && window[at + 1] == '\n') {
      scanned_ = 0;
      return at;
    }
    fail(Error::Malformed, c == '\n'   ? "line ends with a bare LF"
                           : c == '\r' ? "bare CR in the response head"
                                       : "control character in the response head");
    return npos;
  }
  scanned_ = at;  // all text before it: the next call goes on from there
  if (bytes.size() >= line_limit) fail(too_long, too_long_reason);
  return npos;
}

std::size_t ResponseParser::feed_head(std::string_view bytes) {
  std::size_t used = 0;
  // The header lines of this call, from block_begin to block_end, go into the response in one
  // piece when the call ends, each field indexed by its place in them as it is parsed.
  std::size_t block_begin = 0;
  std::size_t block_end = 0;
  const auto add_block = [&] {
    response_.headers.add_block(bytes.substr(block_begin, block_end - block_begin));
  };
  while (true) {
    const std::string_view rest = bytes.substr(used);
    const std::size_t end = find_line_end(rest, header_limit_ - head_bytes_, Error::HeadersTooLarge,
                                          "response headers too large");
    if (end == npos) {
      add_block();
      return used;
    }
    const std::string_view line = rest.substr(0, end);
    const std::size_t line_at = used;
    used += end + 2;
    head_bytes_ += end + 2;
    if (!status_line_done_) {
      if (!parse_status_line(line)) return used;
      status_line_done_ = true;
      block_begin = block_end = used;
    } else if (line.empty()) {
      add_block();  // before start_body, which clears the fields after an interim response
      start_body();
      return used;
    } else if (!parse_header_field(line, line_at - block_begin)) {
      add_block();
      return used;
    } else {
      block_end = used;
    }
  }
}

bool ResponseParser::parse_status_line(std::string_view line) {
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4), version 1.0 or 1.1.
  constexpr std::string_view kPrefix = "HTTP/1.";
  if (line.size() < 13 || line.substr(0, kPrefix.size()) != kPrefix || (line[7] != '0' && line[7] != '1') ||
      line[8] != ' ') {
    return fail(Error::Malformed, "status line does not start with HTTP/1.0 or HTTP/1.1");
  }
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) || line[12] != ' ' || line[9] == '0') {
    return fail(Error::Malformed, "invalid status code");
  }
  // The reason phrase is any text, which find_line_end has checked.
  http11_ = line[7] == '1';
  response_.status = static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  if (response_.headers.empty()) response_.headers.reserve(kExpectedHeaders, kExpectedHeaderBytes);
  return true;
}

bool ResponseParser::parse_header_field(std::string_view line, std::size_t at) {
  // field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). A line that starts with
  // whitespace is obs-fold (or whitespace before a name): refused, as RFC 9112 §5.2 allows.
  const std::size_t name_size = token_length(line);
  if (name_size == 0) {
    return fail(Error::Malformed, is_space(line.front()) ? "obsolete line folding" : "invalid header name");
  }
  if (name_size == line.size() || line[name_size] != ':') {
    return fail(Error::Malformed, "invalid header name");
  }
  // The value is text (find_line_end has checked the line), less the whitespace around it.
  const std::string_view value = trim(line.substr(name_size + 1));
  const std::string_view name = line.substr(0, name_size);
  if (!apply_framing_field(name, value)) return false;
  const std::size_t value_at =
      value.empty() ? line.size() : static_cast<std::size_t>(value.data() - line.data());
  response_.headers.index_field(at, name_size, at + value_at, value.size());
  return true;
}

// The fields that decide framing and keep-alive. Most names differ from them in length, so the
// size test spares the case-insensitive compare for them.
bool ResponseParser::apply_framing_field(std::string_view name, std::string_view value) {
  switch (name.size()) {
    case 10:  // Connection
    case 16:  // Proxy-Connection, which Beast honoured too
      if (!core::iequals_ascii(name, "connection") && !core::iequals_ascii(name, "proxy-connection")) {
        return true;
      }
      // A single token, as nearly every peer sends, is the list's one element: no walk.
      if (token_length(value) == value.size()) {
        apply_connection_option(value);
        return true;
      }
      {
        const bool valid = for_each_element(value, [&](std::string_view option) {
          if (token_length(option) != option.size()) return false;
          apply_connection_option(option);
          return true;
        });
        if (!valid) return fail(Error::Malformed, "invalid Connection header");
      }
      return true;
    case 14: {  // Content-Length
      if (!core::iequals_ascii(name, "content-length")) return true;
      if (has_transfer_encoding_) return fail(Error::Malformed, "both Transfer-Encoding and Content-Length");
      // One value, as nearly every peer sends, is the list's one element: no walk.
      std::uint64_t single = 0;
      if (parse_decimal(value, single)) {
        if (!take_content_length(single)) {
          return fail(Error::Malformed, "invalid or conflicting Content-Length");
        }
        return true;
      }
      // A list of one value repeated ("5, 5"), or the header repeated with one value, is one length.
      bool any = false;
      const bool valid = for_each_element(value, [&](std::string_view element) {
        std::uint64_t length = 0;
        if (!parse_decimal(element, length) || !take_content_length(length)) return false;
        any = true;
        return true;
      });
      // An empty element among the values ("5,,5" is fine, ",", "" are not) leaves `any` false.
      if (!valid || !any) return fail(Error::Malformed, "invalid or conflicting Content-Length");
      return true;
    }
    case 17: {  // Transfer-Encoding
      if (!core::iequals_ascii(name, "transfer-encoding")) return true;
      if (has_content_length_) return fail(Error::Malformed, "both Transfer-Encoding and Content-Length");
      // chunked must be the final coding, applied once (RFC 9112 §6.1): a coding after it, in this
      // header or a later one, leaves the message with no framing but the end of the connection.
      bool valid = true;
      std::size_t elements = 0;
      for_each_element(value, [&](std::string_view coding) {
        ++elements;
        const std::string_view name_part = coding.substr(0, token_length(coding));
        if (name_part.empty()) {
          valid = false;
          return false;
        }
        if (chunked_) {
          valid = false;  // something after chunked
          return false;
        }
        chunked_ = core::iequals_ascii(name_part, "chunked");
        const std::string_view parameters = coding.substr(name_part.size());
        // chunked takes no parameters; another coding's are `; name=value` as in a chunk extension.
        valid = chunked_ ? parameters.empty() : valid_chunk_extensions(parameters);
        return valid;
      });
      if (!valid || elements == 0) return fail(Error::Malformed, "invalid Transfer-Encoding");
      has_transfer_encoding_ = true;
      return true;
    }
    default:
      return true;
  }
}

void ResponseParser::apply_connection_option(std::string_view option) {
  if (core::iequals_ascii(option, "close")) connection_close_ = true;
  if (core::iequals_ascii(option, "keep-alive")) connection_keep_alive_ = true;
}

bool ResponseParser::take_content_length(std::uint64_t length) {
  if (has_content_length_ && length != content_length_) return false;
  has_content_length_ = true;
  content_length_ = length;
  return true;
}

void ResponseParser::start_body() {
  const unsigned status = response_.status;
  if (status / 100 == 1) {
    // 101 would hand the connection to another protocol, which the client never asks for.
    if (status == 101) {
      fail(Error::Malformed, "unexpected 101 Switching Protocols");
      return;
    }
    start_next_message();  // an interim response: the final one follows
    return;
  }
  if (head_request_ || status == 204 || status == 304) {
    // No body whatever Content-Length says (RFC 9112 §6.3, rules 1 and 2).
    state_ = State::Done;
    return;
  }
  if (chunked_) {
    state_ = State::ChunkSize;
    return;
  }
  if (has_transfer_encoding_) {
    // A coding we cannot decode other than through chunked: the body runs to the close (§6.3 rule 4).
    close_delimited_ = true;
    state_ = State::BodyToEof;
    return;
  }
  if (has_content_length_) {
    if (content_length_ > body_limit_) {
      fail(Error::BodyTooLarge, "response body too large");
      return;
    }
    // Room for the whole body at once, up to a cap: a streamed response has no body limit and
    // hands its body on piece by piece, so the peer's Content-Length must not size an allocation.
    response_.body.reserve(static_cast<std::size_t>(std::min(content_length_, kMaxBodyReservation)));
    remaining_ = content_length_;
    state_ = content_length_ == 0 ? State::Done : State::Body;
    return;
  }
  close_delimited_ = true;
  state_ = State::BodyToEof;
}

void ResponseParser::start_next_message() {
  status_line_done_ = false;
  head_bytes_ = 0;
  http11_ = connection_close_ = connection_keep_alive_ = false;
  has_content_length_ = has_transfer_encoding_ = chunked_ = false;
  content_length_ = 0;
  response_.status = 0;
  response_.headers.clear();
  state_ = State::Head;
}

std::size_t ResponseParser::feed_body(std::string_view bytes) {
  std::size_t take = bytes.size();
  if (state_ != State::BodyToEof && remaining_ < take) take = static_cast<std::size_t>(remaining_);
  if (take == 0) return 0;
  if (state_ == State::BodyToEof && take > body_limit_ - body_size_) {
    fail(Error::BodyTooLarge, "response body too large");
    return 0;
  }
  response_.body.append(bytes.data(), take);
  body_size_ += take;
  if (state_ != State::BodyToEof) {
    remaining_ -= take;
    if (remaining_ == 0) state_ = state_ == State::Body ? State::Done : State::ChunkDataEnd;
  }
  return take;
}

std::size_t ResponseParser::feed_chunk_size(std::string_view bytes) {
  // chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG (RFC 9112 §7.1).
  const std::size_t end = find_line_end(bytes, kChunkLineLimit, Error::Malformed, "chunk header too long");
  if (end == npos) return 0;
  const std::string_view line = bytes.substr(0, end);
  std::uint64_t size = 0;
  std::size_t digits = 0;
  for (; digits < line.size(); ++digits) {
    const int value = hex_value(line[digits]);
    if (value < 0) break;
    if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
      fail(Error::Malformed, "chunk size overflows");
      return 0;
    }
    size = (size << 4) | static_cast<std::uint64_t>(value);
  }
  if (digits == 0) {
    fail(Error::Malformed, "invalid chunk size");
    return 0;
  }
  if (!valid_chunk_extensions(line.substr(digits))) {
    fail(Error::Malformed, "invalid chunk extension");
    return 0;
  }
  if (size > body_limit_ - body_size_) {
    fail(Error::BodyTooLarge, "response body too large");
    return 0;
  }
  if (size == 0) {
    head_bytes_ = 0;
    state_ = State::Trailers;
  } else {
    remaining_ = size;
    state_ = State::ChunkData;
  }
  return end + 2;
}

std::size_t ResponseParser::feed_chunk_data_end(std::string_view bytes) {
  if (bytes.empty() || (bytes.size() == 1 && bytes[0] == '\r')) return 0;
  if (bytes[0] != '\r' || bytes[1] != '\n') {
    fail(Error::Malformed, "chunk data not followed by CRLF");
    return 0;
  }
  state_ = State::ChunkSize;
  return 2;
}

std::size_t ResponseParser::feed_trailers(std::string_view bytes) {
  // trailer-section = *( field-line CRLF ), then CRLF: checked as header fields are, then dropped
  // (nothing the gateway forwards comes from trailers), within the header limit.
  const std::size_t end = find_line_end(bytes, header_limit_ - head_bytes_, Error::HeadersTooLarge,
                                        "response trailers too large");
  if (end == npos) return 0;
  const std::string_view line = bytes.substr(0, end);
  head_bytes_ += end + 2;
  if (line.empty()) {
    state_ = State::Done;
    return end + 2;
  }
  const std::size_t name_size = token_length(line);
  if (name_size == 0 || name_size == line.size() || line[name_size] != ':') {
    fail(Error::Malformed, "invalid trailer field");
    return 0;
  }
  return end + 2;
}

std::string_view to_string(ResponseParser::Error error) {
  switch (error) {
    case ResponseParser::Error::None:
      return "none";
    case ResponseParser::Error::Malformed:
      return "malformed";
    case ResponseParser::Error::HeadersTooLarge:
      return "headers too large";
    case ResponseParser::Error::BodyTooLarge:
      return "body too large";
    case ResponseParser::Error::ClosedBeforeResponse:
      return "closed before the response";
    case ResponseParser::Error::ClosedMidResponse:
      return "closed mid-response";
  }
  return "unknown";
}

}  // namespace lambdagate::http
