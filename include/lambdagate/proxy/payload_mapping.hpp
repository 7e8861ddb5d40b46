#pragma once
// Payload mapping (DESIGN.md §4): the JSON events a route sends to its function instead of the raw
// body (Gloo's requestTransformation, API Gateway payload 1.0 and 2.0), and the reverse mapping of
// the function's output to an HTTP response (unwrapAsApiGateway 1.0/2.0, unwrapAsAlb, and the
// HTTP-integration streaming prelude). Pure: values in, values out; time is passed in.
//
// Shared decisions (each tested in tests/unit/proxy/):
//   Bodies      A body goes into an event as a JSON string only when is_text_body() says so;
//               otherwise it is base64 with "isBase64Encoded": true. Either way it round-trips byte
//               for byte.
//   Strings     Other event strings (header values, decoded query values, paths) may hold bytes
//               that are not UTF-8; each such byte becomes U+FFFD, because JSON cannot carry them.
//   Paths       `path`, `rawPath` and `requestContext.*path` are the path as received, still
//               percent-encoded (decoding would turn %2F into a separator).
//   Queries     `rawQueryString` / `queryString` are the raw text after '?'. In the parsed
//               parameters, names and values are percent-decoded (%XX only; a malformed escape is
//               kept literally). '+' stays '+' in every format, as in Envoy/Gloo: RFC 3986 gives
//               '+' no meaning, and a function that wants form decoding has the raw string.
//               Empty pieces ("a=1&&b=2") and pieces with an empty name are skipped; "flag" with
//               no '=' has the value "".
//   Time        requestTime / time are "25/Nov/2026:12:00:00 +0000" (UTC, English month);
//               requestTimeEpoch / timeEpoch are milliseconds since the epoch.
//   Responses   Malformed output is an UnwrapError (→ 502 invalid_function_response); its reason
//               names the field or header but never quotes a header value or the body beyond a
//               short escaped prefix of output that is not JSON at all.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "lambdagate/core/clock.hpp"

