#pragma once
// The coroutine type of the whole gateway. Every coroutine runs on an io_context (one per worker,
// plus the control thread's), so it carries that concrete executor instead of Asio's default
// any_io_executor: the type-erased executor was copied, moved, compared and destroyed at every
// co_await and handler hop (≈ 4k instructions per proxied request), where io_context's executor
// is one pointer.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lambdagate::core {

using Executor = boost::asio::io_context::executor_type;

template <class T>
using Task = boost::asio::awaitable<T, Executor>;

// The completion token that makes an asynchronous operation awaitable inside a Task.
inline constexpr boost::asio::use_awaitable_t<Executor> use_task{};

}  // namespace lambdagate::core
