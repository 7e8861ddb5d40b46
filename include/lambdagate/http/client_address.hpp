#pragma once
// Which address is the client's, and what X-Forwarded-For says after this hop (Envoy's
// use_remote_address / xff_num_trusted_hops / skip_xff_append, set through Gloo's
// httpConnectionManagerSettings). Pure. The connection's address here is the peer's, or the one
// a PROXY protocol header named.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lambdagate::http {

struct ClientAddressPolicy {
  // lambdagate's default is true (Envoy's is false): at the edge, an X-Forwarded-For the client
  // wrote itself must not choose the address functions and logs see.
  bool use_remote_address = true;
  std::uint32_t xff_num_trusted_hops = 0;
  bool skip_xff_append = false;
};

struct ClientAddress {
  std::string address;                        // the client's: logged, sourceIp in events
  std::optional<std::string> forwarded_for;   // the X-Forwarded-For to send on; unset = leave it
};

// `xff`: the request's X-Forwarded-For values joined with ", " (empty when absent).
// use_remote_address: the client is the connection's address, or with N trusted hops the Nth
// address from the right of X-Forwarded-For (falling back to the connection's when there are
// fewer); the connection's address is appended unless skip_xff_append.
// Otherwise: the client is the (N+1)th address from the right of X-Forwarded-For (the
// connection's when there are fewer), and X-Forwarded-For is left as it is.
// An entry that is not an IP address never becomes the client address.
ClientAddress client_address(std::string_view connection_address, std::string_view xff,
                             const ClientAddressPolicy& policy);

}  // namespace lambdagate::http
