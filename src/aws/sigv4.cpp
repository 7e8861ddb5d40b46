// SigV4 (reference/aws-protocols.md §1): the pure protocol steps and SigV4Signer.
#include "lambdagate/aws/sigv4.hpp"

#include "lambdagate/aws/sha256.hpp"
#include "lambdagate/core/percent_decoding.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

namespace lambdagate::aws {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Whitespace as botocore's str.split() sees it; header values on the wire hold only SP and HTAB,
// but a folded line handed to us may still carry its line break.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// Headers that SDKs leave unsigned (botocore SIGNED_HEADERS_BLACKLIST, Go v2 ignored headers):
// proxies add, drop or rewrite them, and `authorization` is the signature itself.
bool is_unsigned_header(std::string_view lower_name) {
  // clang-format off
  static constexpr std::string_view kUnsigned[] = {
      "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
      "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
  // clang-format on
  return std::find(std::begin(kUnsigned), std::end(kUnsigned), lower_name) != std::end(kUnsigned);
}

// Appends `value` trimmed, with inner whitespace runs collapsed to one space.
void append_collapsed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    any = true;
    out.push_back(c);
  }
}

void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash) {
  for (unsigned char c : in) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kUpperHexDigits[c >> 4]);
      out.push_back(kUpperHexDigits[c & 0x0f]);
    }
  }
}

// RFC 3986 §5.2.4 dot-segment removal, with empty segments ('//') dropped as AWS does for
// every service but S3. A path ending in '/', '.' or '..' keeps its trailing slash.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view segment = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else if (segment == ".") {
      trailing_slash = last;
    } else if (segment.empty()) {
      trailing_slash = last;
    } else {
      segments.push_back(segment);
      trailing_slash = false;
    }
    pos = end + 1;
  }
  std::string out;
  out.reserve(path.size() + 1);
  for (const auto& segment : segments) {
    out.push_back('/');
    out.append(segment);
  }
  if (trailing_slash || out.empty()) out.push_back('/');
  return out;
}

void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 0x0f]);
  }
}

void append_digits(std::string& out, long value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

std::string_view view(const Sha256Digest& digest) {
  return std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

void append_hex(std::string& out, const Sha256Digest& digest) {
  append_hex(out, digest.data(), digest.size());
}

// The pure functions' OpenSSL contexts: one per thread, so that they allocate nothing per call.
Sha256& thread_sha256() {
  thread_local Sha256 sha256;
  return sha256;
}

HmacSha256& thread_hmac() {
  thread_local HmacSha256 hmac;
  return hmac;
}

Sha256Digest hmac_raw(std::string_view key, std::string_view data) {
  HmacSha256& hmac = thread_hmac();
  hmac.set_key(key);
  return hmac.mac(data);
}

// Removes every header named `lower_name` (any case).
void erase_header(HeaderList& headers, std::string_view lower_name) {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, lower_name); });
}

}  // namespace

namespace sigv4 {

std::string uri_encode(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  append_uri_encoded(out, in, keep_slash);
  return out;
}

std::string percent_decode(std::string_view in) { return core::percent_decode(in); }

std::string sha256_hex(std::string_view data) {
  std::string out;
  out.reserve(64);
  append_hex(out, thread_sha256().digest(data));
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  append_hex(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return std::string(view(hmac_raw(key, data)));
}

std::string format_amz_date(core::SystemTime t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(t - day)};
  std::string out;
  out.reserve(16);
  append_digits(out, static_cast<int>(ymd.year()), 4);
  append_digits(out, static_cast<long>(static_cast<unsigned>(ymd.month())), 2);
  append_digits(out, static_cast<long>(static_cast<unsigned>(ymd.day())), 2);
  out.push_back('T');
  append_digits(out, static_cast<long>(hms.hours().count()), 2);
  append_digits(out, static_cast<long>(hms.minutes().count()), 2);
  append_digits(out, static_cast<long>(hms.seconds().count()), 2);
  out.push_back('Z');
  return out;
}

std::string canonical_uri(std::string_view wire_path, bool normalize) {
  if (wire_path.empty()) return "/";
  if (!normalize) return uri_encode(wire_path, true);
  return uri_encode(normalize_path(wire_path), true);
}

std::string canonical_query_string(std::string_view wire_query) {
  if (wire_query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t pos = 0;
  while (pos <= wire_query.size()) {
    const std::size_t end = std::min(wire_query.find('&', pos), wire_query.size());
    const std::string_view pair = wire_query.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // Decode first so that a value sent raw and one sent encoded sign the same way.
    params.emplace_back(uri_encode(percent_decode(name), false), uri_encode(percent_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name);
    out.push_back('=');
    out.append(value);
  }
  return out;
}

CanonicalHeaders canonical_headers(const HeaderList& headers) {
  struct Entry {
    std::string name;  // lower-case
    std::string_view value;
  };
  std::vector<Entry> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower(name.size(), '\0');
    std::transform(name.begin(), name.end(), lower.begin(), ascii_lower);
    if (lower.empty() || is_unsigned_header(lower)) continue;
    entries.push_back(Entry{std::move(lower), value});
  }
  // Stable: repeated headers must keep their arrival order when joined.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });

  CanonicalHeaders out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool continues = i > 0 && entries[i].name == entries[i - 1].name;
    if (continues) {
      out.canonical.pop_back();  // the previous '\n'
      out.canonical.push_back(',');
    } else {
      if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
      out.signed_headers.append(entries[i].name);
      out.canonical.append(entries[i].name);
      out.canonical.push_back(':');
    }
    append_collapsed(out.canonical, entries[i].value);
    out.canonical.push_back('\n');
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const CanonicalHeaders& headers,
                              std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() + headers.canonical.size() +
              headers.signed_headers.size() + payload_hash.size() + 5);
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(headers.canonical).push_back('\n');
  out.append(headers.signed_headers).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string credential_scope(std::string_view date, std::string_view region, std::string_view service) {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + 16);
  out.append(date).push_back('/');
  out.append(region).push_back('/');
  out.append(service).push_back('/');
  out.append("aws4_request");
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 67);
  out.append(kAlgorithm).push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  append_hex(out, thread_sha256().digest(canonical_request));
  return out;
}

