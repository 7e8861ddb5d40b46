// Payload-mapping and event-stream benchmark: the per-request CPU cost of the pure functions that sit
// between the client and Lambda, each against a baseline measured in the same run.
//
//   request events  proxy::gloo_request_event, api_gateway_v1_event, api_gateway_v2_event for
//                   POST /api/orders/42?expand=items&expand=customer with 12 typical headers and a
//                   1 KiB, 64 KiB or 1 MiB JSON body, or a 64 KiB application/octet-stream body
//                   (base64). Baseline: copying the body into a std::string, which is what the
//                   default passthrough does (`invoke.payload = request.body()`).
//   unwrapping      unwrap_api_gateway_v1 / v2 and unwrap_alb of a typical function response
//                   carrying the same bodies (a JSON string; base64 with isBase64Encoded for the
//                   binary one). Baseline: copying the function's output into a std::string.
//   event-stream    1 MiB of function output framed as PayloadChunk messages of 8 KiB or 64 KiB
//                   (eventstream::encode) plus InvokeComplete, fed to eventstream::Decoder in
//                   16 KiB reads, each message drained and classified as lambda_client.cpp does.
//   HTTP prelude    HttpPreludeParser on a JSON prelude, 8 NULs and a 1 MiB body, fed in 16 KiB
//                   pieces, `body_out` cleared before each feed as the gateway's StreamRelay does.
//                   Baseline for both streaming cases: memcpy of the same bytes, in the same 16 KiB
//                   pieces, into a buffer the size of the stream (and, as a second reference row,
//                   into one reused 16 KiB buffer).
//
// The machine is shared and noisy, so every case is measured in each of several interleaved rounds;
// the time shown is the median over the rounds, and the ratio is the median over the rounds of
// (case sample / its baseline's sample in the same round), so a slow round moves both alike.
//
// Memory: by default glibc serves an allocation of 1 MiB or more from fresh pages (mmap, or brk
// growth that free() trims again), so each such allocation page-faults, and on this VM a page fault
// costs microseconds: copying a 1.2 MB string took 4 ms instead of 30 us, and a 1 MiB event 11-18 ms
// instead of 3 ms. A buffer allocated once was also copied into at ~1 GB/s instead of ~50 GB/s in
// some runs (82 us to 1 ms, depending on the heap's layout; not explained). How often the gateway
// pays this depends on its heap, not on the code measured, so the benchmark keeps freed memory
// (mallopt: no trimming, no mmap below 32 MiB) and measures the steady state, CPU work only.
// BENCH_DEFAULT_MALLOC=1 keeps glibc's defaults, to see the difference.
#include "lambdagate/proxy/payload_mapping.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "lambdagate/aws/eventstream.hpp"
#include "lambdagate/core/base64.hpp"

namespace {

using namespace lambdagate;
namespace es = aws::eventstream;
using Clock = std::chrono::steady_clock;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr std::size_t kNetworkRead = 16 * KiB;

// Keeps a value (and the memory behind a pointer) alive in the optimiser's eyes.
template <typename T>
inline void escape(const T* p) {
  asm volatile("" : : "r"(p) : "memory");
}
volatile std::uint64_t g_sink;

std::string size_label(std::size_t bytes) {
  if (bytes >= MiB && bytes % MiB == 0) return std::to_string(bytes / MiB) + " MiB";
  if (bytes >= KiB && bytes % KiB == 0) return std::to_string(bytes / KiB) + " KiB";
  return std::to_string(bytes) + " B";
}

// A realistic JSON document of exactly `size` bytes: an order with an array of line items, padded
// with spaces (valid JSON whitespace) before the closing brackets.
std::string json_body(std::size_t size) {
  std::string out =
      R"({"orderId":42,"customer":{"id":"c-1001","name":"Ada Lovelace","email":"ada@example.com"},"items":[)";
  const std::string close = "]}";
  for (std::size_t i = 0;; ++i) {
    char item[256];
    const int n =
        std::snprintf(item, sizeof item,
                      R"(%s{"id":%zu,"sku":"SKU-%06zu","name":"Widget \"%zu\"","quantity":%zu,)"
                      R"("unitPrice":%zu.%02zu,"tags":["blue","large"]})",
                      i == 0 ? "" : ",", i + 1, 1000 + i * 7, i + 1, 1 + i % 5, 3 + i % 40, i % 100);
    if (out.size() + static_cast<std::size_t>(n) + close.size() > size) break;
    out.append(item, static_cast<std::size_t>(n));
  }
  out.append(size - out.size() - close.size(), ' ');
  out += close;
  return out;
}

