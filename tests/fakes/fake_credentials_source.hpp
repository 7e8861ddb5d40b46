#pragma once
// FakeCredentialsSource: an aws::CredentialsSource that hands out whatever the test put in it (or
// nothing), and remembers how often and at what time it was asked.
#include <memory>

#include "lambdagate/aws/credentials.hpp"

namespace lambdagate::testing {

class FakeCredentialsSource final : public aws::CredentialsSource {
 public:
  FakeCredentialsSource() = default;
  explicit FakeCredentialsSource(aws::Credentials credentials)
      : credentials(std::make_shared<const aws::Credentials>(std::move(credentials))) {}

  std::shared_ptr<const aws::Credentials> current(core::SystemTime now) const override {
    ++calls;
    asked_at = now;
    return credentials;
  }

  std::shared_ptr<const aws::Credentials> credentials;
  mutable int calls = 0;
  mutable core::SystemTime asked_at{};
};

}  // namespace lambdagate::testing
