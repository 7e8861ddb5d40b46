// SigV4 (reference/aws-protocols.md §1): the pure protocol steps and SigV4Signer.
#include "lambdagate/aws/sigv4.hpp"

#include "lambdagate/core/percent_decoding.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <tuple>

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
// clang-format off
constexpr std::string_view kUnsignedHeaders[] = {
    "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
// clang-format on

bool is_unsigned_header(std::string_view lower_name) {
  return std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), lower_name) !=
         std::end(kUnsignedHeaders);
}

// ---- helpers of the pure steps: the plain form of each rule, one byte at a time ----------------

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

void append_hex(std::string& out, const Sha256Digest& digest) {
  append_hex(out, digest.data(), digest.size());
}

// ---- helpers of SigV4Signer: the same rules in fewer steps ------------------------------------
// Written apart from the ones above on purpose: sigv4_fast_path_test.cpp holds the signer to the
// pure steps, which proves something only while the two do not share the code under test.

constexpr auto kUnreservedTable = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '~';
  }
  return table;
}();

constexpr auto kUnreservedOrSlashTable = [] {
  std::array<bool, 256> table = kUnreservedTable;
  table['/'] = true;
  return table;
}();

// Bit n set when some unsigned header name is n bytes long: most names are rejected on their
// length alone, without a string comparison.
constexpr std::uint64_t kUnsignedHeaderLengths = [] {
  std::uint64_t mask = 0;
  for (std::string_view name : kUnsignedHeaders) mask |= std::uint64_t{1} << name.size();
  return mask;
}();

bool is_unsigned_header_quick(std::string_view lower_name) {
  if (lower_name.size() >= 64 || !(kUnsignedHeaderLengths >> lower_name.size() & 1)) return false;
  return is_unsigned_header(lower_name);
}

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The first eight bytes of a name as a big-endian number, zero-padded. Names whose numbers differ
// compare as the numbers do (a shorter name pads with zeros, which sort first, as a prefix does),
// so sorting a request's headers rarely needs a string comparison.
std::uint64_t order_key(std::string_view name) {
  unsigned char bytes[8] = {};
  std::memcpy(bytes, name.data(), std::min<std::size_t>(name.size(), sizeof bytes));
  std::uint64_t key = 0;
  for (unsigned char byte : bytes) key = key << 8 | byte;
  return key;
}

// The headers a signer adds, and so replaces when a request is signed again.
bool is_signing_header(std::string_view name) {
  switch (name.size()) {
    case 13:
      return iequals(name, "authorization");
    case 10:
      return iequals(name, "x-amz-date");
    case 20:
      return iequals(name, "x-amz-security-token");
    default:
      return false;
  }
}

// Whether any byte is a space or a control character. Runs over every header value of every
// request (the session token alone is about 1 KB): one pass with no early exit, the shape GCC
// vectorises, 16 bytes a step instead of one compare and branch per byte.
bool has_space_or_control(std::string_view value) {
  const char* bytes = value.data();
  char found = 0;
  for (std::size_t i = 0; i < value.size(); ++i) found |= static_cast<unsigned char>(bytes[i]) <= ' ' ? 1 : 0;
  return found != 0;
}

// Copies `text` to `out` and returns the end of the copy: the canonical headers are written
// through a pointer into room made for them up front (see write_canonical_headers).
char* put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// append_collapsed by runs, written at `out` (returns the end): a value with no whitespace
// (every whitespace byte is a control byte or SP), the usual case, is copied whole; otherwise
// each run of other bytes at once. Never longer than `value`.
char* put_collapsed_runs(char* out, std::string_view value) {
  if (!has_space_or_control(value)) return put(out, value);
  bool first = true;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && is_space(value[i])) ++i;
    const std::size_t start = i;
    while (i < value.size() && !is_space(value[i])) ++i;
    if (start == i) break;
    if (!first) *out++ = ' ';
    out = put(out, value.substr(start, i - start));
    first = false;
  }
  return out;
}

// append_uri_encoded by runs: bytes kept as they are go out together. One table lookup per
// byte: a path keeps '/' too, so it has a table of its own.
void append_uri_encoded_runs(std::string& out, std::string_view in, bool keep_slash) {
  const std::array<bool, 256>& kept_bytes = keep_slash ? kUnreservedOrSlashTable : kUnreservedTable;
  const auto kept = [&kept_bytes](unsigned char c) { return kept_bytes[c]; };
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t start = i;
    while (i < in.size() && kept(static_cast<unsigned char>(in[i]))) ++i;
    out.append(in.substr(start, i - start));
    for (; i < in.size() && !kept(static_cast<unsigned char>(in[i])); ++i) {
      const auto c = static_cast<unsigned char>(in[i]);
      const char escape[3] = {'%', kUpperHexDigits[c >> 4], kUpperHexDigits[c & 0x0f]};
      out.append(escape, 3);
    }
  }
}

