// ResponseHeaders: one buffer for an upstream response's fields (see response_headers.hpp).
#include "lambdagate/http/response_headers.hpp"

#include <strings.h>

#include <stdexcept>

namespace lambdagate::http {

ResponseHeaders::ResponseHeaders(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [name, value] : fields) add(name, value);
}

ResponseHeaders::ResponseHeaders(const HeaderList& fields) {
  for (const auto& [name, value] : fields) add(name, value);
}

void ResponseHeaders::reserve(std::size_t fields, std::size_t bytes) {
  spans_.reserve(fields);
  bytes_.reserve(bytes);
}

void ResponseHeaders::check_size(std::size_t bytes) {
  if (bytes > UINT32_MAX) throw std::length_error("response headers too large");
}

void ResponseHeaders::append(std::string_view first, std::string_view second, std::size_t name_size,
                             std::size_t value_offset, std::size_t value_size) {
  const std::size_t at = bytes_.size();
  check_size(at + first.size() + second.size());
  bytes_.append(first).append(second);
  spans_.push_back(Span{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name_size),
                        static_cast<std::uint32_t>(at + value_offset),
                        static_cast<std::uint32_t>(value_size)});
}

void ResponseHeaders::add(std::string_view name, std::string_view value) {
  append(name, value, name.size(), name.size(), value.size());
}

void ResponseHeaders::index_field(std::size_t name_at, std::size_t name_size, std::size_t value_at,
                                  std::size_t value_size) {
  // The block goes in at the end of bytes_: its offsets count from there.
  const std::size_t base = bytes_.size();
  check_size(base + value_at + value_size);
  spans_.push_back(Span{static_cast<std::uint32_t>(base + name_at), static_cast<std::uint32_t>(name_size),
                        static_cast<std::uint32_t>(base + value_at), static_cast<std::uint32_t>(value_size)});
}

void ResponseHeaders::add_block(std::string_view block) {
  check_size(bytes_.size() + block.size());
  bytes_.append(block);
}

void ResponseHeaders::clear() {
  bytes_.clear();
  spans_.clear();
}

ResponseHeaders::Field ResponseHeaders::operator[](std::size_t i) const {
  const Span& span = spans_[i];
  return Field{std::string_view(bytes_.data() + span.name_at, span.name_size),
               std::string_view(bytes_.data() + span.value_at, span.value_size)};
}

std::optional<std::string_view> ResponseHeaders::find(std::string_view name) const {
  // Most names differ from the one sought in length, which spares them the compare.
  for (const Span& span : spans_) {
    if (span.name_size == name.size() &&
        strncasecmp(bytes_.data() + span.name_at, name.data(), name.size()) == 0) {
      return std::string_view(bytes_.data() + span.value_at, span.value_size);
    }
  }
  return std::nullopt;
}

namespace {

// Same fields in the same order; `Fields` is anything indexed by position whose elements have
// the name as `first` and the value as `second`.
template <class Fields>
bool same_fields(const ResponseHeaders& a, const Fields& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first || a[i].second != b[i].second) return false;
  }
  return true;
}

}  // namespace

bool operator==(const ResponseHeaders& a, const ResponseHeaders& b) { return same_fields(a, b); }
bool operator==(const ResponseHeaders& a, const HeaderList& b) { return same_fields(a, b); }

}  // namespace lambdagate::http
