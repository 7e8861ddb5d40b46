// Which address is the client's (http/client_address.hpp): Envoy's use_remote_address,
// xff_num_trusted_hops and skip_xff_append, with lambdagate's edge default.
#include "lambdagate/http/client_address.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace lambdagate::http;

}  // namespace

// The default (use_remote_address): the connection's address is the client's whatever the client
// wrote in X-Forwarded-For, and it is appended there.
TEST_CASE("client address: the edge default ignores a spoofed X-Forwarded-For", "[http][client-address]") {
  const ClientAddressPolicy policy;
  auto out = client_address("203.0.113.7", "1.1.1.1", policy);
  CHECK(out.address == "203.0.113.7");
  CHECK(out.forwarded_for == "1.1.1.1, 203.0.113.7");
  out = client_address("203.0.113.7", "", policy);
  CHECK(out.forwarded_for == "203.0.113.7");
  ClientAddressPolicy skip;
  skip.skip_xff_append = true;
  CHECK_FALSE(client_address("203.0.113.7", "1.1.1.1", skip).forwarded_for);
}

// Trusted hops: behind N proxies of our own, the Nth address from the right is the client's
// (with use_remote_address), the (N+1)th without; too few entries or a non-address fall back to
// the connection's.
TEST_CASE("client address: trusted hops", "[http][client-address]") {
  ClientAddressPolicy policy;
  policy.xff_num_trusted_hops = 1;
  CHECK(client_address("10.0.0.9", "192.0.2.1, 198.51.100.2", policy).address == "198.51.100.2");
  policy.xff_num_trusted_hops = 2;
  CHECK(client_address("10.0.0.9", "192.0.2.1,198.51.100.2", policy).address == "192.0.2.1");
  policy.xff_num_trusted_hops = 3;
  CHECK(client_address("10.0.0.9", "192.0.2.1, 198.51.100.2", policy).address == "10.0.0.9");

  ClientAddressPolicy envoy;
  envoy.use_remote_address = false;
  CHECK(client_address("10.0.0.9", "192.0.2.1, 198.51.100.2", envoy).address == "198.51.100.2");
  CHECK_FALSE(client_address("10.0.0.9", "192.0.2.1", envoy).forwarded_for);
  envoy.xff_num_trusted_hops = 1;
  CHECK(client_address("10.0.0.9", "192.0.2.1, 198.51.100.2", envoy).address == "192.0.2.1");
  CHECK(client_address("10.0.0.9", "", envoy).address == "10.0.0.9");
  envoy.xff_num_trusted_hops = 0;
  CHECK(client_address("10.0.0.9", "192.0.2.1, not-an-ip", envoy).address == "10.0.0.9");
  CHECK(client_address("10.0.0.9", "2001:db8::1", envoy).address == "2001:db8::1");
}
