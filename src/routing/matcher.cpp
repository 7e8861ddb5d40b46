#include <re2/re2.h>

#include <algorithm>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/core/percent_decoding.hpp"
#include "lambdagate/routing/route_table.hpp"

namespace lambdagate::routing {

namespace {

bool iequals_prefix(std::string_view text, std::string_view folded_prefix) {
  if (text.size() < folded_prefix.size()) return false;
  for (std::size_t i = 0; i < folded_prefix.size(); ++i) {
    if (core::ascii_lower(text[i]) != folded_prefix[i]) return false;
  }
  return true;
}

std::unique_ptr<re2::RE2> compile(const std::string& pattern, bool case_sensitive = true) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  return std::make_unique<re2::RE2>(pattern, options);
}

// A query component as form encoding writes it: %XX escapes, and '+' for a space.
std::string decode_component(std::string_view in) { return core::percent_decode(in, core::PlusMeans::Space); }

// The value of query parameter `name` (first occurrence), or nullopt when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (decode_component(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string{} : decode_component(pair.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

CompiledMatcher::CompiledMatcher(const config::Matcher& source) : source_(&source) {
  switch (source.kind) {
    case config::PathMatchKind::Prefix:
    case config::PathMatchKind::Exact:
      folded_path_ = source.case_sensitive ? source.path : core::to_lower_ascii(source.path);
      break;
    case config::PathMatchKind::Regex:
      path_regex_ = compile(source.path, source.case_sensitive);
      break;
  }
  for (const auto& h : source.headers) header_regexes_.push_back(h.regex ? compile(h.value) : nullptr);
  for (const auto& q : source.query_parameters) query_regexes_.push_back(q.regex ? compile(q.value) : nullptr);
}

CompiledMatcher::~CompiledMatcher() = default;
CompiledMatcher::CompiledMatcher(CompiledMatcher&&) noexcept = default;
CompiledMatcher& CompiledMatcher::operator=(CompiledMatcher&&) noexcept = default;

bool CompiledMatcher::matches(const RequestView& request) const {
  if (!source_->methods.empty() &&
      std::find(source_->methods.begin(), source_->methods.end(), request.method) == source_->methods.end()) {
    return false;
  }
  return path_matches(request.path) && headers_match(request) && query_matches(request.query);
}

std::string CompiledMatcher::regex_literal_prefix() const {
  // Longer literals would rarely narrow the candidates further; this bounds the work at load.
  constexpr int kMaxLiteral = 128;
  if (!path_regex_ || !path_regex_->ok()) return {};
  std::string min, max;
  if (!path_regex_->PossibleMatchRange(&min, &max, kMaxLiteral) || min > max) return {};
  // RE2 promises min <= s <= max for every s the regex matches from the start of the text, and
  // any string between two strings begins with their common prefix.
  const auto [min_end, max_end] = std::mismatch(min.begin(), min.end(), max.begin(), max.end());
  return std::string(min.begin(), min_end);
}

bool CompiledMatcher::path_matches(std::string_view path) const {
  switch (source_->kind) {
    case config::PathMatchKind::Prefix:
      return source_->case_sensitive ? path.starts_with(folded_path_) : iequals_prefix(path, folded_path_);
    case config::PathMatchKind::Exact:
      return path.size() == folded_path_.size() &&
             (source_->case_sensitive ? path == folded_path_ : iequals_prefix(path, folded_path_));
    case config::PathMatchKind::Regex:
      return path_regex_->ok() && re2::RE2::FullMatch(path, *path_regex_);
  }
  return false;
}

bool CompiledMatcher::headers_match(const RequestView& request) const {
  for (std::size_t i = 0; i < source_->headers.size(); ++i) {
    const auto& spec = source_->headers[i];
    std::optional<std::string_view> value;
    if (spec.name == ":authority" || spec.name == "host") {
      value = request.host;
    } else if (spec.name == ":method") {
      value = request.method;
    } else if (spec.name == ":path") {
      value = request.path;
    } else if (request.headers) {
      value = request.headers->get(spec.name);
    }
    bool matched;
    if (!value) {
      matched = false;
    } else if (header_regexes_[i]) {
      matched = header_regexes_[i]->ok() && re2::RE2::FullMatch(*value, *header_regexes_[i]);
    } else if (spec.value.empty()) {
      matched = true;  // presence
    } else {
      matched = *value == spec.value;
    }
    if (matched == spec.invert_match) return false;
  }
  return true;
}

bool CompiledMatcher::query_matches(std::string_view query) const {
  for (std::size_t i = 0; i < source_->query_parameters.size(); ++i) {
    const auto& spec = source_->query_parameters[i];
    const auto value = query_value(query, spec.name);
    if (!value) return false;
    if (query_regexes_[i]) {
      if (!query_regexes_[i]->ok() || !re2::RE2::FullMatch(*value, *query_regexes_[i])) return false;
    } else if (!spec.value.empty() && *value != spec.value) {
      return false;
    }
  }
  return true;
}

}  // namespace lambdagate::routing