// A digest as lower-case hex and one append: the nibbles split out, then each turned into its
// digit by arithmetic, two loops GCC vectorises (three per signing; a table lookup per byte cost
// about three times as much).
void append_hex_digest(std::string& out, const Sha256Digest& digest) {
  constexpr std::size_t kSize = std::tuple_size_v<Sha256Digest>;
  unsigned char nibbles[2 * kSize];
  for (std::size_t i = 0; i < kSize; ++i) {
    nibbles[2 * i] = digest[i] >> 4;
    nibbles[2 * i + 1] = digest[i] & 0x0f;
  }
  char text[2 * kSize];
  for (std::size_t i = 0; i < 2 * kSize; ++i) {
    text[i] = static_cast<char>(nibbles[i] + (nibbles[i] > 9 ? 'a' - 10 : '0'));
  }
  out.append(text, sizeof text);
}

// True when normalize_path(path) == path: an absolute path with no empty ('//'), '.' or '..'
// segment. Lambda's paths always are.
bool is_normalized(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  std::size_t start = 1;
  while (true) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (end == path.size()) return segment != "." && segment != "..";
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
}

// True when uri_encode(percent_decode(text), false) == text: each byte unreserved, or an escape
// in upper-case hex of a byte that is not.
bool is_canonical_query_part(std::string_view text) {
  const auto upper_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (kUnreservedTable[c]) continue;
    if (c != '%' || i + 2 >= text.size() || !upper_hex(text[i + 1]) || !upper_hex(text[i + 2])) return false;
    const int escaped = core::hex_value(text[i + 1]) * 16 + core::hex_value(text[i + 2]);
    if (kUnreservedTable[static_cast<unsigned char>(escaped)]) return false;
    i += 2;
  }
  return true;
}

// ---- shared -------------------------------------------------------------------------------------

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

}  // namespace

