#pragma once
// AWS Signature Version 4 (reference: DESIGN.md §7, reference/aws-protocols.md §1).
// The protocol steps are pure functions over values, checked against the AWS test suites in
// tests/data/sigv4; SigV4Signer does the same work in one pass for the request path, keeping what
// does not change from one request to the next (date, scope, signing key), and is checked against
// the pure steps on the same suites.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/sha256.hpp"
#include "lambdagate/core/clock.hpp"

namespace lambdagate::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What a signer needs to know about a request, exactly as it goes on the wire.
struct SigningRequest {
  std::string method;        // "POST"
  std::string path;          // wire path, already percent-encoded as sent, e.g. /2015-03-31/functions/f%3A1/invocations
  std::string query;         // wire query without '?', e.g. "Qualifier=prod"; empty = none
  HeaderList headers;        // must contain "host"; names in any case
  std::string_view payload;  // body bytes (hashed with SHA-256)
};

namespace sigv4 {

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash), upper-case hex.
std::string uri_encode(std::string_view in, bool keep_slash);
// The same, appended to `out` (a path or query built in one string, with no temporary).
void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash);
// Decodes %XX escapes; invalid escapes are kept as they are.
std::string percent_decode(std::string_view in);
std::string sha256_hex(std::string_view data);
std::string hex(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// "20150830T123600Z"
std::string format_amz_date(core::SystemTime t);

// UriEncode(wire path) keeping '/', after RFC 3986 dot-segment removal and '//' collapsing
// when `normalize` (every service but S3).
std::string canonical_uri(std::string_view wire_path, bool normalize = true);
// Names and values decoded then UriEncoded, sorted by name then value, joined with '&'.
std::string canonical_query_string(std::string_view wire_query);

struct CanonicalHeaders {
  std::string canonical;       // "name:value\n" for each, sorted by name
  std::string signed_headers;  // "host;x-amz-date"
};
// Lower-cases names, trims values and collapses inner whitespace, joins repeated headers with
// ',' in arrival order, sorts by name. Hop-by-hop and SDK-unsigned headers (connection,
// user-agent, expect, transfer-encoding, …) are left out.
CanonicalHeaders canonical_headers(const HeaderList& headers);

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const CanonicalHeaders& headers,
                              std::string_view payload_hash);
// "20150830/us-east-1/service/aws4_request"
std::string credential_scope(std::string_view date, std::string_view region, std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
std::string derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                               std::string_view service);
std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign);
std::string authorization_header(std::string_view access_key_id, std::string_view scope,
                                 std::string_view signed_headers, std::string_view signature);

}  // namespace sigv4

// Everything a signing produced, for tests and debugging (never logged: the string to sign and
// signature are harmless, but the canonical request carries the session token).
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;
};

// Signs requests with SigV4.
class Signer {
public:
  virtual ~Signer() = default;
  // Adds x-amz-date, x-amz-security-token (temporary credentials) and authorization to
  // request.headers, replacing any earlier values of them. Returns the Authorization value, a
  // view of the header just added (valid until request.headers changes).
  virtual std::string_view sign(SigningRequest& request, const Credentials& credentials,
                                core::SystemTime now) = 0;
  // The same signing, also handing back the canonical request and string to sign: for tests and
  // debugging, as it copies what sign() only hashes.
  virtual SigningResult sign_traced(SigningRequest& request, const Credentials& credentials,
                                    core::SystemTime now) = 0;
};

