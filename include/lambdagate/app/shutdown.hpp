#pragma once
// The shutdown sequence (DESIGN.md §1, SIGTERM/SIGINT) as explicit steps, so each is named, and
// so the sequence is tested with fakes and a FakeClock (shutdown_test.cpp):
//
//   1. announce_draining   /readyz answers 503 at once; reloads and discovery stop.
//   1b. shutdown delay     keep accepting and serving for --shutdown-delay (through the
//                          Sleeper), so load balancers see the 503 and stop sending before the
//                          listeners close.
//   2. stop_accepting      listeners close; requests arriving on open connections get 503
//                          draining; idle keep-alive connections close now, busy ones after their
//                          response.
//   3. drain               wait for the open connections, bounded by --drain-timeout.
//   4. cut off             what is left is cancelled (terminal) and awaited while it unwinds,
//                          bounded by a short grace.
//   5. stop_background     the admin listener, credential refreshes and discovery end.
//
// Every wait goes through the Sleeper. The runtime implements ShutdownTarget over its workers.
#include <chrono>
#include <cstddef>

#include "lambdagate/core/sleeper.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::app {

// What shutting down does to the process, step by step.
class ShutdownTarget {
 public:
  virtual ~ShutdownTarget() = default;
  // Step 1: readiness turns 503; configuration reloads and function discovery stop.
  virtual void announce_draining() = 0;
  // Step 2: listeners stop accepting; open connections close after their current response (idle
  // ones now); new requests on them are refused with 503 draining.
  virtual void stop_accepting() = 0;
  // Completes when no client connection is left. Cancellable: steps 3 and 4 bound it.
  virtual core::Task<void> connections_closed() = 0;
  virtual std::size_t open_connections() const = 0;
  // Step 4: cancels every connection still open (terminal), so its coroutine unwinds.
  virtual void cancel_connections() = 0;
  // Step 5: ends the admin listener, credential refreshes and discovery; completes when they
  // have ended.
  virtual core::Task<void> stop_background() = 0;
};

struct ShutdownPlan {
  // How long the listeners keep serving after readiness turned 503 (--shutdown-delay).
  std::chrono::steady_clock::duration shutdown_delay = std::chrono::seconds(0);
  // How long in-flight requests may take (--drain-timeout).
  std::chrono::steady_clock::duration drain_timeout = std::chrono::seconds(20);
  // How long cancelled connections may take to unwind (their pending operations end at once;
  // this only bounds a bug).
  std::chrono::steady_clock::duration unwind_timeout = std::chrono::seconds(5);
};

struct ShutdownReport {
  bool drained = false;     // every connection ended within the drain timeout
  std::size_t cut_off = 0;  // connections still open when it was up
  bool unwound = false;     // no connection left at the end (all coroutines unwound)
};

// Runs the sequence. Meant for the control thread; `sleeper` times the bounded waits.
core::Task<ShutdownReport> shut_down(ShutdownTarget& target, ShutdownPlan plan,
                                     core::Sleeper& sleeper);

// Waits for `target.connections_closed()`, at most `limit`; true when they closed in time.
core::Task<bool> connections_closed_within(ShutdownTarget& target,
                                           std::chrono::steady_clock::duration limit,
                                           core::Sleeper& sleeper);

}  // namespace lambdagate::app
