// routes[].redirectAction (Gloo's RedirectAction, proxy.proto): parsed and checked here.
#include <algorithm>

#include "config/documents.hpp"
#include "config/field_checks.hpp"

namespace lambdagate::config::detail {

namespace {

struct ResponseCodeName {
  std::string_view name;
  unsigned status;
};

// RedirectAction.RedirectResponseCode, by its proto enum names.
constexpr ResponseCodeName kResponseCodes[] = {
    {"MOVED_PERMANENTLY", 301},  {"FOUND", 302}, {"SEE_OTHER", 303}, {"TEMPORARY_REDIRECT", 307},
    {"PERMANENT_REDIRECT", 308},
};

bool check_redirect_text(const Field& field, const std::string& value) {
  if (has_control_character(value) || value.find(' ') != std::string::npos) {
    field.error("'" + field.path + "' must not contain spaces or control characters");
    return false;
  }
  return true;
}

std::optional<RegexRewrite> parse_regex_rewrite(const Field& field) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  RegexRewrite rewrite;
  bool ok = true;
  if (auto pattern = reader->map("pattern")) {
    pattern->take("googleRe2");  // deprecated engine selector: RE2 is always the engine
    auto regex = pattern->take("regex");
    pattern->finish();
    if (!regex) {
      field.error("'" + pattern->child_path("regex") + "' is required");
      ok = false;
    } else if (auto text = as_string(*regex); text && check_regex(*regex, *text)) {
      rewrite.pattern = *text;
    } else {
      ok = false;
    }
  } else {
    if (!reader->has("pattern")) field.error("'" + reader->child_path("pattern") + "' is required");
    ok = false;
  }
  if (auto substitution = reader->take("substitution")) {
    auto text = as_string(*substitution);
    if (text && check_redirect_text(*substitution, *text)) {
      rewrite.substitution = *text;
    } else {
      ok = false;
    }
  }
  reader->finish();
  if (!ok) return std::nullopt;
  return rewrite;
}

}  // namespace

std::optional<RedirectAction> parse_redirect_action(const Field& action) {
  auto reader = as_map(action);
  if (!reader) return std::nullopt;
  RedirectAction redirect;
  redirect.where = action.where;
  bool ok = true;
  if (auto host = reader->take("hostRedirect")) {
    auto text = as_string(*host);
    if (text && check_redirect_text(*host, *text) && text->find('/') == std::string::npos) {
      redirect.host_redirect = *text;
    } else {
      if (text && text->find('/') != std::string::npos)
        host->error("'" + host->path + "' must be a host name (and port), not a URL");
      ok = false;
    }
  }
  std::vector<Field> paths;
  for (std::string_view key : {"pathRedirect", "prefixRewrite", "regexRewrite"}) {
    if (auto field = reader->take(key)) paths.push_back(*field);
  }
  if (paths.size() > 1) {
    action.error("'" + action.path +
                 "' sets more than one of 'pathRedirect', 'prefixRewrite' and 'regexRewrite'");
    ok = false;
  } else if (paths.size() == 1) {
    const Field& field = paths.front();
    if (field.key() == "regexRewrite") {
      redirect.regex_rewrite = parse_regex_rewrite(field);
      ok = redirect.regex_rewrite.has_value() && ok;
    } else if (auto text = as_string(field); text && check_redirect_text(field, *text)) {
      if (field.key() == "pathRedirect" && !text->starts_with('/')) {
        field.error("'" + field.path + "' must start with '/'");
        ok = false;
      } else if (field.key() == "pathRedirect") {
        redirect.path_redirect = *text;
      } else {
        redirect.prefix_rewrite = *text;
      }
    } else {
      ok = false;
    }
  }
  if (auto code = reader->take("responseCode")) {
    auto text = as_string(*code);
    auto known = std::find_if(std::begin(kResponseCodes), std::end(kResponseCodes),
                              [&](const ResponseCodeName& c) { return text && c.name == *text; });
    if (known != std::end(kResponseCodes)) {
      redirect.response_code = known->status;
    } else {
      if (text) {
        code->error(
            "'" + code->path +
            "' must be MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT or PERMANENT_REDIRECT, got " +
            quote_value(*text));
      }
      ok = false;
    }
  }
  redirect.https_redirect = reader->boolean("httpsRedirect").value_or(false);
  redirect.strip_query = reader->boolean("stripQuery").value_or(false);
  if (auto port = reader->integer("portRedirect", 1, 65535))
    redirect.port_redirect = static_cast<uint16_t>(*port);
  else if (reader->has("portRedirect"))
    ok = false;
  reader->finish();
  if (!ok) return std::nullopt;
  return redirect;
}

}  // namespace lambdagate::config::detail
