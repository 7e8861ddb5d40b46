#pragma once
// FunctionLister: the listing calls a Discoverer makes, one page at a time. The seam for tests
// (tests/fakes/fake_function_lister.hpp); LambdaFunctionLister is the real one, over
// aws::LambdaListingClient.
#include <memory>
#include <string>

#include "lambdagate/aws/lambda_listing.hpp"
#include "lambdagate/core/deadline.hpp"
#include "lambdagate/core/task.hpp"

namespace lambdagate::discovery {

class FunctionLister {
 public:
  virtual ~FunctionLister() = default;
  // ListFunctions(FunctionVersion=ALL) from `marker` ("" = the first page).
  virtual core::Task<aws::ListResult<aws::FunctionVersionInfo>> list_functions_page(
      std::string marker, core::Deadline deadline) = 0;
  // ListAliases of one function from `marker` ("" = the first page).
  virtual core::Task<aws::ListResult<aws::AliasInfo>> list_aliases_page(
      std::string function_name, std::string marker, core::Deadline deadline) = 0;
};

class LambdaFunctionLister final : public FunctionLister {
 public:
  explicit LambdaFunctionLister(std::unique_ptr<aws::LambdaListingClient> client)
      : client_(std::move(client)) {}

  core::Task<aws::ListResult<aws::FunctionVersionInfo>> list_functions_page(
      std::string marker, core::Deadline deadline) override;
  core::Task<aws::ListResult<aws::AliasInfo>> list_aliases_page(std::string function_name,
                                                                std::string marker,
                                                                core::Deadline deadline) override;

 private:
  std::unique_ptr<aws::LambdaListingClient> client_;
};

}  // namespace lambdagate::discovery