namespace lambdagate::proxy {

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

// What the event builders need from the client's request. Views into the caller's request; they
// must outlive the call.
struct IncomingRequest {
  std::string_view method;  // "GET"
  std::string_view target;  // request-target as received: path?query, percent-encoded as sent
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // as received, in order
  std::string_view body;
  std::string_view source_ip;   // client address
  std::string_view request_id;  // the gateway's x-request-id
  std::string_view protocol = "HTTP/1.1";
  core::SystemTime time;
};

// The API Gateway identity of the route, for requestContext.
struct EventContext {
  // The account that owns the "API". AWS always has one; when empty we write kAnonymousAccountId,
  // a 12-digit placeholder, so code that builds ARNs from it still sees the usual shape. The
  // pipeline should pass the account of the function's ARN when it knows it.
  std::string_view account_id;
  std::string_view api_id = "lambdagate";
  std::string_view stage = "$default";
  // The route's matcher path, e.g. "/users". 1.0: `resource` and `requestContext.resourcePath`
  // (empty → "/{proxy+}", a catch-all REST resource). 2.0: `routeKey` "ANY /users" (empty →
  // "$default", the catch-all HTTP API route); our routes match every method unless told otherwise.
  std::string_view resource_path;
  // requestContext.domainName, without port. Empty → taken from the request's Host header (its
  // first one, port removed; "" without a Host header). The pipeline passes the host it routed on,
  // which also covers an absolute-form request-target.
  std::string_view domain_name;
  // requestContext.authorizer as JSON text (a verified JWT's claims, policy::api_gateway_v1/v2_
  // authorizer); empty: the key is left out, as API Gateway does for routes without authorizer.
  std::string_view authorizer;
};

inline constexpr std::string_view kAnonymousAccountId = "000000000000";

// Gloo's requestTransformation event (gloo.md §5.5, envoy-gloo body_header_transformer.cc):
// {body?, headers, multiValueHeaders, httpMethod, path, queryString, queryStringParameters,
// multiValueQueryStringParameters}, keys sorted as Gloo's std::map-backed JSON writes them.
// - Header names are lower-cased: Envoy lower-cases every name before the filter sees it.
//   `headers`: last value wins. `multiValueHeaders`: only names that repeat, with every value.
//   Envoy's pseudo-headers (:authority, :path, …) are not invented.
// - `queryStringParameters`: last value wins; `multiValueQueryStringParameters`: only names that
//   repeat. All three query fields and multiValueHeaders are always present (maybe {} or "").
// - `body`: the raw body as a string, omitted when empty. Our extension: a body that is not valid
//   UTF-8 cannot be a JSON string (Gloo fails on it), so it is base64 and "isBase64Encoded": true
//   is added; the field is absent otherwise, as in Gloo.
std::string gloo_request_event(const IncomingRequest& request);

// API Gateway payload 1.0 (REST proxy; wrapAsApiGateway). Fields: version "1.0" (as HTTP APIs
// send; frameworks such as mangum dispatch on it), resource, path, httpMethod, headers,
// multiValueHeaders, queryStringParameters, multiValueQueryStringParameters, pathParameters (null),
// stageVariables (null), requestContext, body, isBase64Encoded.
// - Header names keep their case as received; names that differ only in case are one header,
//   spelled as first seen. `headers`: last value wins; `multiValueHeaders`: every value, in order.
//   Both are {} when the request has no headers (AWS sends objects).
// - Query maps are null when the request has no parameters; otherwise last value wins / all values.
// - requestContext: accountId, apiId, domainName (EventContext::domain_name or Host without port),
//   domainPrefix (first label; the whole name for an IP literal), extendedRequestId and requestId
//   (our x-request-id), httpMethod, identity {every key AWS documents, null except sourceIp and
//   userAgent; userAgent is null without a User-Agent header}, path, protocol, requestTime,
//   requestTimeEpoch, resourcePath, stage.
// - body: null when empty; otherwise text or base64 per is_text_body; isBase64Encoded always set.
std::string api_gateway_v1_event(const IncomingRequest& request, const EventContext& context);

// API Gateway payload 2.0 (HTTP APIs, Function URLs). Fields: version "2.0", routeKey, rawPath,
// rawQueryString ("" when none), cookies, headers, queryStringParameters, requestContext, body,
// isBase64Encoded.
// - cookies: every Cookie header split on ';' and trimmed (empty pieces dropped); omitted when
//   there are none. Cookie headers are then left out of `headers`, as AWS does.
// - headers: names lower-cased; repeated names joined with ',' in arrival order (AWS's format).
//   Always present.
// - queryStringParameters: repeated names joined with ','; omitted when there are none.
// - requestContext: accountId, apiId, domainName, domainPrefix, http {method, path, protocol,
//   sourceIp, userAgent ("" without the header)}, requestId, routeKey, stage, time, timeEpoch.
// - body: omitted when empty; isBase64Encoded always set.
std::string api_gateway_v2_event(const IncomingRequest& request, const EventContext& context);

// Whether a body can travel as a JSON string (isBase64Encoded false). True when the body is valid
// UTF-8 and the media type (parameters ignored, case-insensitive) is text/*, application/json,
// */*+json, application/xml, */*+xml, application/javascript or application/x-www-form-urlencoded.
// An empty body is text. A body without a content-type is text when it is valid UTF-8 (the
// function gets the bytes unchanged either way; plain text is easier to work with).
bool is_text_body(std::string_view content_type, std::string_view body);

// An HTTP response mapped from a function's output. `headers` are validated (names are RFC 7230
// tokens; values hold no CR, LF or NUL) and never contain framing headers: content-length,
// transfer-encoding, connection, keep-alive, upgrade, te and trailer from the function are
// dropped, because the gateway frames the response itself.
struct MappedResponse {
  unsigned status = 200;
  HeaderPairs headers;
  std::string body;
};

// Why the function's output is malformed, naming the field or header at fault. Header values and
// JSON bodies are never quoted; of output that is not JSON at all, at most a 32-byte escaped
// prefix is (a runtime's "Task timed out ..." is what makes that worth it).
struct UnwrapError {
  std::string reason;
};

using UnwrapResult = std::variant<MappedResponse, UnwrapError>;

// unwrapAsApiGateway with payload 1.0: {statusCode, headers, multiValueHeaders, body,
// isBase64Encoded}.
// - The output must be a JSON object.
// - statusCode: required, a JSON integer 100–599. A string such as "200" is rejected, as
//   API Gateway does ("Malformed Lambda proxy response").
// - headers: an object (null tolerated); string values as-is, numbers and booleans written as JSON
//   writes them, null values skipped, objects and arrays rejected.
// - multiValueHeaders: an object (null tolerated) of arrays of such scalars; a lone scalar is one
//   value (Kong #13533, Gloo #8867). For a name in both maps (compared case-insensitively)
//   multiValueHeaders wins. Headers come out in the function's order, `headers` first.
// - body: a string; missing or null → empty. Any other JSON value is written out as JSON text, as
//   Gloo does, so a function that worked behind Gloo keeps working.
// - isBase64Encoded: a boolean (null = false); when true the body must be strict base64.
// - No content-type from the function and a non-empty body → content-type: application/json
//   (API Gateway's REST default, and the gateway's default mode).
UnwrapResult unwrap_api_gateway_v1(std::string_view output);

// unwrapAsApiGateway with payload 2.0: as 1.0, plus `cookies` (an array of strings, null
// tolerated), each one becoming its own Set-Cookie header after the others. AWS's inference rule:
// output that is valid JSON but not an object with a non-null statusCode (a string, number,
// array, null, or an object without statusCode) is the body as-is, with status 200 and
// content-type application/json. (AWS documents application/json for this case; for an explicit
// response without content-type we use the same default as 1.0.)
UnwrapResult unwrap_api_gateway_v2(std::string_view output);

// unwrapAsAlb: {statusCode, statusDescription, headers, multiValueHeaders, body, isBase64Encoded}
// with the 1.0 rules. statusDescription ("200 OK") is accepted and ignored: an HTTP/1.1 reason
// phrase is cosmetic and HTTP/2 has none, so the gateway writes its own.
UnwrapResult unwrap_alb(std::string_view output);

// The JSON prelude of an HTTP-integration response stream (aws-protocols.md §4): {statusCode,
// headers, multiValueHeaders, cookies}, with the header rules above. statusCode is optional
// (default 200); other fields (a "body", say) are ignored; the result's body is empty. No default
// content-type is added: a streamed body's type is unknown here, so the caller decides.
UnwrapResult unwrap_http_prelude(std::string_view prelude_json);

// Splits an HTTP-integration response stream into its prelude and body: JSON, then 8 NUL bytes,
// then the body. JSON text cannot hold a raw NUL, so the first run of 8 zero bytes is the
// delimiter; it may be split across feeds. The prelude is limited: once more than
// `max_prelude_bytes` bytes precede any possible delimiter, the parser fails. A function that
// does not use the wrapper sends no prelude; telling the two apart is the caller's job, and so is
// treating end of stream while NeedMore as malformed.
class HttpPreludeParser {
 public:
  explicit HttpPreludeParser(std::size_t max_prelude_bytes = 64 * 1024);

  enum class State { NeedMore, Ready, Failed };

  // Feeds stream bytes. While NeedMore, bytes are held. When the prelude completes, head() is set
  // and the bytes after the delimiter are appended to `body_out`; after Ready every byte goes to
  // `body_out`. Once Failed, input is ignored and Failed is returned.
  State feed(std::string_view bytes, std::string& body_out);

  State state() const { return state_; }
  // Status and headers (one Set-Cookie per cookie); body empty. Meaningful once Ready.
  const MappedResponse& head() const { return head_; }
  // Why the parser failed; empty otherwise.
  const std::string& error() const { return error_; }

 private:
  State fail(std::string reason);

  std::size_t max_prelude_bytes_;
  State state_ = State::NeedMore;
  std::string held_;          // prelude bytes so far, including a trailing run of zeros
  std::size_t zero_run_ = 0;  // length of the run of zero bytes at the end of held_
  MappedResponse head_;
  std::string error_;
};

}  // namespace lambdagate::proxy
