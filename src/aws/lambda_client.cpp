// AwsLambdaClient: one signed Invoke over the worker's HttpClient (reference/aws-protocols.md §3).
#include "lambdagate/aws/lambda_client.hpp"

#include "quoting.hpp"

#include <algorithm>
#include <cctype>

#include "lambdagate/aws/eventstream.hpp"
#include "lambdagate/aws/lambda_api.hpp"
#include "lambdagate/core/ascii.hpp"

namespace lambdagate::aws {

namespace {

// Headers the client owns: an extra header must not redirect, re-type or re-frame the signed
// request, nor smuggle a signature of its own (the signer replaces those anyway).
bool is_reserved_header(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "host",       "content-type",         "x-amz-invocation-type", "x-amz-log-type",    "authorization",
      "x-amz-date", "x-amz-security-token", "content-length",        "transfer-encoding", "connection"};
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view r) { return core::iequals_ascii(r, name); });
}

std::string_view invocation_type_name(InvocationType type) {
  switch (type) {
    case InvocationType::RequestResponse:
      return "RequestResponse";
    case InvocationType::Event:
      return "Event";
  }
  return "RequestResponse";
}

}  // namespace

AwsLambdaClient::AwsLambdaClient(http::HttpClient& http, http::Endpoint endpoint, std::string region,
                                 std::shared_ptr<const CredentialsSource> credentials,
                                 const core::Clock& clock)
    : caller_(http, std::move(endpoint), std::move(region), std::move(credentials), clock) {}

namespace {

// Retry-After in delta seconds (Lambda's form); anything else is ignored.
std::optional<std::chrono::milliseconds> parse_retry_after_seconds(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty() || value.size() > 6) return std::nullopt;
  unsigned seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + static_cast<unsigned>(c - '0');
  }
  return std::chrono::milliseconds(std::chrono::seconds(seconds));
}

}  // namespace

SigningRequest AwsLambdaClient::signing_request(const InvokeRequest& request, std::string path) {
  SigningRequest signing;
  signing.method = "POST";
  signing.path = std::move(path);
  signing.query = invoke_query(request.qualifier);
  // Its three, then host and the signer's three (SignedCaller), without growing again.
  signing.headers.reserve(request.extra_headers.size() + 7);
  signing.headers.emplace_back("content-type", "application/json");
  signing.headers.emplace_back("x-amz-invocation-type", invocation_type_name(request.invocation_type));
  signing.headers.emplace_back("x-amz-log-type", "None");
  for (const auto& header : request.extra_headers) {
    if (!is_reserved_header(header.first)) signing.headers.push_back(header);
  }
  return signing;
}

std::optional<std::variant<http::WireRequest, http::ClientError>> AwsLambdaClient::wire_now(
    const InvokeRequest& request) {
  if (repeatable_ && request.function_name == repeat_function_ && request.qualifier == repeat_qualifier_ &&
      request.invocation_type == repeat_type_ && request.extra_headers == repeat_extra_headers_) {
    if (auto wire = caller_.repeat(request.payload)) return std::move(*wire);
  }
  repeatable_ = false;
  SigningRequest signing = signing_request(request, invoke_path(request.function_name));
  auto wire = caller_.sign_wire_now(signing, request.payload);
  if (wire) {
    // Assigned: the strings keep their storage from one function's calls to the next's.
    repeat_function_ = request.function_name;
    repeat_qualifier_ = request.qualifier;
    repeat_type_ = request.invocation_type;
    repeat_extra_headers_ = request.extra_headers;
    repeatable_ = true;
  }
  return wire;
}

core::Task<std::variant<http::ClientRequest, core::Error>> AwsLambdaClient::wait_and_sign(
    SigningRequest& signing, const InvokeRequest& request, core::Deadline deadline) {
  // Named only here: the message is built only when there is a wait.
  const std::string what = "the call to " + in_quotes(request.function_name);
  co_return co_await caller_.wait_and_sign(signing, request.payload, what, deadline);
}

namespace {

// A non-2xx answer from Lambda as the client-facing error, with what the retry policy needs.
core::Error rejection(const http::ClientResponse& response, std::string_view function_name) {
  core::Error error = classify_invoke_error(response, function_name);
  error.upstream_status = response.status;
  if (auto value = response.header("retry-after")) error.retry_after = parse_retry_after_seconds(*value);
  return error;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && core::iequals_ascii(text.substr(0, prefix.size()), prefix);
}

// Decodes an InvokeWithResponseStream answer as it arrives. A 2xx event stream goes to the
// handler chunk by chunk; anything else is collected whole, to be classified as Invoke errors are.
class StreamSink final : public http::ResponseSink {
public:
  explicit StreamSink(InvokeStreamHandler& handler) : handler_(handler) {}

  core::Task<void> on_head(const http::ClientResponse& head) override {
    head_ = head;
    const auto type = head.header("content-type").value_or("");
    streaming_ = head.status >= 200 && head.status <= 299 &&
                 starts_with_icase(type, "application/vnd.amazon.eventstream");
    if (auto value = head.header("x-amz-executed-version")) end_.executed_version = std::string(*value);
    co_return;
  }