namespace sigv4 {

std::string uri_encode(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  aws::append_uri_encoded(out, in, keep_slash);  // the plain form, not sigv4::append_uri_encoded
  return out;
}

void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash) {
  // For the request path (Invoke's function name on each call): the signer's form, which copies
  // runs of unreserved bytes whole. uri_encode stays on the plain form the signer is checked against.
  append_uri_encoded_runs(out, in, keep_slash);
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

// ---- SigV4Signer --------------------------------------------------------------------------------

SigV4Signer::SigV4Signer(std::string service, std::string region, bool normalize_path)
    : service_(std::move(service)), region_(std::move(region)), normalize_path_(normalize_path) {}

std::string_view SigV4Signer::sign(SigningRequest& request, const Credentials& credentials,
                                   core::SystemTime now) {
  return sign_into(request, credentials, now, nullptr);
}

SigningResult SigV4Signer::sign_traced(SigningRequest& request, const Credentials& credentials,
                                       core::SystemTime now) {
  SigningResult trace;
  sign_into(request, credentials, now, &trace);
  return trace;
}

void SigV4Signer::set_time(core::SystemTime now) {
  using namespace std::chrono;
  const std::int64_t second = floor<seconds>(now).time_since_epoch().count();
  if (second == second_) return;
  amz_date_ = sigv4::format_amz_date(now);
  const std::string_view date = std::string_view(amz_date_).substr(0, 8);
  if (!scope_.starts_with(date)) {
    scope_ = sigv4::credential_scope(date, region_, service_);
    authorization_prefix_valid_ = false;
  }
  string_to_sign_.assign(kAlgorithm).append("\n").append(amz_date_).append("\n").append(scope_).append("\n");
  string_to_sign_prefix_ = string_to_sign_.size();
  second_ = second;
}

void SigV4Signer::set_key(const Credentials& credentials) {
  const std::string_view date = std::string_view(scope_).substr(0, 8);
  if (keyed_ && key_date_ == date && key_secret_ == credentials.secret_access_key) return;
  keyed_ = false;
  std::string key = sigv4::derive_signing_key(credentials.secret_access_key, date, region_, service_);
  hmac_.set_key(key);
  OPENSSL_cleanse(key.data(), key.size());
  key_secret_ = credentials.secret_access_key;
  key_date_ = date;
  keyed_ = true;
}

void SigV4Signer::write_canonical_headers(const HeaderList& headers) {
  // Lower-case names are viewed where they are; only names with an upper-case letter are copied,
  // into a buffer with room for all of them reserved first, so that no view into it moves.
  std::size_t name_bytes = 0;
  for (const auto& header : headers) name_bytes += header.first.size();
  lower_names_.clear();
  lower_names_.reserve(name_bytes);
  headers_.clear();
  for (const auto& [name, value] : headers) {
    std::string_view lower = name;
    if (has_upper(name)) {
      const std::size_t at = lower_names_.size();
      lower_names_.append(name);
      char* copy = lower_names_.data() + at;
      std::transform(copy, copy + name.size(), copy, ascii_lower);
      lower = std::string_view(copy, name.size());
    }
    if (lower.empty() || is_unsigned_header_quick(lower)) continue;
    headers_.push_back(HeaderRef{lower, value, order_key(lower)});
  }
  // Stable, as repeated headers keep their arrival order; a request has a handful of headers,
  // which insertion sort orders without the buffer std::stable_sort allocates.
  const auto by_name = [](const HeaderRef& a, const HeaderRef& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  };
  if (headers_.size() > 32) {
    std::stable_sort(headers_.begin(), headers_.end(), by_name);
  } else {
    for (std::size_t i = 1; i < headers_.size(); ++i) {
      const HeaderRef moving = headers_[i];
      std::size_t j = i;
      for (; j > 0 && by_name(moving, headers_[j - 1]); --j) headers_[j] = headers_[j - 1];
      headers_[j] = moving;
    }
  }

  // Room for every line and the signed-headers list at their longest (a collapsed value only
  // shrinks), written through a pointer and then cut to size: one size check for the block
  // instead of one in each of the dozens of appends it takes.
  std::size_t room = 1;
  for (const auto& header : headers_) room += 2 * header.name.size() + header.value.size() + 3;
  const std::size_t begin = canonical_.size();
  canonical_.resize(begin + room);
  char* const base = canonical_.data();
  char* out = base + begin;

  constexpr std::string_view kTokenHeader = "x-amz-security-token";
  token_line_end_ = 0;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (i > 0 && headers_[i].name == headers_[i - 1].name) {
      out[-1] = ',';  // a repeated header: its values joined on one line
    } else {
      out = put(out, headers_[i].name);
      *out++ = ':';
    }
    out = put_collapsed_runs(out, headers_[i].value);
    *out++ = '\n';
    if (headers_[i].name == kTokenHeader) token_line_end_ = static_cast<std::size_t>(out - base);
  }
  *out++ = '\n';
  signed_headers_begin_ = static_cast<std::size_t>(out - base);
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (i > 0 && headers_[i].name == headers_[i - 1].name) continue;
    if (i > 0) *out++ = ';';
    out = put(out, headers_[i].name);
  }
  signed_headers_end_ = static_cast<std::size_t>(out - base);
  canonical_.resize(signed_headers_end_);
}

void SigV4Signer::write_canonical_request(const SigningRequest& request) {
  canonical_prefix_hashed_ = false;
  canonical_.clear();
  canonical_.append(request.method).push_back('\n');
  if (request.path.empty()) {
    canonical_.push_back('/');
  } else if (normalize_path_ && !is_normalized(request.path)) {
    canonical_.append(sigv4::canonical_uri(request.path, true));  // rare: allocates
  } else {
    append_uri_encoded_runs(canonical_, request.path, true);
  }
  canonical_.push_back('\n');
  const std::string_view query = request.query;
  const std::size_t eq = query.find('=');
  if (query.empty() ||
      (query.find('&') == std::string_view::npos && eq != std::string_view::npos &&
       is_canonical_query_part(query.substr(0, eq)) && is_canonical_query_part(query.substr(eq + 1)))) {
    canonical_.append(query);  // no query, or one pair already canonical (Qualifier=...)
  } else {
    canonical_.append(sigv4::canonical_query_string(query));  // sorts: allocates
  }
  canonical_.push_back('\n');
  write_canonical_headers(request.headers);
  canonical_.push_back('\n');
  append_hex_digest(canonical_, sha256_.digest(request.payload));
}

Sha256Digest SigV4Signer::sign_canonical(const Credentials& credentials) {
  string_to_sign_.resize(string_to_sign_prefix_);
  // Method, path, query and the headers through the token (x-amz-date among them) repeat from one
  // call to the next; what follows (later headers, the payload hash) is hashed on each call.
  // After a repeat's sign_payload, the part through the token is the one hashed last time.
  append_hex_digest(string_to_sign_, canonical_prefix_hashed_ ? canonical_sha256_.digest_after_kept(canonical_)
                                                              : canonical_sha256_.digest(canonical_, token_line_end_));
  canonical_prefix_hashed_ = true;
  set_key(credentials);
  return hmac_.mac(string_to_sign_);
}

