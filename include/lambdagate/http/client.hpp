#pragma once
// HttpClient: outbound HTTP/1.1 to AWS endpoints (Lambda, STS), over plain TCP or TLS.
// The AWS clients depend only on this interface, so their logic is testable with a fake;
// PooledHttpClient is the real one: one per worker, keep-alive connections reused per endpoint.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>


#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/http/response_headers.hpp"

namespace lambdagate::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where to connect: scheme, host and port, parsed once from a URL such as
// https://lambda.us-east-1.amazonaws.com or http://127.0.0.1:9000/base.
struct Endpoint {
  std::string scheme = "https";  // "https" or "http"
  std::string host;               // DNS name or IP literal (no brackets)
  uint16_t port = 443;
  std::string base_path;          // path prefix from the URL, no trailing '/', often empty

  bool tls() const { return scheme == "https"; }
  // Value for the Host header: host, plus ":port" when not the scheme's default.
  std::string host_header() const;
  std::string to_string() const;  // "https://host:port"
  bool operator==(const Endpoint&) const = default;
};

// Parses "http(s)://host[:port][/path]"; nullopt with `error` set when malformed.
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string* error = nullptr);

struct ClientRequest {
  std::string method = "POST";
  std::string target;  // path and query as sent, e.g. /2015-03-31/functions/f/invocations?Qualifier=1
  HeaderList headers;  // Host included by the caller (it is signed)
  std::string body;
};

// A request serialised for the wire (to_wire, wire_request.hpp): its head exactly as sent, from
// the request line through the blank line, Content-Length included, and its body.
struct WireRequest {
  std::string head;
  std::string body;
  bool head_method = false;  // a HEAD: the response's Content-Length announces no body
};

struct ClientResponse {
  unsigned status = 0;
  ResponseHeaders headers;
  std::string body;

  // First value of a header, case-insensitive.
  std::optional<std::string_view> header(std::string_view name) const;
};

enum class ClientErrorKind {
  ConnectFailed,     // DNS failure, refused, unreachable
  Timeout,           // the deadline passed (connect, write or read)
  Reset,             // the connection broke after the request was (partly) sent
  TlsFailed,         // handshake or certificate verification failed
  Protocol,          // the peer did not speak valid HTTP/1.1
  ResponseTooLarge,  // the response exceeded the configured limit
};
std::string_view to_string(ClientErrorKind kind);

struct ClientError {
  ClientErrorKind kind = ClientErrorKind::ConnectFailed;
  std::string message;
};

using ClientResult = std::variant<ClientResponse, ClientError>;

// Receives a response body piece by piece, as it arrives (Lambda response streaming).
class ResponseSink {
public:
  virtual ~ResponseSink() = default;
  // Once, when the status line and headers have arrived (`head.body` is empty).
  virtual core::Task<void> on_head(const ClientResponse& head) = 0;
  // For each piece of body, in order. Returning false stops reading; the connection is closed.
  virtual core::Task<bool> on_body(std::string_view data) = 0;
};

class HttpClient {
public:
  virtual ~HttpClient() = default;
  // Sends one request and reads the whole response, within the deadline.
  virtual core::Task<ClientResult> send(const Endpoint& endpoint, ClientRequest request,
                                        core::Deadline deadline) = 0;
  // Sends one request and hands the response to `sink` as it arrives, within the deadline. The
  // result carries the status and headers (body empty) when the body ended normally, or the
  // error, which may come after some of the body was delivered. The default reads the whole
  // response with send() and delivers it in one piece (enough for fakes).
  virtual core::Task<ClientResult> stream(const Endpoint& endpoint, ClientRequest request,
                                          core::Deadline deadline, ResponseSink& sink);
  // send() for a request serialised already (SignedCaller's repeat path): its head goes out as it
  // is. The default reads the head back (from_wire) and calls send() (enough for fakes).
  virtual core::Task<ClientResult> send_wire(const Endpoint& endpoint, WireRequest request,
                                             core::Deadline deadline);
};

class TrustStore;  // trust_store.hpp

struct TlsOptions {
  std::string ca_bundle_file;   // extra CA bundle (AWS_CA_BUNDLE); system CAs are always trusted
  bool verify_peer = true;      // never false outside tests of the failure path
  // The CAs already loaded (system + ca_bundle_file), shared by every client of the process;
  // null: the client loads its own copy (see trust_store.hpp for why the gateway shares one).
  std::shared_ptr<const TrustStore> trust_store;
};

struct PoolOptions {
  std::size_t max_idle_per_endpoint = 64;
  std::chrono::seconds idle_timeout{50};        // close idle connections before AWS does
  std::chrono::seconds dns_ttl{30};             // re-resolve a host at most this often
  std::size_t max_response_bytes = 7 * 1024 * 1024;  // Lambda sync responses are ≤ 6 MB
};

// Keep-alive connection pool over TCP and TLS (SNI, certificate and host name verification
// against the system CAs plus TlsOptions::ca_bundle_file). Not thread-safe: one per worker
// io_context, so the request path takes no lock.
class PooledHttpClient final : public HttpClient {
public:
  PooledHttpClient(core::Executor executor, const core::Clock& clock, TlsOptions tls,
                   PoolOptions pool = {});
  ~PooledHttpClient() override;
  core::Task<ClientResult> send(const Endpoint& endpoint, ClientRequest request,
                                core::Deadline deadline) override;
  // No response size limit applies: the body is never held whole.
  core::Task<ClientResult> stream(const Endpoint& endpoint, ClientRequest request,
                                  core::Deadline deadline, ResponseSink& sink) override;
  // The head as it is: it was checked when it was made (to_wire).
  core::Task<ClientResult> send_wire(const Endpoint& endpoint, WireRequest request,
                                     core::Deadline deadline) override;

  // Connections opened so far (tests check that keep-alive reuses them).
  std::size_t connections_opened() const;
  // Closes every idle connection. Call it at shutdown, before waiting for the io_context to run
  // out of work: an idle connection's deadline timer may be pending until its last request's
  // deadline (see DeadlineStream::expires_never).
  void close_idle();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lambdagate::http
