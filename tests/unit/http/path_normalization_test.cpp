// Path normalisation before route matching (http/path_normalization.hpp): the issue 12 bypasses
// of an exact-match route, RFC 3986 dot-segment removal and unreserved decoding, merged slashes,
// the escaped-slash actions, and what is refused.
#include "lambdagate/http/path_normalization.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using namespace lambdagate::http;

std::string normalized(std::string_view target, const PathOptions& options = {}) {
  auto result = normalize_target(target, options);
  if (auto* refusal = std::get_if<PathRefusal>(&result)) return "refused: " + refusal->message;
  return std::get<NormalizedTarget>(result).target;
}

}  // namespace

// Every spelling of /api/secret from issue 12 reaches the matcher as /api/secret, so an exact
// route that answers 403 cannot be dodged by a prefix route.
TEST_CASE("path normalisation: the issue 12 bypasses all become /api/secret", "[http][path]") {
  for (const char* target : {"/api/./secret", "/api/x/../secret", "/x/../api/secret", "/api//secret",
                             "/api/%73ecret", "/api/%2e/secret", "/api/%2E%2E/api/secret", "/api\\secret",
                             "/../api/secret", "/api/secret/x/..", "//api///secret"}) {
    INFO(target);
    const std::string out = normalized(target);
    CHECK((out == "/api/secret" || out == "/api/secret/"));
  }
  CHECK(normalized("/api/secret/x/..") == "/api/secret/");
}

// RFC 3986 §5.2.4 and §6.2.2: dot segments go, unreserved escapes are decoded, other escapes
// are kept with upper-case hex; the query is left as it was.
TEST_CASE("path normalisation: RFC 3986 rules and the query", "[http][path]") {
  CHECK(normalized("/") == "/");
  CHECK(normalized("/a/b/") == "/a/b/");
  CHECK(normalized("/a/b/.") == "/a/b/");
  CHECK(normalized("/a/b/..") == "/a/");
  CHECK(normalized("/..") == "/");
  CHECK(normalized("/a/%7e%2d%5F") == "/a/~-_");
  CHECK(normalized("/a%20b%c3%a9") == "/a%20b%C3%A9");
  CHECK(normalized("/a/../b?x=/../y&%2e=1") == "/b?x=/../y&%2e=1");
  CHECK(normalized("/a/.hidden/..x") == "/a/.hidden/..x");
}

// The usual request takes a shortcut (no '%', backslash, empty or dot segment: returned as
// sent); under every option the result is the one the full normalisation gives, and the near
// misses of the shortcut are still normalised.
TEST_CASE("path normalisation: a path already in normal form comes back as sent", "[http][path]") {
  for (const bool normalize : {true, false}) {
    for (const bool merge : {true, false}) {
      for (const auto slashes : {EscapedSlashes::Keep, EscapedSlashes::Reject, EscapedSlashes::UnescapeAndForward,
                                 EscapedSlashes::UnescapeAndRedirect}) {
        PathOptions options;
        options.normalize = normalize;
        options.merge_slashes = merge;
        options.escaped_slashes = slashes;
        for (const char* target : {"/", "/lambda", "/a/b/", "/a.b/c..d/~x_y-z.", "/a/b?x=/../y&%2e=1"}) {
          INFO(target << " normalize=" << normalize << " merge=" << merge);
          auto result = normalize_target(target, options);
          REQUIRE(std::holds_alternative<NormalizedTarget>(result));
          CHECK(std::get<NormalizedTarget>(result).target == target);
          CHECK_FALSE(std::get<NormalizedTarget>(result).redirect);
        }
      }
    }
  }
  CHECK(normalized("/a/.b") == "/a/.b");
  CHECK(normalized("/a/./b") == "/a/b");
  CHECK(normalized("/a//b") == "/a/b");
  CHECK(normalized("/a\\b") == "/a/b");
  CHECK(normalized("/a%41") == "/aA");
  CHECK(normalized("/a\tb").rfind("refused", 0) == 0);
}

// mergeSlashes: false and normalizePath: false keep what the client sent.
TEST_CASE("path normalisation: switched off by the Gateway's settings", "[http][path]") {
  PathOptions keep;
  keep.merge_slashes = false;
  CHECK(normalized("/api//secret", keep) == "/api//secret");
  keep.normalize = false;
  CHECK(normalized("/api/./%73ecret", keep) == "/api/./%73ecret");
}

// pathWithEscapedSlashesAction: kept encoded by default, refused, decoded, or decoded with a
// redirect.
TEST_CASE("path normalisation: escaped slashes", "[http][path]") {
  CHECK(normalized("/a%2fb") == "/a%2Fb");
  PathOptions options;
  options.escaped_slashes = EscapedSlashes::Reject;
  CHECK(normalized("/a%2Fb", options).starts_with("refused: "));
  options.escaped_slashes = EscapedSlashes::UnescapeAndForward;
  CHECK(normalized("/api%2F..%2Fsecret", options) == "/secret");
  options.escaped_slashes = EscapedSlashes::UnescapeAndRedirect;
  auto result = normalize_target("/a%2Fb", options);
  REQUIRE(std::holds_alternative<NormalizedTarget>(result));
  CHECK(std::get<NormalizedTarget>(result).redirect);
  CHECK(std::get<NormalizedTarget>(result).target == "/a/b");
  CHECK_FALSE(std::get<NormalizedTarget>(normalize_target("/a/b", options)).redirect);
}

// Targets that are not a path, broken escapes, NUL and control characters are refused.
TEST_CASE("path normalisation: what is refused", "[http][path]") {
  for (const char* target : {"", "*", "http://example.com/a", "a/b", "/a%", "/a%2", "/a%zz", "/a%00b",
                             "/a#frag"}) {
    INFO(target);
    CHECK(normalized(target).starts_with("refused: "));
  }
  CHECK(normalized(std::string("/a\x01") + "b").starts_with("refused: "));
}
