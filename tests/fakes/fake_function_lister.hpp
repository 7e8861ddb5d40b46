#pragma once
// FakeFunctionLister: a discovery::FunctionLister that answers from handlers and records every
// call with the FakeClock's time, so Discoverer logic (paging, guards, pacing, failures) runs
// without HTTP. serve_pages() scripts a plain paged ListFunctions; unscripted calls fail.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lambdagate/core/clock.hpp"
#include "lambdagate/core/error.hpp"
#include "lambdagate/core/task.hpp"
#include "lambdagate/discovery/function_lister.hpp"

namespace lambdagate::testing {

class FakeFunctionLister final : public discovery::FunctionLister {
 public:
  struct Call {
    std::string operation;      // "ListFunctions" or "ListAliases"
    std::string function_name;  // ListAliases only
    std::string marker;
    core::SystemTime at;
  };
  using FunctionsHandler =
      std::function<aws::ListResult<aws::FunctionVersionInfo>(const std::string& marker)>;
  using AliasesHandler = std::function<aws::ListResult<aws::AliasInfo>(const std::string& function_name,
                                                                       const std::string& marker)>;

  explicit FakeFunctionLister(const core::Clock& clock) : clock_(clock) {}

  void set_functions(FunctionsHandler handler) { functions_ = std::move(handler); }
  void set_aliases(AliasesHandler handler) { aliases_ = std::move(handler); }

  // ListFunctions answers page i for marker "" (i = 0) or "page-i", with NextMarker "page-(i+1)"
  // on every page but the last.
  void serve_pages(std::vector<std::vector<aws::FunctionVersionInfo>> pages) {
    set_functions(
        [pages = std::move(pages)](const std::string& marker) -> aws::ListResult<aws::FunctionVersionInfo> {
          std::size_t index = 0;
          if (!marker.empty()) {
            if (!marker.starts_with("page-"))
              return core::Error{core::ErrorKind::LambdaRejected, "bad marker"};
            index = std::stoul(marker.substr(5));
          }
          if (index >= pages.size()) return core::Error{core::ErrorKind::LambdaRejected, "no such page"};
          aws::ListPage<aws::FunctionVersionInfo> page;
          page.items = pages[index];
          if (index + 1 < pages.size()) page.next_marker = "page-" + std::to_string(index + 1);
          return page;
        });
  }

  const std::vector<Call>& calls() const { return calls_; }
  std::vector<Call> calls_of(const std::string& operation) const {
    std::vector<Call> out;
    for (const Call& call : calls_) {
      if (call.operation == operation) out.push_back(call);
    }
    return out;
  }

  lambdagate::core::Task<aws::ListResult<aws::FunctionVersionInfo>> list_functions_page(
      std::string marker, core::Deadline) override {
    calls_.push_back(Call{"ListFunctions", "", marker, clock_.system_now()});
    if (!functions_)
      co_return core::Error{core::ErrorKind::UpstreamUnavailable, "FakeFunctionLister: unscripted"};
    co_return functions_(marker);
  }

  lambdagate::core::Task<aws::ListResult<aws::AliasInfo>> list_aliases_page(std::string function_name,
                                                                            std::string marker,
                                                                            core::Deadline) override {
    calls_.push_back(Call{"ListAliases", function_name, marker, clock_.system_now()});
    if (!aliases_)
      co_return core::Error{core::ErrorKind::UpstreamUnavailable, "FakeFunctionLister: unscripted"};
    co_return aliases_(function_name, marker);
  }

 private:
  const core::Clock& clock_;
  FunctionsHandler functions_;
  AliasesHandler aliases_;
  std::vector<Call> calls_;
};

// A ListFunctions item.
inline aws::FunctionVersionInfo function_version(std::string name, std::string version = "$LATEST") {
  std::string arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name;
  if (version != "$LATEST") arn += ":" + version;
  return aws::FunctionVersionInfo{std::move(name), std::move(version), std::move(arn)};
}

// A ListAliases item.
inline aws::AliasInfo alias(std::string name, std::string function_version) {
  return aws::AliasInfo{std::move(name), std::move(function_version), ""};
}

// A failed listing call as the listing client reports it.
inline core::Error listing_error(core::ErrorKind kind, unsigned status, std::string message) {
  core::Error error{kind, std::move(message)};
  error.upstream_status = status;
  return error;
}

}  // namespace lambdagate::testing
