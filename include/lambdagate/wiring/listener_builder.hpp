#pragma once
// Listener building: each Gateway bind_gateways() finds (config/gateway_binding.hpp) made ready
// for the request path: the route table of the VirtualServices it serves and, for an ssl
// Gateway, the TLS contexts of their certificates (from a kubernetes.io/tls Secret document or
// from sslFiles read now). Built with every snapshot, so a reload rotates certificates; a
// certificate that cannot be used is an error of the load, with the file and line of its
// sslConfig, and the snapshot in force stays.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lambdagate/config/model.hpp"
#include "lambdagate/http/tls_server_context.hpp"
#include "lambdagate/proxy/snapshot.hpp"

namespace lambdagate::wiring {

// Reads a whole file; nullopt with `error` set when it cannot.
using FileReader = std::function<std::optional<std::string>(const std::string& path, std::string& error)>;
std::optional<std::string> read_whole_file(const std::string& path, std::string& error);

// Where problems go, as "FILE:LINE: VirtualService ns/name: sslConfig: why". With
// `files_optional` (--validate, on a machine without the mounted Secret volume), an sslFiles
// file that cannot be read is a warning and its certificate is left out; else an error.
struct ListenerProblems {
  std::vector<std::string>& errors;
  std::vector<std::string>& warnings;
  bool files_optional = false;
};

// The certificates a set of VirtualServices with sslConfig serve, in their order.
std::vector<http::ServerCertificate> server_certificates(
    const config::Config& config, const std::vector<const config::VirtualService*>& served,
    const FileReader& read, ListenerProblems& problems);

std::vector<proxy::ListenerRuntime> build_listeners(const std::shared_ptr<const config::Config>& config,
                                                    const FileReader& read, ListenerProblems& problems);

// The files sslFiles names, for the config watcher (a kubelet Secret volume swap is a change).
std::vector<std::string> ssl_file_paths(const config::Config& config);

}  // namespace lambdagate::wiring