// Incompressible bytes, most of them not UTF-8.
std::string binary_body(std::size_t size) {
  std::string out(size, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

struct Body {
  std::string label;  // "1 KiB JSON"
  std::string content_type;
  std::string bytes;
  bool binary = false;
};

// The request around a body: views into this object.
struct Request {
  std::string content_length;
  std::vector<std::pair<std::string, std::string>> header_storage;
  proxy::IncomingRequest incoming;
};

Request make_request(const Body& body) {
  Request r;
  r.content_length = std::to_string(body.bytes.size());
  r.header_storage = {
      {"Host", "api.example.com"},
      {"User-Agent",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36"},
      {"Accept", "application/json, text/plain, */*"},
      {"Accept-Encoding", "gzip, deflate, br"},
      {"Accept-Language", "en-US,en;q=0.9,fr;q=0.8"},
      {"Content-Type", body.content_type},
      {"Content-Length", r.content_length},
      {"Cookie", "session=3f9a1c2e7b8d4a6f9e0c1b2a3d4e5f60; theme=dark; _ga=GA1.2.1234567890.1700000000"},
      {"Authorization",
       "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYzEyMyJ9.eyJzdWIiOiJ1c2VyLTEwMDEiLCJpc3Mi"
       "OiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiYXBpLmV4YW1wbGUuY29tIiwiZXhwIjoxNzY0MDcyMDAwLCJp"
       "YXQiOjE3NjQwNjg0MDAsInNjb3BlIjoib3JkZXJzOnJlYWQgb3JkZXJzOndyaXRlIn0.c2lnbmF0dXJlLXBsYWNlaG9sZGVy"},
      {"X-Request-Id", "7c1e6b0a-5f2d-4c3b-9a8e-1d2f3a4b5c6d"},
      {"X-Forwarded-For", "203.0.113.7, 10.0.3.12"},
      {"X-Forwarded-Proto", "https"},
  };
  r.incoming.method = "POST";
  r.incoming.target = "/api/orders/42?expand=items&expand=customer";
  for (const auto& [name, value] : r.header_storage) r.incoming.headers.emplace_back(name, value);
  r.incoming.body = body.bytes;
  r.incoming.source_ip = "203.0.113.7";
  r.incoming.request_id = "7c1e6b0a-5f2d-4c3b-9a8e-1d2f3a4b5c6d";
  r.incoming.time = core::SystemTime{std::chrono::milliseconds{1764072000123}};
  return r;
}

// What a function typically returns, in each format.
enum class OutputFormat { V1, V2, Alb };
std::string function_output(OutputFormat format, const Body& body) {
  nlohmann::ordered_json out;
  out["statusCode"] = 200;
  if (format == OutputFormat::Alb) out["statusDescription"] = "200 OK";
  out["headers"] = {{"content-type", body.content_type},
                    {"cache-control", "no-store"},
                    {"etag", "\"5d41402abc4b2a76b9719d911017c592\""},
                    {"x-amzn-trace-id", "Root=1-6761e1a0-3c9f2b1a8e7d6c5b4a392817"}};
  if (format == OutputFormat::V1) {
    out["multiValueHeaders"] = {
        {"set-cookie", {"cart=abc123; Path=/; HttpOnly", "seen=1; Path=/; Max-Age=3600"}}};
  }
  if (format == OutputFormat::V2) {
    out["cookies"] = {"cart=abc123; Path=/; HttpOnly", "seen=1; Path=/; Max-Age=3600"};
  }
  out["body"] = body.binary ? core::base64::encode(body.bytes) : body.bytes;
  out["isBase64Encoded"] = body.binary;
  return out.dump();
}

es::Message stream_event(std::string event_type, std::string payload) {
  return es::Message{{{":event-type", std::move(event_type)},
                      {":content-type", std::string("application/octet-stream")},
                      {":message-type", std::string("event")}},
                     std::move(payload)};
}

// InvokeWithResponseStream's body for `output` cut into `chunk`-byte PayloadChunks.
std::string event_stream(const std::string& output, std::size_t chunk) {
  std::string wire;
  for (std::size_t pos = 0; pos < output.size(); pos += chunk) {
    wire += es::encode(stream_event("PayloadChunk", output.substr(pos, chunk)));
  }
  wire += es::encode(stream_event("InvokeComplete", "{}"));
  return wire;
}

// ---- operations: each runs `n` times and returns something derived from its result ----

using Op = std::function<std::uint64_t(std::size_t)>;

Op copy_op(const std::string& bytes) {
  return [&bytes](std::size_t n) {
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::string copy(bytes);
      escape(copy.data());
      sink += copy.size();
    }
    return sink;
  };
}

// memcpy of `bytes` in network-read pieces, into a buffer of `dest_size` bytes (wrapping around).
Op memcpy_op(const std::string& bytes, std::size_t dest_size) {
  auto dest = std::make_shared<std::string>(dest_size, '\0');
  return [&bytes, dest](std::size_t n) {
    std::uint64_t sink = 0;
    char* out = dest->data();
    const std::size_t cap = dest->size();
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t at = 0;
      for (std::size_t pos = 0; pos < bytes.size(); pos += kNetworkRead) {
        const std::size_t len = std::min(kNetworkRead, bytes.size() - pos);
        if (at + len > cap) at = 0;
        std::memcpy(out + at, bytes.data() + pos, len);
        at += len;
      }
      escape(out);
      sink += static_cast<unsigned char>(out[i % cap]);
    }
    return sink;
  };
}

template <typename F>
Op event_op(F f, const Request& request, const proxy::EventContext& context) {
  return [f, &request, &context](std::size_t n) {
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::string event = f(request.incoming, context);
      escape(event.data());
      sink += event.size();
    }
    return sink;
  };
}

