#pragma once
// TaskGroup: the coroutines of one listener (its sessions), each started with its own
// cancellation signal, so that shutdown can cancel them — the idle ones, or all — and wait until
// every one has ended (the task_group of Beast's server-flex-awaitable example). One group lives on
// one executor (a worker's io_context) and is used only from it, so it takes no lock. A task that
// ends with an exception is reported to the group's error handler, never dropped. A member may
// also outlive any one task (join / leave): a plain keep-alive connection runs one task per
// request and none while it waits for the next (Server, issue 14).
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <utility>
#include "lambdagate/core/task.hpp"

namespace lambdagate::http {

class TaskGroup {
 public:
  // One task of the group.
  struct Member {
    boost::asio::cancellation_signal signal;
    // Set by the task while it waits for work (a keep-alive connection between requests):
    // cancelling it then loses nothing.
    bool idle = false;
  };
  using ErrorHandler = std::function<void(std::exception_ptr)>;
  // A member's place in the group: stable until it leaves.
  using MemberHandle = std::list<Member>::iterator;

  TaskGroup(core::Executor executor, ErrorHandler on_error);
  // Destroy only once empty (wait_empty()): the tasks refer to their members.
  ~TaskGroup() = default;
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `make(member)`, an awaitable<void>, as a member of the group, bound to the member's
  // cancellation signal.
  template <class MakeTask>
  void spawn(MakeTask make);

  // Adds a member whose owner binds its own operations to the member's signal and calls
  // leave() once it is done (after the last completion handler bound to that signal has run).
  MemberHandle join();
  void leave(MemberHandle member);

  // Emits `type` to every member, or only to the idle ones.
  void cancel(boost::asio::cancellation_type type, bool idle_only = false);

  std::size_t size() const { return members_.size(); }
  // Completes once the group is empty (at once if it is). Cancellable.
  core::Task<void> wait_empty();

 private:
  void finished(MemberHandle member, std::exception_ptr failure);

  core::Executor executor_;
  ErrorHandler on_error_;
  std::list<Member> members_;
  // Never expires on its own: cancelled (which wakes every wait_empty) when the group empties.
  boost::asio::steady_timer emptied_;
};

template <class MakeTask>
void TaskGroup::spawn(MakeTask make) {
  auto member = members_.emplace(members_.end());
  auto task = make(*member);
  boost::asio::co_spawn(
      executor_, std::move(task),
      boost::asio::bind_cancellation_slot(
          member->signal.slot(), [this, member](std::exception_ptr e) { finished(member, std::move(e)); }));
}

}  // namespace lambdagate::http
