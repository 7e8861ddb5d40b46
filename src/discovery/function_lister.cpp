// LambdaFunctionLister: FunctionLister over the signed listing calls.
#include "lambdagate/discovery/function_lister.hpp"

namespace lambdagate::discovery {

core::Task<aws::ListResult<aws::FunctionVersionInfo>> LambdaFunctionLister::list_functions_page(
    std::string marker, core::Deadline deadline) {
  // Forwarded as named lvalues (the parameters), never temporaries: GCC 12 coroutine bug.
  co_return co_await client_->list_functions_page(marker, deadline);
}

core::Task<aws::ListResult<aws::AliasInfo>> LambdaFunctionLister::list_aliases_page(
    std::string function_name, std::string marker, core::Deadline deadline) {
  co_return co_await client_->list_aliases_page(function_name, marker, deadline);
}

}  // namespace lambdagate::discovery
