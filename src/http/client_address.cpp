// Which address is the client's (see client_address.hpp).
#include "lambdagate/http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <vector>

namespace lambdagate::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> entries(std::string_view xff) {
  std::vector<std::string_view> out;
  while (!xff.empty()) {
    const std::size_t comma = xff.find(',');
    const std::string_view entry = trim(xff.substr(0, comma));
    if (!entry.empty()) out.push_back(entry);
    if (comma == std::string_view::npos) break;
    xff.remove_prefix(comma + 1);
  }
  return out;
}

// The entry `from_right` places from the right (1 = the last), if it is an IP address.
std::optional<std::string> nth_from_right(const std::vector<std::string_view>& list, std::size_t from_right) {
  if (from_right == 0 || from_right > list.size()) return std::nullopt;
  const std::string_view entry = list[list.size() - from_right];
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(entry), ec);
  if (ec) return std::nullopt;
  return address.to_string();
}

}  // namespace

ClientAddress client_address(std::string_view connection_address, std::string_view xff,
                             const ClientAddressPolicy& policy) {
  const auto list = entries(xff);
  ClientAddress out;
  out.address = std::string(connection_address);
  if (policy.use_remote_address) {
    if (policy.xff_num_trusted_hops > 0) {
      if (auto trusted = nth_from_right(list, policy.xff_num_trusted_hops)) out.address = *trusted;
    }
    if (!policy.skip_xff_append && !connection_address.empty()) {
      out.forwarded_for = xff.empty() ? std::string(connection_address)
                                      : std::string(trim(xff)) + ", " + std::string(connection_address);
    }
    return out;
  }
  if (auto trusted = nth_from_right(list, std::size_t{policy.xff_num_trusted_hops} + 1)) out.address = *trusted;
  return out;
}

}  // namespace lambdagate::http