  core::Task<bool> on_body(std::string_view data) override {
    if (!streaming_) {
      if (head_.body.size() + data.size() > kMaxErrorBody) co_return false;
      head_.body.append(data);
      co_return true;
    }
    decoder_.feed(data);
    while (auto message = decoder_.next()) {
      eventstream::InvokeStreamEvent event = eventstream::classify(std::move(*message));
      if (auto* chunk = std::get_if<eventstream::PayloadChunk>(&event)) {
        if (chunk->bytes.empty()) continue;
        const bool more = co_await handler_.on_payload(chunk->bytes);
        if (!more) {
          end_.stopped = true;
          co_return false;
        }
      } else if (auto* complete = std::get_if<eventstream::InvokeComplete>(&event)) {
        ended_ = true;
        end_.complete = complete->error_code.empty();
        end_.function_failed = !complete->error_code.empty();
        end_.error_code = complete->error_code;
        end_.error_details = complete->error_details;
      } else if (auto* failure = std::get_if<eventstream::StreamError>(&event)) {
        ended_ = true;
        end_.error_code = failure->code.empty() ? "StreamError" : failure->code;
        end_.error_details = failure->message;
        co_return false;
      }
      // UnknownEvent: newer event types are skipped, as the SDKs do.
    }
    if (decoder_.failed()) {
      ended_ = true;
      end_.error_code = "InvalidEventStream";
      end_.error_details = decoder_.error();
      co_return false;
    }
    co_return true;
  }

  bool streaming() const { return streaming_; }
  bool ended() const { return ended_; }
  bool partial_message() const { return decoder_.has_partial(); }
  http::ClientResponse& head() { return head_; }
  StreamEnd& end() { return end_; }

private:
  static constexpr std::size_t kMaxErrorBody = 64 * 1024;  // Lambda's error bodies are small JSON
  InvokeStreamHandler& handler_;
  http::ClientResponse head_;
  bool streaming_ = false;
  bool ended_ = false;
  eventstream::Decoder decoder_;
  StreamEnd end_;
};

}  // namespace

InvokeResult AwsLambdaClient::invoke_result(http::ClientResult result, const std::string& function_name) {
  if (auto* failure = std::get_if<http::ClientError>(&result)) {
    return transport_error(*failure, "the call to " + in_quotes(function_name));
  }
  auto& response = std::get<http::ClientResponse>(result);
  if (response.status < 200 || response.status > 299) return rejection(response, function_name);
  InvokeResponse out;
  out.status = response.status;
  if (auto value = response.header("x-amz-function-error")) out.function_error = std::string(*value);
  if (auto value = response.header("x-amz-executed-version")) out.executed_version = std::string(*value);
  out.payload = std::move(response.body);
  return out;
}

// The usual Invoke, signed at once, keeps to a frame small enough for Asio to recycle (1 KiB):
// the wait for the first credentials and the mapping of the answer live elsewhere.
core::Task<InvokeResult> AwsLambdaClient::invoke(const InvokeRequest& request,
                                                 core::Deadline deadline) {
  std::optional<std::variant<http::WireRequest, http::ClientError>> wire = wire_now(request);
  if (!wire) co_return co_await invoke_after_wait(request, deadline);
  if (auto* refused = std::get_if<http::ClientError>(&*wire)) {
    co_return invoke_result(std::move(*refused), request.function_name);
  }
  co_return invoke_result(co_await caller_.http().send_wire(caller_.endpoint(),
                                                            std::move(std::get<http::WireRequest>(*wire)), deadline),
                          request.function_name);
}

core::Task<InvokeResult> AwsLambdaClient::invoke_after_wait(const InvokeRequest& request,
                                                            core::Deadline deadline) {
  SigningRequest signing = signing_request(request, invoke_path(request.function_name));
  auto waited = co_await wait_and_sign(signing, request, deadline);
  if (auto* error = std::get_if<core::Error>(&waited)) co_return std::move(*error);
  co_return invoke_result(co_await caller_.http().send(caller_.endpoint(),
                                                       std::move(std::get<http::ClientRequest>(waited)), deadline),
                          request.function_name);
}

core::Task<InvokeStreamResult> AwsLambdaClient::invoke_stream(const InvokeRequest& request,
                                                              core::Deadline deadline,
                                                              InvokeStreamHandler& handler) {
  SigningRequest signing = signing_request(request, invoke_stream_path(request.function_name));
  std::optional<http::ClientRequest> wire = caller_.sign_now(signing, request.payload);
  if (!wire) {
    auto waited = co_await wait_and_sign(signing, request, deadline);
    if (auto* error = std::get_if<core::Error>(&waited)) co_return std::move(*error);
    wire = std::move(std::get<http::ClientRequest>(waited));
  }

  StreamSink sink(handler);
  http::ClientResult result =
      co_await caller_.http().stream(caller_.endpoint(), std::move(*wire), deadline, sink);
  if (!sink.streaming()) {
    // No stream began: an error answer (or a transport failure), the same as Invoke's.
    if (auto* failure = std::get_if<http::ClientError>(&result)) {
      co_return transport_error(*failure, "the call to " + in_quotes(request.function_name));
    }
    auto& head = sink.head();
    if (head.status < 200 || head.status > 299) co_return rejection(head, request.function_name);
    core::Error error{core::ErrorKind::UpstreamUnavailable,
                      "Lambda answered the streaming call to " + in_quotes(request.function_name) +
                          " without an event stream"};
    error.upstream_status = head.status;
    co_return error;
  }
  StreamEnd end = std::move(sink.end());
  if (!sink.ended() && !end.stopped) {
    // The body ended (or broke) before InvokeComplete: the output may be cut short.
    if (auto* failure = std::get_if<http::ClientError>(&result)) {
      end.error_code = failure->kind == http::ClientErrorKind::Timeout ? "Timeout" : "StreamInterrupted";
      end.error_details = std::string(http::to_string(failure->kind));
    } else {
      end.error_code = "StreamInterrupted";
      end.error_details = sink.partial_message() ? "the stream ended inside a message"
                                                 : "the stream ended without InvokeComplete";
    }
  }
  co_return end;
}

}  // namespace lambdagate::aws