Op unwrap_op(proxy::UnwrapResult (*f)(std::string_view), const std::string& output) {
  return [f, &output](std::size_t n) {
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < n; ++i) {
      proxy::UnwrapResult result = f(output);
      escape(&result);
      sink += result.index();
    }
    return sink;
  };
}

// Decodes a whole stream as lambda_client.cpp does; returns the payload bytes seen.
std::uint64_t decode_stream(const std::string& wire) {
  es::Decoder decoder;
  std::uint64_t payload = 0;
  for (std::size_t pos = 0; pos < wire.size(); pos += kNetworkRead) {
    decoder.feed(std::string_view(wire).substr(pos, kNetworkRead));
    while (auto message = decoder.next()) {
      es::InvokeStreamEvent event = es::classify(std::move(*message));
      if (auto* chunk = std::get_if<es::PayloadChunk>(&event)) {
        escape(chunk->bytes.data());
        payload += chunk->bytes.size();
      }
    }
  }
  if (decoder.failed() || decoder.has_partial()) return ~std::uint64_t{0};
  return payload;
}

// Parses a whole HTTP-integration stream as the gateway's StreamRelay does; returns the body bytes.
std::uint64_t parse_prelude_stream(const std::string& stream) {
  proxy::HttpPreludeParser parser;
  std::string body;
  std::uint64_t seen = 0;
  for (std::size_t pos = 0; pos < stream.size(); pos += kNetworkRead) {
    body.clear();
    if (parser.feed(std::string_view(stream).substr(pos, kNetworkRead), body) ==
        proxy::HttpPreludeParser::State::Failed)
      return ~std::uint64_t{0};
    escape(body.data());
    seen += body.size();
  }
  if (parser.state() != proxy::HttpPreludeParser::State::Ready) return ~std::uint64_t{0};
  return seen;
}

