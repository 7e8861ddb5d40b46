// libFuzzer target for the upstream response parser (src/http/response_parser.cpp): the bytes an
// upstream (or whoever answers on its address) sends back to the client.
//
// Input: one control byte, then the response bytes. The control byte's bit 0 says the request
// was a HEAD, bit 1 that the peer closes after the bytes, and bits 2-7 give a piece size (1-64).
//
// Checked, beyond "no crash, no sanitizer report":
// - the bytes fed all at once and fed in pieces of that size (unconsumed bytes passed again, as
//   the client's read buffer does) give the same verdict, status, headers, body and keep-alive;
// - a parser never consumes more than it was given, and consumes nothing once done;
// - the body never exceeds the body limit; a Malformed verdict has a reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lambdagate/http/response_parser.hpp"

namespace http = lambdagate::http;

namespace {

constexpr std::size_t kHeaderLimit = 2048;
constexpr std::uint64_t kBodyLimit = 4096;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Run {
  http::ResponseParser parser{kHeaderLimit, kBodyLimit, false};
  std::string pending;
};

void feed_in_pieces(Run& run, std::string_view bytes, std::size_t step, bool eof) {
  std::size_t at = 0;
  while (at < bytes.size() && !run.parser.done() && !run.parser.failed()) {
    const std::string_view piece = bytes.substr(at, step);
    run.pending.append(piece);
    at += piece.size();
    const std::size_t used = run.parser.feed(run.pending);
    check(used <= run.pending.size());
    run.pending.erase(0, used);
  }
  if (run.parser.done()) check(run.parser.feed("HTTP/1.1 200 OK\r\n") == 0);
  if (eof && at == bytes.size()) run.parser.end_of_stream();
  check(run.parser.response().body.size() <= kBodyLimit);
  if (run.parser.error() == http::ResponseParser::Error::Malformed) check(!run.parser.reason().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool head_request = (data[0] & 1) != 0;
  const bool eof = (data[0] & 2) != 0;
  const std::size_t step = 1 + (data[0] >> 2);
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  Run whole;
  whole.parser = http::ResponseParser(kHeaderLimit, kBodyLimit, head_request);
  feed_in_pieces(whole, bytes, bytes.size() == 0 ? 1 : bytes.size(), eof);
  Run pieces;
  pieces.parser = http::ResponseParser(kHeaderLimit, kBodyLimit, head_request);
  feed_in_pieces(pieces, bytes, step, eof);

  check(whole.parser.done() == pieces.parser.done());
  check(whole.parser.error() == pieces.parser.error());
  if (whole.parser.done()) {
    check(whole.parser.response().status == pieces.parser.response().status);
    check(whole.parser.response().headers == pieces.parser.response().headers);
    check(whole.parser.response().body == pieces.parser.response().body);
    check(whole.parser.keep_alive() == pieces.parser.keep_alive());
  }
  return 0;
}
