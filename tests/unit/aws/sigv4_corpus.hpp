#pragma once
// The AWS signing corpora in tests/data/sigv4 (see its README.md) as the SigV4 tests read them:
// request files parsed, cases found, and the pure steps of sigv4.hpp composed as a signer does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lambdagate/aws/sigv4.hpp"

namespace lambdagate::testing::sigv4_corpus {

namespace fs = std::filesystem;
namespace sigv4 = lambdagate::aws::sigv4;
using lambdagate::aws::Credentials;
using lambdagate::aws::HeaderList;
using lambdagate::aws::SigningRequest;
using lambdagate::aws::SigV4Signer;

inline const fs::path kCorpus = fs::path(LAMBDAGATE_TEST_DATA) / "sigv4";

// Set A stores its fixed inputs nowhere: the README lists them and the consumer hard-codes them.
inline constexpr const char* kAccessKeyId = "AKIDEXAMPLE";
inline constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kRegion = "us-east-1";
inline constexpr const char* kService = "service";
inline constexpr const char* kVanillaSessionToken =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct ParsedRequest {
  std::string method;
  std::string path;   // raw, as in the request line
  std::string query;  // without '?'
  HeaderList headers;
  std::string body;
};

// Parses the corpus' request files: LF line ends, headers `Name:value`, folded continuation
// lines, a blank line before an optional body, and request lines whose path holds a raw space
// (get-space), so the method ends at the first space and the version starts at the last.
inline ParsedRequest parse_request(std::string_view text) {
  ParsedRequest out;
  std::string_view head = text;
  if (const auto blank = text.find("\n\n"); blank != std::string_view::npos) {
    head = text.substr(0, blank);
    out.body = std::string(text.substr(blank + 2));
  }
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos <= head.size();) {
    auto end = std::min(head.find('\n', pos), head.size());
    auto line = head.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();  // files that end with '\n'
  if (lines.empty()) throw std::runtime_error("empty request");

  const std::string_view request_line = lines.front();
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) {
    throw std::runtime_error("bad request line: " + std::string(request_line));
  }
  out.method = std::string(request_line.substr(0, first_space));
  const std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  const auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) out.query = std::string(target.substr(question + 1));

  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.headers.empty()) throw std::runtime_error("continuation line before any header");
      // Folded value: one space stands for the line break, canonicalization trims the rest.
      out.headers.back().second.append(" ").append(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line: " + std::string(line));
    out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return out;
}

inline std::optional<std::string> header_value(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == lower_name) return value;
  }
  return std::nullopt;
}

inline std::size_t header_count(const HeaderList& headers, std::string_view lower_name) {
  return static_cast<std::size_t>(std::count_if(headers.begin(), headers.end(), [&](const auto& h) {
    std::string lower(h.first);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return lower == lower_name;
  }));
}

// "2015-08-30T12:36:00Z" → time point.
inline lambdagate::core::SystemTime parse_iso8601(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) {
    throw std::runtime_error("bad timestamp " + text);
  }
  using namespace std::chrono;
  return sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}} + hours{h} +
         minutes{mi} + seconds{s};
}

inline lambdagate::core::SystemTime corpus_time() { return parse_iso8601("2015-08-30T12:36:00Z"); }

struct Computed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;
};

// The pure functions in sequence, as a signer composes them.
inline Computed compute(const ParsedRequest& request, const std::string& amz_date,
                        const std::string& access_key_id, const std::string& secret,
                        const std::string& region, const std::string& service, bool normalize) {
  Computed out;
  const auto headers = sigv4::canonical_headers(request.headers);
  out.canonical_request = sigv4::canonical_request(
      request.method, sigv4::canonical_uri(request.path, normalize),
      sigv4::canonical_query_string(request.query), headers, sigv4::sha256_hex(request.body));
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = sigv4::credential_scope(date, region, service);
  out.string_to_sign = sigv4::string_to_sign(amz_date, scope, out.canonical_request);
  out.signature =
      sigv4::signature_hex(sigv4::derive_signing_key(secret, date, region, service), out.string_to_sign);
  out.authorization =
      sigv4::authorization_header(access_key_id, scope, headers.signed_headers, out.signature);
  return out;
}

// --- corpus discovery --------------------------------------------------------------------------

struct SetACase {
  std::string name;  // relative to aws4_testsuite, e.g. "normalize-path/get-slash"
  fs::path dir;
  fs::path file(const char* ext) const { return dir / (dir.filename().string() + ext); }
};

// A set-A case is any directory holding <dirname>.req, at any depth.
inline std::vector<SetACase> set_a_cases() {
  const fs::path root = kCorpus / "aws4_testsuite";
  std::vector<SetACase> cases;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const fs::path req = entry.path() / (entry.path().filename().string() + ".req");
    if (fs::exists(req)) cases.push_back({fs::relative(entry.path(), root).generic_string(), entry.path()});
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

struct SetBCase {
  std::string name;
  fs::path dir;
  nlohmann::json context;
};

inline std::vector<SetBCase> set_b_cases() {
  const fs::path root = kCorpus / "aws-signing-test-suite" / "v4";
  std::vector<SetBCase> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "context.json")) continue;
    cases.push_back({entry.path().filename().string(), entry.path(),
                     nlohmann::json::parse(read_file(entry.path() / "context.json"))});
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

// The request of a set-B case with what aws-c-auth's harness adds before signing: X-Amz-Date,
// x-amz-content-sha256 when `sign_body`, and the session token unless `omit_session_token`
// (then it is added after signing and stays out of the signature).
inline ParsedRequest set_b_request(const SetBCase& c, bool with_date) {
  ParsedRequest request = parse_request(read_file(c.dir / "request.txt"));
  if (with_date) {
    request.headers.emplace_back(
        "X-Amz-Date", sigv4::format_amz_date(parse_iso8601(c.context.at("timestamp").get<std::string>())));
  }
  if (c.context.value("sign_body", false)) {
    request.headers.emplace_back("x-amz-content-sha256", sigv4::sha256_hex(request.body));
  }
  const auto& creds = c.context.at("credentials");
  if (with_date && creds.contains("token") && !c.context.value("omit_session_token", false)) {
    request.headers.emplace_back("X-Amz-Security-Token", creds.at("token").get<std::string>());
  }
  return request;
}

inline Credentials set_b_credentials(const SetBCase& c) {
  const auto& creds = c.context.at("credentials");
  Credentials out;
  out.access_key_id = creds.at("access_key_id").get<std::string>();
  out.secret_access_key = creds.at("secret_access_key").get<std::string>();
  out.session_token = creds.value("token", "");
  return out;
}

// The Authorization line of a set-B header-signed-request.txt.
inline std::string signed_request_authorization(const fs::path& file) {
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Authorization:", 0) == 0) return line.substr(std::string("Authorization:").size());
  }
  return {};
}

inline SigningRequest to_signing_request(const ParsedRequest& request) {
  SigningRequest out;
  out.method = request.method;
  out.path = request.path;
  out.query = request.query;
  out.headers = request.headers;
  out.payload = request.body;  // views `request`, which outlives the signing
  return out;
}

}  // namespace lambdagate::testing::sigv4_corpus
