#pragma once
// ResponseHeaders: the header fields of an upstream response, in arrival order, in one buffer
// (each parsed line copied whole; a field added by name and value, the two back to back), with an
// index of where each name and value sit. A list of string pairs allocated once per name or value
// longer than the short-string buffer: about seven times for each Lambda answer (Date, the
// request id, X-Amz-Executed-Version, ...). Here all of them take two allocations, the bytes and
// the index, reserved once, and a parsed head is copied in one piece (issue 14).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdagate::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class ResponseHeaders {
 public:
  // One field. Named as std::pair's members, so code written for a list of pairs reads it the same.
  struct Field {
    std::string_view first;   // the name, as it arrived
    std::string_view second;  // the value
    bool operator==(const Field&) const = default;
  };

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    const_iterator() = default;
    Field operator*() const { return (*headers_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }

   private:
    friend class ResponseHeaders;
    const_iterator(const ResponseHeaders* headers, std::size_t index) : headers_(headers), index_(index) {}
    const ResponseHeaders* headers_ = nullptr;
    std::size_t index_ = 0;
  };

  ResponseHeaders() = default;
  // The fields in order (tests and fakes build responses this way).
  ResponseHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  ResponseHeaders(const HeaderList& fields);  // NOLINT(google-explicit-constructor): as above

  // Room for `fields` fields of `bytes` name and value bytes in all, before they arrive.
  void reserve(std::size_t fields, std::size_t bytes);
  void add(std::string_view name, std::string_view value);
  // Fields as the parser has them: a block of header lines, copied in one piece. index_field
  // records one field by where its name and value are in the block (offsets from its start), and
  // add_block(block) then copies the block and makes the fields recorded since the last
  // add_block valid: one copy for a response's head instead of one per line. Nothing else may be
  // added in between, and those fields may not be read before their block is added.
  void index_field(std::size_t name_at, std::size_t name_size, std::size_t value_at, std::size_t value_size);
  void add_block(std::string_view block);
  void clear();

  // The first value of `name`, compared case-insensitively.
  std::optional<std::string_view> find(std::string_view name) const;

  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  Field operator[](std::size_t i) const;
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, spans_.size()); }

  // Same fields, in the same order, names compared as they are.
  friend bool operator==(const ResponseHeaders& a, const ResponseHeaders& b);
  friend bool operator==(const ResponseHeaders& a, const HeaderList& b);

 private:
  // Where a field's name and value sit in bytes_. Offsets, not views: a copied or moved
  // ResponseHeaders stays valid whatever its string does with short contents.
  struct Span {
    std::uint32_t name_at;
    std::uint32_t name_size;
    std::uint32_t value_at;
    std::uint32_t value_size;
  };
  // Copies `first` then `second` to the end of bytes_ and indexes the field they hold: the name
  // the first `name_size` bytes, the value `value_size` bytes from `value_offset` on.
  void append(std::string_view first, std::string_view second, std::size_t name_size,
              std::size_t value_offset, std::size_t value_size);
  static void check_size(std::size_t bytes);

  std::string bytes_;
  std::vector<Span> spans_;
};

}  // namespace lambdagate::http
