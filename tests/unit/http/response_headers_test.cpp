// ResponseHeaders (http/response_headers.hpp): the fields of an upstream response in one buffer.
// Arrival order, repeated names, the first value found case-insensitively, and copies and moves
// that stay valid when the bytes are few enough to live inside the string itself.
#include "lambdagate/http/response_headers.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

using lambdagate::http::HeaderList;
using lambdagate::http::ResponseHeaders;

TEST_CASE("response headers keep the fields in arrival order, repeats included", "[response_headers]") {
  ResponseHeaders headers;
  CHECK(headers.empty());
  headers.add("X-B", "1");
  headers.add("Content-Type", "application/json");
  headers.add("X-B", "");
  headers.add("X-Amzn-RequestId", "6f3a0a8e-0b7c-4f64-9d4a-3c5d7e1f2a90");
  REQUIRE(headers.size() == 4);
  CHECK(headers[0].first == "X-B");
  CHECK(headers[0].second == "1");
  CHECK(headers[2].first == "X-B");
  CHECK(headers[2].second.empty());
  CHECK(headers[3].second == "6f3a0a8e-0b7c-4f64-9d4a-3c5d7e1f2a90");

  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& [name, value] : headers) seen.emplace_back(name, value);
  CHECK(seen == HeaderList{{"X-B", "1"},
                           {"Content-Type", "application/json"},
                           {"X-B", ""},
                           {"X-Amzn-RequestId", "6f3a0a8e-0b7c-4f64-9d4a-3c5d7e1f2a90"}});
  CHECK(headers == seen);
}

TEST_CASE("response headers take parsed lines in one block", "[response_headers]") {
  ResponseHeaders headers;
  headers.add("X-First", "1");  // a block goes in after what is there
  const std::string block = "X-Amz-Executed-Version:  $LATEST \t\r\nX-Empty:   \r\n";
  headers.index_field(0, 22, 25, 7);
  headers.index_field(36, 7, 47, 0);
  headers.add_block(block);
  headers.index_field(0, 4, 6, 2);  // a second block, after the first
  headers.add_block("X-Zz: ok\r\n");
  REQUIRE(headers.size() == 4);
  CHECK(headers[1].first == "X-Amz-Executed-Version");
  CHECK(headers[1].second == "$LATEST");
  CHECK(headers[2].first == "X-Empty");
  CHECK(headers[2].second.empty());
  CHECK(headers ==
        HeaderList{{"X-First", "1"}, {"X-Amz-Executed-Version", "$LATEST"}, {"X-Empty", ""}, {"X-Zz", "ok"}});
  CHECK(headers.find("x-amz-executed-version") == "$LATEST");
  CHECK(headers.find("x-zz") == "ok");
}

TEST_CASE("response headers find the first value of a name, case-insensitively", "[response_headers]") {
  const ResponseHeaders headers{{"x-amz-function-error", "Unhandled"}, {"X-Amz-Function-Error", "Later"}};
  CHECK(headers.find("X-AMZ-FUNCTION-ERROR") == "Unhandled");
  CHECK(headers.find("x-amz-function-erro") == std::nullopt);  // a prefix is another name
  CHECK(headers.find("x-amz-function-errors") == std::nullopt);
  CHECK(ResponseHeaders{}.find("anything") == std::nullopt);
}

TEST_CASE("response headers stay valid when copied or moved, short or long", "[response_headers]") {
  for (const std::string value : {std::string("1"), std::string(4096, 'v')}) {
    INFO("value of " << value.size() << " bytes");
    ResponseHeaders original{{"A", value}};
    const ResponseHeaders copy = original;
    ResponseHeaders moved = std::move(original);
    CHECK(copy[0].first == "A");
    CHECK(copy[0].second == value);
    CHECK(moved == copy);
    ResponseHeaders assigned;
    assigned = moved;
    CHECK(assigned.find("a") == value);
  }
}

TEST_CASE("response headers compare field by field", "[response_headers]") {
  const ResponseHeaders a{{"A", "1"}, {"B", "2"}};
  CHECK(a == ResponseHeaders{{"A", "1"}, {"B", "2"}});
  CHECK_FALSE(a == ResponseHeaders{{"B", "2"}, {"A", "1"}});  // order matters
  CHECK_FALSE(a == ResponseHeaders{{"a", "1"}, {"B", "2"}});  // names as they are
  CHECK_FALSE(a == ResponseHeaders{{"A", "1"}});
  CHECK_FALSE(a == ResponseHeaders{{"A1", ""}, {"B", "2"}});  // the same bytes, cut elsewhere
  CHECK(a == HeaderList{{"A", "1"}, {"B", "2"}});
  CHECK_FALSE(a == HeaderList{{"A", "1"}, {"B", "3"}});

  ResponseHeaders cleared = a;
  cleared.clear();
  CHECK(cleared.empty());
  CHECK(cleared == ResponseHeaders{});
}

}  // namespace
