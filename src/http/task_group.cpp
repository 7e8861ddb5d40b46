// TaskGroup: a listener's sessions, cancellable and awaitable as a group (see task_group.hpp).
#include "lambdagate/http/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <vector>
#include "lambdagate/core/task.hpp"

namespace lambdagate::http {

namespace asio = boost::asio;

TaskGroup::TaskGroup(core::Executor executor, ErrorHandler on_error)
    : executor_(executor),
      on_error_(std::move(on_error)),
      emptied_(executor, asio::steady_timer::time_point::max()) {}

void TaskGroup::cancel(asio::cancellation_type type, bool idle_only) {
  // A copy of the list's positions: emitting may complete a task at once, which erases it.
  std::vector<std::list<Member>::iterator> targets;
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (!idle_only || it->idle) targets.push_back(it);
  }
  for (auto it : targets) it->signal.emit(type);
}

TaskGroup::MemberHandle TaskGroup::join() { return members_.emplace(members_.end()); }

void TaskGroup::leave(MemberHandle member) {
  members_.erase(member);
  if (members_.empty()) emptied_.cancel();
}

void TaskGroup::finished(MemberHandle member, std::exception_ptr failure) {
  members_.erase(member);
  if (failure && on_error_) on_error_(failure);
  if (members_.empty()) emptied_.cancel();
}

core::Task<void> TaskGroup::wait_empty() {
  while (!members_.empty()) {
    // Woken when the group empties; if the waiter itself was cancelled, the next co_await throws.
    auto [ec] = co_await emptied_.async_wait(asio::as_tuple(core::use_task));
    (void)ec;
  }
}

}  // namespace lambdagate::http