// The steps of sigv4:: fused into one pass that allocates nothing once warm but the header
// strings it adds (the hashes run on SHA256_CTX states, see sha256.hpp): the canonical request
// is written into a buffer the signer keeps and hashed (its part up to the session token once
// per second and function), the date, scope and Authorization prefix are remade only when the
// second, the day or the key changes, and the signing key stays keyed in an HMAC context. A
// request equal to the one before in all but its payload (same second, same token), the usual
// case for one function under load, reuses the canonical request up to its payload hash. Paths
// and queries that are not already canonical, which Lambda's are, go through the pure functions.
// Proven equal to them on both AWS suites (tests/unit/aws/sigv4_fast_path_test.cpp).
// Not thread-safe: each worker owns its signers, so the request path takes no lock.
class SigV4Signer final : public Signer {
public:
  SigV4Signer(std::string service, std::string region, bool normalize_path = true);
  std::string_view sign(SigningRequest& request, const Credentials& credentials,
                        core::SystemTime now) override;
  SigningResult sign_traced(SigningRequest& request, const Credentials& credentials,
                            core::SystemTime now) override;
  // The request signed last, signed again with `payload` in place of its own: for a caller that
  // sends one request over and over with new payloads (SignedCaller's repeat path), which then
  // neither rebuilds it nor has it compared. Only within the second it was signed in and with
  // the credentials (key, access key id, session token) it was signed with; otherwise nullopt,
  // and the caller signs the request in full. The signature's 64 hex digits, valid until the
  // next call.
  std::optional<std::string_view> sign_repeat(std::string_view payload, const Credentials& credentials,
                                              core::SystemTime now);

private:
  struct HeaderRef {
    std::string_view name;  // lower-case
    std::string_view value;
    std::uint64_t order;  // order_key(name): its first eight bytes, for sorting
  };

  std::string_view sign_into(SigningRequest& request, const Credentials& credentials, core::SystemTime now,
                             SigningResult* trace);
  void set_time(core::SystemTime now);
  void set_key(const Credentials& credentials);
  void write_canonical_request(const SigningRequest& request);
  void write_canonical_headers(const HeaderList& headers);
  // Whether `request` (its signing headers added) has the method, path, query and headers of the
  // one canonical_ was last written for; remember() makes it so.
  bool same_as_last(const SigningRequest& request) const;
  void remember(const SigningRequest& request);
  // The signature of canonical_ as it stands (string to sign, key, HMAC).
  Sha256Digest sign_canonical(const Credentials& credentials);
  // canonical_ with `payload`'s hash in place of the one before, signed.
  Sha256Digest sign_payload(std::string_view payload, const Credentials& credentials);

  std::string service_;
  std::string region_;
  bool normalize_path_;
  Sha256 sha256_;  // the payload
  // The canonical request: up to the end of its session token line it is the same for every call
  // to one function within one second, so that part is hashed once (token_line_end_).
  Sha256Resumable canonical_sha256_;

  // The current second: "20150830T123600Z", and "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n", the
  // string to sign up to the hash.
  std::int64_t second_ = std::numeric_limits<std::int64_t>::min();
  std::string amz_date_;
  std::string scope_;  // "20150830/us-east-1/lambda/aws4_request"
  std::string string_to_sign_;
  std::size_t string_to_sign_prefix_ = 0;

  // The signing key for (secret, date), kept keyed in hmac_: one signer serves one (region,
  // service) and normally one secret per day.
  bool keyed_ = false;
  std::string key_secret_;
  std::string key_date_;
  HmacSha256 hmac_;

  // "AWS4-HMAC-SHA256 Credential=<access key id>/<scope>, SignedHeaders=" for the current scope.
  bool authorization_prefix_valid_ = false;
  std::string authorization_access_key_id_;
  std::string authorization_prefix_;

  // Reused for every request.
  std::string canonical_;
  std::size_t signed_headers_begin_ = 0;  // within canonical_
  std::size_t signed_headers_end_ = 0;
  std::size_t token_line_end_ = 0;  // within canonical_, after "x-amz-security-token:…\n"; 0: no token
  // canonical_ through token_line_end_ is what canonical_sha256_ kept: false from the moment
  // write_canonical_request starts writing it, until sign_canonical has hashed it.
  bool canonical_prefix_hashed_ = false;
  std::vector<HeaderRef> headers_;
  std::string lower_names_;

  // What canonical_ up to its payload hash was written from (the canonical request is a function
  // of these alone, normalize_path_ being fixed): copied into storage kept from one call to the
  // next, so that a repeat costs one comparison instead of the canonical headers' sort and copies.
  bool last_valid_ = false;
  std::string last_method_;
  std::string last_path_;
  std::string last_query_;
  HeaderList last_headers_;
  std::string repeat_signature_;  // what sign_repeat returned last
};

}  // namespace lambdagate::aws