Sha256Digest SigV4Signer::sign_payload(std::string_view payload, const Credentials& credentials) {
  canonical_.resize(signed_headers_end_);  // all but the payload hash, as write_canonical_request left it
  canonical_.push_back('\n');
  append_hex_digest(canonical_, sha256_.digest(payload));
  return sign_canonical(credentials);
}

std::optional<std::string_view> SigV4Signer::sign_repeat(std::string_view payload,
                                                         const Credentials& credentials,
                                                         core::SystemTime now) {
  using namespace std::chrono;
  if (!last_valid_ || floor<seconds>(now).time_since_epoch().count() != second_) return std::nullopt;
  // The key and the Authorization prefix are those of the last signing; the token is the one
  // its headers carry.
  if (!keyed_ || key_secret_ != credentials.secret_access_key || !authorization_prefix_valid_ ||
      authorization_access_key_id_ != credentials.access_key_id) {
    return std::nullopt;
  }
  constexpr std::string_view kTokenHeader = "x-amz-security-token";
  const auto token = std::find_if(last_headers_.begin(), last_headers_.end(),
                                  [&](const auto& header) { return header.first == kTokenHeader; });
  const std::string_view signed_token = token == last_headers_.end() ? std::string_view() : token->second;
  if (signed_token != credentials.session_token) return std::nullopt;
  const Sha256Digest signature = sign_payload(payload, credentials);
  repeat_signature_.clear();
  append_hex_digest(repeat_signature_, signature);
  return std::string_view(repeat_signature_);
}

bool SigV4Signer::same_as_last(const SigningRequest& request) const {
  // The path first, short and where two functions differ; the headers, with the 1 KB token, last.
  return last_valid_ && request.path == last_path_ && request.query == last_query_ &&
         request.method == last_method_ && request.headers == last_headers_;
}

void SigV4Signer::remember(const SigningRequest& request) {
  // Copy-assigned: the strings keep their storage, so a remembered request of about the size of
  // the one before costs copies, no allocation.
  last_method_ = request.method;
  last_path_ = request.path;
  last_query_ = request.query;
  last_headers_ = request.headers;
  last_valid_ = true;
}

std::string_view SigV4Signer::sign_into(SigningRequest& request, const Credentials& credentials,
                                        core::SystemTime now, SigningResult* trace) {
  set_time(now);
  // Re-signing (a retry) must not leave stale or duplicate signing headers behind.
  std::erase_if(request.headers, [](const auto& header) { return is_signing_header(header.first); });
  request.headers.emplace_back("x-amz-date", amz_date_);
  if (!credentials.session_token.empty()) {
    // Lambda and STS accept the token signed, as the SDKs send it.
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }

  Sha256Digest signature;
  if (same_as_last(request)) {
    signature = sign_payload(request.payload, credentials);
  } else {
    last_valid_ = false;  // until canonical_ is whole again: a throw midway must not leave a match
    write_canonical_request(request);
    remember(request);
    signature = sign_canonical(credentials);
  }

  if (!authorization_prefix_valid_ || authorization_access_key_id_ != credentials.access_key_id) {
    authorization_prefix_.assign(kAlgorithm).append(" Credential=").append(credentials.access_key_id);
    authorization_prefix_.append("/").append(scope_).append(", SignedHeaders=");
    authorization_access_key_id_ = credentials.access_key_id;
    authorization_prefix_valid_ = true;
  }
  constexpr std::string_view kSignatureLabel = ", Signature=";
  const std::string_view signed_headers =
      std::string_view(canonical_).substr(signed_headers_begin_, signed_headers_end_ - signed_headers_begin_);
  std::string authorization;
  authorization.reserve(authorization_prefix_.size() + signed_headers.size() + kSignatureLabel.size() + 64);
  authorization.append(authorization_prefix_).append(signed_headers).append(kSignatureLabel);
  append_hex_digest(authorization, signature);

  if (trace) {
    trace->canonical_request = canonical_;
    trace->string_to_sign = string_to_sign_;
    trace->signature = authorization.substr(authorization.size() - 64);
    trace->authorization = authorization;
  }
  request.headers.emplace_back("authorization", std::move(authorization));
  return request.headers.back().second;
}

}  // namespace lambdagate::aws
