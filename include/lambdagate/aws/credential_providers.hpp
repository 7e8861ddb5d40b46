#pragma once
// The credential providers that fetch over the network, one class per source (DESIGN.md §2):
// web identity (EKS IRSA), AssumeRole chained on base credentials, and container credentials
// (EKS Pod Identity). Each fetch is bounded by a timeout and reads its token file afresh.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "lambdagate/aws/credentials.hpp"
#include "lambdagate/aws/credentials_cache.hpp"
#include "lambdagate/aws/sigv4.hpp"
#include "lambdagate/aws/sts.hpp"
#include "lambdagate/core/clock.hpp"
#include "lambdagate/http/client.hpp"

namespace lambdagate::aws {

struct StsCallOptions {
  http::Endpoint endpoint;
  std::string signing_region;  // for AssumeRole's signature
  std::chrono::milliseconds timeout{5000};
  std::optional<std::chrono::seconds> duration;  // DurationSeconds; unset = the role's default
};

// AssumeRoleWithWebIdentity with the token in `token_file`, re-read at every fetch (kubelet
// rotates it). The token never appears in an error message or a log line.
class WebIdentityCredentialsProvider final : public CredentialsProvider {
public:
  WebIdentityCredentialsProvider(http::HttpClient& http, StsCallOptions sts, std::string role_arn,
                                 std::string token_file, std::string session_name, const core::Clock& clock);
  core::Task<CredentialsResult> fetch() override;
  std::string source() const override;

private:
  http::HttpClient& http_;
  StsCallOptions sts_;
  std::string role_arn_;
  std::string token_file_;
  std::string session_name_;
  const core::Clock& clock_;
};

// sts:AssumeRole signed with the base credentials of `base` (one level of chaining).
class AssumeRoleCredentialsProvider final : public CredentialsProvider {
public:
  AssumeRoleCredentialsProvider(http::HttpClient& http, StsCallOptions sts, std::string role_arn,
                                std::string session_name, std::shared_ptr<const CredentialsCache> base,
                                const core::Clock& clock);
  core::Task<CredentialsResult> fetch() override;
  std::string source() const override;

private:
  http::HttpClient& http_;
  StsCallOptions sts_;
  std::string role_arn_;
  std::string session_name_;
  std::shared_ptr<const CredentialsCache> base_;
  const core::Clock& clock_;
  SigV4Signer signer_;  // one per provider: keeps the derived key while the base secret is unchanged
};

// GET AWS_CONTAINER_CREDENTIALS_FULL_URI with the token from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read at every fetch) as Authorization.
// Plain http only to loopback or the EKS/ECS link-local agents.
class ContainerCredentialsProvider final : public CredentialsProvider {
public:
  ContainerCredentialsProvider(http::HttpClient& http, http::Endpoint endpoint, std::string path_and_query,
                               std::string token_file, std::chrono::milliseconds timeout, const core::Clock& clock);
  core::Task<CredentialsResult> fetch() override;
  std::string source() const override;

private:
  http::HttpClient& http_;
  http::Endpoint endpoint_;
  std::string target_;
  std::string token_file_;
  std::chrono::milliseconds timeout_;
  const core::Clock& clock_;
};

// Whether plain http is allowed for a container credentials URI (loopback, 169.254.170.2,
// 169.254.170.23, fd00:ec2::23).
bool container_endpoint_allowed(const http::Endpoint& endpoint);

}  // namespace lambdagate::aws
