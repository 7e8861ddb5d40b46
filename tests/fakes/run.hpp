#pragma once
// run(): drives one awaitable to completion from a test and hands back its result, rethrowing
// what it throws. Without an io_context it uses a fresh one; with one (that also runs a server or
// other coroutines the operation talks to) it runs that io_context until the operation is done,
// giving up after 30 s of wall time so a hung operation fails the test instead of hanging it.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <utility>
#include "lambdagate/core/task.hpp"

namespace lambdagate::testing {

template <class T>
T run(boost::asio::io_context& io, lambdagate::core::Task<T> awaitable) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(awaitable), [&](std::exception_ptr e, T value) {
    done = true;
    failure = e;
    if (!e) result = std::move(value);
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done && std::chrono::steady_clock::now() < give_up) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  REQUIRE(done);
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

template <class T>
T run(lambdagate::core::Task<T> awaitable) {
  boost::asio::io_context io;
  return run(io, std::move(awaitable));
}

}  // namespace lambdagate::testing