std::string derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                               std::string_view service) {
  std::string key;
  key.reserve(4 + secret.size());
  key.append("AWS4").append(secret);
  Sha256Digest a = hmac_raw(key, date);
  Sha256Digest b = hmac_raw(view(a), region);
  a = hmac_raw(view(b), service);
  b = hmac_raw(view(a), "aws4_request");
  // The intermediates hold the secret: don't leave them in freed memory.
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(a.data(), a.size());
  std::string out(view(b));
  OPENSSL_cleanse(b.data(), b.size());
  return out;
}

std::string signature_hex(std::string_view signing_key, std::string_view string_to_sign) {
  std::string out;
  out.reserve(64);
  append_hex(out, hmac_raw(signing_key, string_to_sign));
  return out;
}

std::string authorization_header(std::string_view access_key_id, std::string_view scope,
                                 std::string_view signed_headers, std::string_view signature) {
  std::string out;
  out.reserve(kAlgorithm.size() + access_key_id.size() + scope.size() + signed_headers.size() +
              signature.size() + 48);
  out.append(kAlgorithm).append(" Credential=").append(access_key_id).push_back('/');
  out.append(scope).append(", SignedHeaders=").append(signed_headers);
  out.append(", Signature=").append(signature);
  return out;
}

}  // namespace sigv4

SigV4Signer::SigV4Signer(std::string service, std::string region, bool normalize_path)
    : service_(std::move(service)), region_(std::move(region)), normalize_path_(normalize_path) {}

const std::string& SigV4Signer::signing_key(const Credentials& credentials, const std::string& date) {
  if (cached_key_.empty() || cached_date_ != date || cached_secret_ != credentials.secret_access_key) {
    cached_key_ = sigv4::derive_signing_key(credentials.secret_access_key, date, region_, service_);
    cached_secret_ = credentials.secret_access_key;
    cached_date_ = date;
  }
  return cached_key_;
}

SigningResult SigV4Signer::sign(SigningRequest& request, const Credentials& credentials,
                                core::SystemTime now) {
  std::string amz_date = sigv4::format_amz_date(now);
  const std::string date = amz_date.substr(0, 8);

  // Re-signing (a retry) must not leave stale or duplicate signing headers behind.
  erase_header(request.headers, "authorization");
  erase_header(request.headers, "x-amz-date");
  erase_header(request.headers, "x-amz-security-token");
  request.headers.emplace_back("x-amz-date", amz_date);
  if (!credentials.session_token.empty()) {
    // Lambda and STS accept the token signed, as the SDKs send it.
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }

  const sigv4::CanonicalHeaders headers = sigv4::canonical_headers(request.headers);
  SigningResult result;
  result.canonical_request = sigv4::canonical_request(
      request.method, sigv4::canonical_uri(request.path, normalize_path_),
      sigv4::canonical_query_string(request.query), headers, sigv4::sha256_hex(request.payload));
  const std::string scope = sigv4::credential_scope(date, region_, service_);
  result.string_to_sign = sigv4::string_to_sign(amz_date, scope, result.canonical_request);
  result.signature = sigv4::signature_hex(signing_key(credentials, date), result.string_to_sign);
  result.authorization =
      sigv4::authorization_header(credentials.access_key_id, scope, headers.signed_headers, result.signature);
  request.headers.emplace_back("authorization", result.authorization);
  return result;
}

}  // namespace lambdagate::aws
