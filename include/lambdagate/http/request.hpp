#pragma once
// The inbound request type, and the arena its header fields are allocated from while a session
// serves it (issue 14). Beast allocates each field of a request on its own, and its method and
// target once more: five to fifteen allocations and as many frees per request, the largest item
// left in the gateway's allocator profile. A RequestArena lives in the frame that serves one
// request (detail::serve_request), which is allocated anyway; the request's fields are carved
// out of it one after the other and given back all at once when the request is done. A request
// whose fields do not fit takes the rest from the heap, as before.
//
// What may hold arena memory: the parser and the Request that serve_request releases from it,
// both in the same frame as the arena. A copy of a Request, or one assigned to a Request made
// without the arena, takes heap memory (the allocator is not propagated), so it may outlive the
// request; a Request move-constructed from one in the arena shares it and must not (no code here
// does: handlers take the request by reference).
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace lambdagate::http {

// A bump allocator over a fixed block: allocate takes the next bytes, deallocate gives back
// nothing (the block is reused only with a new arena); past the block, the heap.
class RequestArena {
 public:
  static constexpr std::size_t kBytes = 1024;  // a typical API client's request header, and more

  RequestArena() = default;
  RequestArena(const RequestArena&) = delete;
  RequestArena& operator=(const RequestArena&) = delete;

  // `alignment`: a power of two, at most alignof(std::max_align_t) (ArenaAllocator checks).
  void* allocate(std::size_t bytes, std::size_t alignment) {
    const std::size_t at = (used_ + alignment - 1) & ~(alignment - 1);
    if (at <= kBytes && bytes <= kBytes - at) {
      used_ = at + bytes;
      return block_ + at;
    }
    return ::operator new(bytes);
  }
  void deallocate(void* pointer) noexcept {
    if (!owns(pointer)) ::operator delete(pointer);
  }
  bool owns(const void* pointer) const noexcept {
    const auto* byte = static_cast<const std::byte*>(pointer);
    return byte >= block_ && byte < block_ + kBytes;
  }
  std::size_t used() const { return used_; }

 private:
  alignas(std::max_align_t) std::byte block_[kBytes];
  std::size_t used_ = 0;
};

// The standard allocator interface over a RequestArena; without one (default-constructed, and
// every copy of a container made with it) it is the heap's operator new and delete.
template <class T>
class ArenaAllocator {
 public:
  using value_type = T;
  // A container keeps its allocator on copy and move assignment and on swap: its elements stay
  // where they were allocated, and a copy is made with the heap (below).
  using propagate_on_container_copy_assignment = std::false_type;
  using propagate_on_container_move_assignment = std::false_type;
  using propagate_on_container_swap = std::false_type;
  using is_always_equal = std::false_type;

  ArenaAllocator() noexcept = default;
  explicit ArenaAllocator(RequestArena* arena) noexcept : arena_(arena) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& other) noexcept  // NOLINT(google-explicit-constructor)
      : arena_(other.arena()) {}

  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t), "the arena and operator new align to max_align_t");
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    if (arena_ == nullptr) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* pointer, std::size_t /*n*/) noexcept {
    if (arena_ == nullptr) {
      ::operator delete(pointer);
    } else {
      arena_->deallocate(pointer);
    }
  }
  // A copy of a request's fields (say, kept past the request) must not point into its arena.
  ArenaAllocator select_on_container_copy_construction() const noexcept { return ArenaAllocator(); }

  RequestArena* arena() const noexcept { return arena_; }
  template <class U>
  bool operator==(const ArenaAllocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  RequestArena* arena_ = nullptr;
};

using RequestFields = boost::beast::http::basic_fields<ArenaAllocator<char>>;
using Request = boost::beast::http::request<boost::beast::http::string_body, RequestFields>;
using RequestHeader = boost::beast::http::request_header<RequestFields>;  // a Request's header part

}  // namespace lambdagate::http
