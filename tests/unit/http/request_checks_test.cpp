// Checks on a request's header (http/request_checks.hpp): the framing that would desync a
// connection, Host, and the header limits of httpConnectionManagerSettings.
#include "lambdagate/http/request_checks.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace lambdagate;
namespace bhttp = boost::beast::http;

http::Request head(unsigned version = 11) {
  http::Request request{bhttp::verb::post, "/", version};
  if (version >= 11) request.set(bhttp::field::host, "example.com");
  return request;
}

std::string refusal(const http::Request& request, const http::HeaderPolicy& policy = {}) {
  auto result = http::check_request_head(request, policy);
  return result ? result->message : "";
}

}  // namespace

// Only one Transfer-Encoding of exactly "chunked" frames a body: gzip or "chunked, identity"
// would leave the body to be read as the next request (issue 12, item 3).
TEST_CASE("request checks: Transfer-Encoding other than chunked is refused", "[http][checks]") {
  for (const char* coding : {"gzip", "chunked, identity", "identity", "gzip, chunked", "chunked;x", ""}) {
    INFO(coding);
    auto request = head();
    request.set(bhttp::field::transfer_encoding, coding);
    CHECK_THAT(refusal(request), Catch::Contains("Transfer-Encoding"));
  }
  auto two = head();
  two.insert(bhttp::field::transfer_encoding, "chunked");
  two.insert(bhttp::field::transfer_encoding, "chunked");
  CHECK_THAT(refusal(two), Catch::Contains("Transfer-Encoding"));
  for (const char* coding : {"chunked", "Chunked", " chunked "}) {
    auto request = head();
    request.set(bhttp::field::transfer_encoding, coding);
    CHECK(refusal(request).empty());
  }
}

// HTTP/1.1 needs exactly one non-empty Host; HTTP/1.0 may omit it but not double it.
TEST_CASE("request checks: Host", "[http][checks]") {
  CHECK(refusal(head()).empty());
  CHECK(refusal(head(10)).empty());
  http::Request none{bhttp::verb::get, "/", 11};
  CHECK_THAT(refusal(none), Catch::Contains("needs a Host"));
  auto empty = head();
  empty.set(bhttp::field::host, "");
  CHECK_THAT(refusal(empty), Catch::Contains("needs a Host"));
  auto twice = head();
  twice.insert(bhttp::field::host, "other.example.com");
  CHECK_THAT(refusal(twice), Catch::Contains("more than one Host"));
  auto old = head(10);
  old.insert(bhttp::field::host, "a");
  old.insert(bhttp::field::host, "b");
  CHECK_THAT(refusal(old), Catch::Contains("more than one Host"));
}

// maxHeadersCount answers 431; headersWithUnderscoresAction REJECT answers 400, DROP removes them.
TEST_CASE("request checks: header count and underscores", "[http][checks]") {
  http::HeaderPolicy policy;
  policy.max_headers_count = 3;
  auto request = head();
  request.set("a", "1");
  request.set("b", "2");
  CHECK(refusal(request, policy).empty());
  request.set("c", "3");
  auto over = http::check_request_head(request, policy);
  REQUIRE(over);
  CHECK(over->kind == core::ErrorKind::HeadersTooLarge);

  auto underscored = head();
  underscored.set("x_forwarded_for", "1.2.3.4");
  CHECK(refusal(underscored).empty());
  policy.underscores = http::UnderscoreHeaders::Reject;
  CHECK_THAT(refusal(underscored, policy), Catch::Contains("underscores"));
  http::drop_underscore_headers(underscored);
  CHECK(underscored.find("x_forwarded_for") == underscored.end());
  CHECK(underscored.find(bhttp::field::host) != underscored.end());
}