Op repeat(std::uint64_t (*f)(const std::string&), const std::string& input) {
  return [f, &input](std::size_t n) {
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < n; ++i) sink += f(input);
    return sink;
  };
}

// ---- measurement ----

struct Case {
  std::string section;
  std::string name;
  std::string size;
  std::size_t throughput_bytes = 0;  // > 0: print MB/s over these bytes
  int baseline = -1;                 // index of the baseline case; -1 for a baseline itself
  Op op;
  std::size_t iterations = 0;
  std::vector<double> samples;  // seconds per operation
};

double run(const Case& c, std::size_t iterations) {
  const auto start = Clock::now();
  const std::uint64_t sink = c.op(iterations);
  const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  g_sink = sink;
  return elapsed;
}

std::size_t calibrate(const Case& c, double target) {
  std::size_t iterations = 1;
  for (;;) {
    const double t = run(c, iterations);
    if (t >= target / 4 || iterations >= (std::size_t{1} << 30)) {
      return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(iterations) * target / t));
    }
    iterations *= 4;
  }
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

std::string format_time(double seconds) {
  char buf[32];
  const double ns = seconds * 1e9;
  if (ns < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  } else if (ns < 10'000) {
    std::snprintf(buf, sizeof buf, "%.2f µs", ns / 1e3);
  } else if (ns < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f µs", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  }
  return buf;
}

bool fail(const std::string& what) {
  std::fprintf(stderr, "payload_mapping: check failed: %s\n", what.c_str());
  return false;
}

// Before timing anything: every operation does the work we think it does.
bool check_event(const std::string& name, const std::string& event, const Body& body) {
  const auto json = nlohmann::json::parse(event, nullptr, false);
  if (json.is_discarded() || !json.contains("body")) return fail(name + " " + body.label + ": no body");
  const bool base64 = json.value("isBase64Encoded", false);
  if (base64 != body.binary) return fail(name + " " + body.label + ": isBase64Encoded");
  const std::string text = json["body"].get<std::string>();
  const auto decoded = base64 ? core::base64::decode(text) : std::optional<std::string>(text);
  if (!decoded || *decoded != body.bytes) return fail(name + " " + body.label + ": body differs");
  return true;
}

bool check_unwrap(const std::string& name, const proxy::UnwrapResult& result, const Body& body) {
  const auto* mapped = std::get_if<proxy::MappedResponse>(&result);
  if (!mapped) return fail(name + " " + body.label + ": " + std::get<proxy::UnwrapError>(result).reason);
  if (mapped->status != 200 || mapped->body != body.bytes)
    return fail(name + " " + body.label + ": body differs");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 11;
  const double target = 0.005;  // seconds per sample (at least one operation)
  const char* default_malloc = std::getenv("BENCH_DEFAULT_MALLOC");
  const bool keep_memory = !(default_malloc && std::string_view(default_malloc) == "1");
  if (keep_memory) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  }

  std::vector<Body> bodies;
  for (std::size_t size : {1 * KiB, 64 * KiB, 1 * MiB}) {
    bodies.push_back({size_label(size) + " JSON", "application/json", json_body(size), false});
  }
  bodies.push_back({"64 KiB binary", "application/octet-stream", binary_body(64 * KiB), true});

  std::vector<Request> requests;
  requests.reserve(bodies.size());
  for (const auto& body : bodies) requests.push_back(make_request(body));
  proxy::EventContext context;
  context.account_id = "123456789012";
  context.resource_path = "/api/orders";
  context.domain_name = "api.example.com";

  std::vector<std::string> outputs[3];  // v1, v2, alb; per body
  for (const auto& body : bodies) {
    outputs[0].push_back(function_output(OutputFormat::V1, body));
    outputs[1].push_back(function_output(OutputFormat::V2, body));
    outputs[2].push_back(function_output(OutputFormat::Alb, body));
  }

  const std::string stream_output = json_body(1 * MiB);
  const std::size_t chunk_sizes[] = {8 * KiB, 64 * KiB};
  std::vector<std::string> wires;
  for (std::size_t chunk : chunk_sizes) wires.push_back(event_stream(stream_output, chunk));
  const std::string prelude_stream =
      R"({"statusCode":200,"headers":{"content-type":"application/json","cache-control":"no-store",)"
      R"("x-amzn-trace-id":"Root=1-6761e1a0-3c9f2b1a8e7d6c5b4a392817"},"cookies":["cart=abc123; Path=/"]})" +
      std::string(8, '\0') + stream_output;

  // ---- checks ----
  bool ok = true;
  for (std::size_t b = 0; b < bodies.size(); ++b) {
    ok = check_event("gloo", proxy::gloo_request_event(requests[b].incoming), bodies[b]) && ok;
    ok = check_event("v1", proxy::api_gateway_v1_event(requests[b].incoming, context), bodies[b]) && ok;
    ok = check_event("v2", proxy::api_gateway_v2_event(requests[b].incoming, context), bodies[b]) && ok;
    ok = check_unwrap("unwrap v1", proxy::unwrap_api_gateway_v1(outputs[0][b]), bodies[b]) && ok;
    ok = check_unwrap("unwrap v2", proxy::unwrap_api_gateway_v2(outputs[1][b]), bodies[b]) && ok;
    ok = check_unwrap("unwrap alb", proxy::unwrap_alb(outputs[2][b]), bodies[b]) && ok;
  }
  for (const auto& wire : wires) {
    if (decode_stream(wire) != stream_output.size()) ok = fail("event-stream decode");
  }
  if (parse_prelude_stream(prelude_stream) != stream_output.size()) ok = fail("HTTP prelude parse");
  if (!ok) return 1;

  // ---- cases ----
  std::vector<Case> cases;
  const auto add = [&cases](std::string section, std::string name, std::string size,
                            std::size_t throughput_bytes, int baseline, Op op) {
    Case c;
    c.section = std::move(section);
    c.name = std::move(name);
    c.size = std::move(size);
    c.throughput_bytes = throughput_bytes;
    c.baseline = baseline;
    c.op = std::move(op);
    cases.push_back(std::move(c));
    return static_cast<int>(cases.size() - 1);
  };
  // The size column names the body, then the bytes the operation produces or reads.
  const auto with_bytes = [](const std::string& label, const char* what, std::size_t bytes) {
    return label + " (" + what + " " + std::to_string(bytes) + " B)";
  };
  for (std::size_t b = 0; b < bodies.size(); ++b) {
    const auto& body = bodies[b];
    const auto& in = requests[b].incoming;
    const int base = add("request event", "copy body into std::string (passthrough)", body.label, 0, -1,
                         copy_op(body.bytes));
    add("request event", "gloo_request_event",
        with_bytes(body.label, "event", proxy::gloo_request_event(in).size()), 0, base,
        event_op([](const proxy::IncomingRequest& r,
                    const proxy::EventContext&) { return proxy::gloo_request_event(r); },
                 requests[b], context));
    add("request event", "api_gateway_v1_event",
        with_bytes(body.label, "event", proxy::api_gateway_v1_event(in, context).size()), 0, base,
        event_op(proxy::api_gateway_v1_event, requests[b], context));
    add("request event", "api_gateway_v2_event",
        with_bytes(body.label, "event", proxy::api_gateway_v2_event(in, context).size()), 0, base,
        event_op(proxy::api_gateway_v2_event, requests[b], context));
  }
  for (std::size_t b = 0; b < bodies.size(); ++b) {
    const auto& body = bodies[b];
    // The baseline copies the 1.0 output; the 2.0 and ALB outputs differ from it by a few dozen bytes.
    const int base =
        add("unwrap", "copy 1.0 output into std::string (passthrough)",
            with_bytes(body.label, "output", outputs[0][b].size()), 0, -1, copy_op(outputs[0][b]));
    add("unwrap", "unwrap_api_gateway_v1", with_bytes(body.label, "output", outputs[0][b].size()), 0, base,
        unwrap_op(proxy::unwrap_api_gateway_v1, outputs[0][b]));
    add("unwrap", "unwrap_api_gateway_v2", with_bytes(body.label, "output", outputs[1][b].size()), 0, base,
        unwrap_op(proxy::unwrap_api_gateway_v2, outputs[1][b]));
    add("unwrap", "unwrap_alb", with_bytes(body.label, "output", outputs[2][b].size()), 0, base,
        unwrap_op(proxy::unwrap_alb, outputs[2][b]));
  }
  for (std::size_t w = 0; w < wires.size(); ++w) {
    const auto& wire = wires[w];
    const std::string size = "1 MiB in " + size_label(chunk_sizes[w]) + " chunks (" +
                             std::to_string(wire.size()) + " B on the wire)";
    const int base = add("event-stream", "memcpy, 16 KiB pieces, into a stream-sized buffer", size,
                         wire.size(), -1, memcpy_op(wire, wire.size()));
    add("event-stream", "memcpy, 16 KiB pieces, into one reused 16 KiB buffer", size, wire.size(), base,
        memcpy_op(wire, kNetworkRead));
    add("event-stream", "Decoder (16 KiB feeds) + classify", size, wire.size(), base,
        repeat(decode_stream, wire));
  }
  {
    const std::string size = "1 MiB body after a " +
                             std::to_string(prelude_stream.size() - stream_output.size()) +
                             " B prelude (JSON + 8 NULs)";
    const int base = add("HTTP prelude", "memcpy, 16 KiB pieces, into a stream-sized buffer", size,
                         prelude_stream.size(), -1, memcpy_op(prelude_stream, prelude_stream.size()));
    add("HTTP prelude", "memcpy, 16 KiB pieces, into one reused 16 KiB buffer", size, prelude_stream.size(),
        base, memcpy_op(prelude_stream, kNetworkRead));
    add("HTTP prelude", "HttpPreludeParser (16 KiB feeds)", size, prelude_stream.size(), base,
        repeat(parse_prelude_stream, prelude_stream));
  }

  for (auto& c : cases) c.iterations = calibrate(c, target);
  // Rounds interleave every case, so a noisy neighbour slows a case and its baseline alike.
  for (int round = 0; round < rounds; ++round) {
    for (auto& c : cases) c.samples.push_back(run(c, c.iterations) / static_cast<double>(c.iterations));
  }

  std::printf(
      "Median time per operation over %d rounds; ratio = median over rounds of case / baseline "
      "(same round); MB/s = 10^6 bytes fed per second; malloc: %s\n\n",
      rounds, keep_memory ? "freed memory kept (no page faults in the steady state)" : "glibc defaults");
  std::printf("| section | case | size | time per op | MB/s | ratio |\n");
  std::printf("|---|---|---|---:|---:|---:|\n");
  for (const auto& c : cases) {
    const double t = median(c.samples);
    std::string ratio = "baseline";
    if (c.baseline >= 0) {
      const auto& base = cases[static_cast<std::size_t>(c.baseline)].samples;
      std::vector<double> ratios;
      for (std::size_t r = 0; r < c.samples.size(); ++r) ratios.push_back(c.samples[r] / base[r]);
      char buf[32];
      const double m = median(ratios);
      std::snprintf(buf, sizeof buf, m < 10 ? "%.2f×" : "%.0f×", m);
      ratio = buf;
    }
    std::string mbps = "";
    if (c.throughput_bytes > 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", static_cast<double>(c.throughput_bytes) / t / 1e6);
      mbps = buf;
    }
    std::printf("| %s | %s | %s | %s | %s | %s |\n", c.section.c_str(), c.name.c_str(), c.size.c_str(),
                format_time(t).c_str(), mbps.c_str(), ratio.c_str());
  }
  return 0;
}
