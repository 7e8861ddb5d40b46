// gateway.solo.io/v1 VirtualService: virtual host, routes, matchers and Lambda destinations
// (DESIGN.md §3, gloo.md §1 and §3).
#include <algorithm>
#include <limits>

#include "config/documents.hpp"
#include "lambdagate/core/ascii.hpp"
#include "config/field_checks.hpp"

namespace lambdagate::config::detail {

namespace {

// Route actions in Gloo's oneof; graphqlApiRef (removed from newer Gloo) is not implemented.
constexpr std::string_view kRouteActions[] = {"routeAction", "directResponseAction", "redirectAction",
                                              "delegateAction", "graphqlApiRef"};
constexpr std::string_view kRouteActionTypes[] = {"single", "multi", "upstreamGroup", "clusterHeader",
                                                  "dynamicForwardProxy"};

// What a route whose action is not implemented answers instead. Gloo does the same for invalid
// routes (invalidConfigPolicy.replaceInvalidRoutes): dropping the route would let its requests
// fall through to a later route and invoke a function nobody meant them for.
constexpr unsigned kUnsupportedRouteStatus = 404;

std::string name_or_number(const std::string& name, std::size_t index) {
  return name.empty() ? "#" + std::to_string(index + 1) : "'" + name + "'";
}

void check_path_start(const Field& field, const std::string& path) {
  if (!path.empty() && path.front() != '/') {
    field.warning("'" + field.path + "' " + quote_value(path) + " does not start with '/' and never matches");
  }
}

std::optional<Matcher> parse_matcher(const Field& item) {
  auto reader = as_map(item);
  if (!reader) return std::nullopt;
  Matcher matcher;
  matcher.where = item.where;
  bool ok = true;

  std::vector<Field> paths;
  for (std::string_view key : {"prefix", "exact", "regex"}) {
    if (auto field = reader->take(key)) paths.push_back(*field);
  }
  if (auto connect = reader->take("connectMatcher")) {
    connect->error("'" + connect->path + "' is not supported: lambdagate does not proxy CONNECT requests");
    ok = false;
  }
  if (paths.size() > 1) {
    item.error("'" + item.path +
               "' sets more than one of 'prefix', 'exact' and 'regex'; use one per matcher");
    ok = false;
  } else if (paths.size() == 1) {
    const Field& field = paths.front();
    std::string_view key = field.key();
    auto value = as_string(field);
    if (!value) {
      ok = false;
    } else if (key == "prefix") {
      matcher.kind = PathMatchKind::Prefix;
      matcher.path = value->empty() ? "/" : *value;  // "" and "/" both match every path
      check_path_start(field, *value);
    } else if (key == "exact") {
      matcher.kind = PathMatchKind::Exact;
      matcher.path = *value;
      if (value->empty()) {
        field.error("'" + field.path + "' must not be empty");
        ok = false;
      }
      check_path_start(field, *value);
    } else {
      matcher.kind = PathMatchKind::Regex;
      matcher.path = *value;
      check_regex(field, *value);
    }
  }
  matcher.case_sensitive = reader->boolean("caseSensitive").value_or(true);

  for (const Field& header_item : reader->list("headers")) {
    auto header = as_map(header_item);
    if (!header) continue;
    HeaderMatcher h;
    auto name = header->required_string("name");
    h.value = header->string("value").value_or("");
    h.regex = header->boolean("regex").value_or(false);
    h.invert_match = header->boolean("invertMatch").value_or(false);
    if (h.regex) {
      auto value_field = header->take("value");
      check_regex(value_field ? *value_field : header_item, h.value);
    }
    header->finish();
    if (!name) continue;
    h.name = core::to_lower_ascii(*name);  // HTTP header names are case-insensitive
    matcher.headers.push_back(std::move(h));
  }

  for (const Field& query_item : reader->list("queryParameters")) {
    auto query = as_map(query_item);
    if (!query) continue;
    QueryParameterMatcher q;
    auto name = query->required_string("name");
    q.value = query->string("value").value_or("");
    q.regex = query->boolean("regex").value_or(false);
    if (q.regex) {
      auto value_field = query->take("value");
      check_regex(value_field ? *value_field : query_item, q.value);
    }
    query->finish();
    if (!name) continue;
    q.name = *name;
    matcher.query_parameters.push_back(std::move(q));
  }

  if (auto methods_field = reader->take("methods")) {
    if (auto methods = as_string_list(*methods_field)) {
      for (std::string& method : *methods) {
        if (method.empty()) {
          methods_field->error("'" + methods_field->path + "' has an empty method");
          continue;
        }
        matcher.methods.push_back(core::to_upper_ascii(method));
      }
    }
  }
  reader->finish();
  if (!ok) return std::nullopt;
  return matcher;
}

}  // namespace

std::vector<std::string> destination_conflicts(const AwsDestinationSpec& spec) {
  std::vector<std::string> reasons;
  if (spec.unwrap_as_alb && spec.unwrap_as_api_gateway) {
    reasons.push_back(
        "both unwrapAsAlb and unwrapAsApiGateway (or responseTransformation); a response is unwrapped "
        "one way only");
  }
  if (spec.response_streaming && spec.invocation_style == InvocationStyle::Async) {
    reasons.push_back(
        "responseStreaming with invocationStyle ASYNC; an asynchronous invocation has no response to stream");
  }
  return reasons;
}

void resolve_both_transformations(AwsDestinationSpec& spec, Diagnostics& diagnostics,
                                  const SourceLocation& where) {
  if (!spec.request_transformation || !spec.wrap_as_api_gateway) return;
  spec.request_transformation = false;
  diagnostics.collect("both transformations", Diagnostic::Severity::Warning, where, "",
                      [](const auto&, std::size_t places) {
                        std::string message =
                            "requestTransformation and wrapAsApiGateway are both set: accepted as Gloo does, "
                            "wrapAsApiGateway wins (the function gets the API Gateway event)";
                        if (places > 1)
                          message += " (" + std::to_string(places) + " places; the first is here)";
                        return message;
                      });
}

std::optional<AwsDestinationSpec> parse_aws_destination(MapReader& aws) {
  AwsDestinationSpec spec;
  spec.payload_format_version.clear();  // "not written", for destinationOverrides
  bool ok = true;
  spec.logical_name = aws.string("logicalName").value_or("");
  if (auto style = aws.take("invocationStyle")) {
    auto value = as_string(*style);
    if (value == "SYNC") {
      spec.invocation_style = InvocationStyle::Sync;
    } else if (value == "ASYNC") {
      spec.invocation_style = InvocationStyle::Async;
    } else {
      if (value) style->error("'" + style->path + "' must be SYNC or ASYNC, got " + quote_value(*value));
      ok = false;
    }
  }
  spec.request_transformation = aws.boolean("requestTransformation").value_or(false);
  spec.wrap_as_api_gateway = aws.boolean("wrapAsApiGateway").value_or(false);
  spec.unwrap_as_api_gateway = aws.boolean("unwrapAsApiGateway").value_or(false);
  // Deprecated in Gloo, and mapped there to unwrapAsApiGateway.
  if (aws.boolean("responseTransformation").value_or(false)) spec.unwrap_as_api_gateway = true;
  spec.unwrap_as_alb = aws.boolean("unwrapAsAlb").value_or(false);
  if (auto version = aws.take("payloadFormatVersion")) {
    auto value = as_string(*version);
    if (value == "1.0" || value == "2.0") {
      spec.payload_format_version = *value;
    } else {
      if (value)
        version->error("'" + version->path + "' must be \"1.0\" or \"2.0\", got " + quote_value(*value));
      ok = false;
    }
  }
  spec.response_streaming = aws.boolean("responseStreaming").value_or(false);
  aws.finish();

  for (const std::string& reason : destination_conflicts(spec)) {
    aws.source().diagnostics().error(aws.where(), "'" + aws.path() + "' sets " + reason);
    ok = false;
  }
  if (!ok) return std::nullopt;
  return spec;
}

namespace {

std::optional<Destination> parse_destination(const Field& field, const std::string& ns) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  Destination destination;
  destination.where = field.where;
  bool ok = true;
  for (std::string_view key : {"kube", "consul"}) {
    if (auto other = reader->take(key)) {
      other->error("'" + other->path + "' is not supported: lambdagate routes only to AWS Upstreams");
      ok = false;
    }
  }
  if (auto upstream = reader->take("upstream")) {
    if (auto ref = parse_resource_ref(*upstream, ns)) {
      destination.upstream = *ref;
    } else {
      ok = false;
    }
  } else if (ok) {
    field.error("'" + reader->child_path("upstream") + "' is required");
    ok = false;
  }
  if (auto spec = reader->map("destinationSpec")) {
    if (auto aws = spec->map("aws")) {
      destination.aws = parse_aws_destination(*aws);
      if (!destination.aws) ok = false;
    }
    spec->finish();  // azure, rest, grpc, grpcJson: answered from the table
  }
  reader->finish();  // subset: answered from the table
  if (!ok) return std::nullopt;
  return destination;
}

// routeAction.multi: weighted destinations, as Envoy's weighted clusters.
std::optional<RouteAction> parse_multi(const Field& field, const std::string& ns) {
  auto multi = as_map(field);
  if (!multi) return std::nullopt;
  RouteAction result{{}, true};
  bool ok = true;
  uint64_t total_weight = 0;
  auto destinations = multi->take("destinations");
  const Field& list_field = destinations ? *destinations : field;
  std::string list_path = multi->child_path("destinations");
  for (const Field& item : destinations ? as_list(*destinations) : std::vector<Field>{}) {
    auto weighted = as_map(item);
    if (!weighted) {
      ok = false;
      continue;
    }
    std::optional<Destination> destination;
    if (auto inner = weighted->take("destination")) {
      destination = parse_destination(*inner, ns);
    } else {
      item.error("'" + weighted->child_path("destination") + "' is required");
    }
    auto weight = weighted->integer("weight", 0, std::numeric_limits<uint32_t>::max());
    weighted->finish();  // options: answered from the table
    if (!destination) {
      ok = false;
      continue;
    }
    destination->where = item.where;
    if (weight) destination->weight = static_cast<uint32_t>(*weight);
    total_weight += destination->weight;
    result.destinations.push_back(std::move(*destination));
  }
  multi->finish();
  if (!ok) return std::nullopt;
  if (result.destinations.empty()) {
    list_field.error("'" + list_path + "' must list at least one destination");
    return std::nullopt;
  }
  if (total_weight == 0) {
    list_field.error("'" + list_path + "' weights add up to 0; at least one must be positive");
    return std::nullopt;
  }
  return result;
}

// Sets route.route_action when the action reads cleanly. A route with an action type lambdagate
// does not implement yet gets a direct response instead.
void parse_route_action(MapReader& action, Route& route, const std::string& ns, const std::string& label) {
  std::vector<Field> types;
  for (std::string_view key : kRouteActionTypes) {
    if (auto field = action.take(key)) types.push_back(*field);
  }
  action.finish();
  if (types.size() != 1) {
    action.source().diagnostics().error(
        action.where(), "'" + action.path() + "' must set exactly one of 'single' and 'multi'");
    return;
  }
  const Field& type = types.front();
  std::string_view key = type.key();
  if (key == "single") {
    if (auto destination = parse_destination(type, ns)) {
      route.route_action = RouteAction{{std::move(*destination)}, false};
    }
  } else if (key == "multi") {
    route.route_action = parse_multi(type, ns);
  } else {
    type.warning("'" + type.path + "' is not supported yet; route " + label + " answers " +
                 std::to_string(kUnsupportedRouteStatus) + " until it is");
    route.direct_response =
        DirectResponseAction{kUnsupportedRouteStatus, "route not supported by lambdagate\n"};
  }
}

void parse_direct_response(const Field& action, Route& route) {
  auto direct = as_map(action);
  if (!direct) return;
  auto status_field = direct->take("status");
  std::optional<int64_t> status;
  if (!status_field) {
    action.error("'" + action.path + ".status' is required");
  } else {
    status = as_integer(*status_field, 200, 599);
  }
  auto body = direct->string("body").value_or("");
  direct->finish();
  if (status) route.direct_response = DirectResponseAction{static_cast<unsigned>(*status), std::move(body)};
}

// Envoy's domain rules: "*" alone, or one "*" as the first or last character.
bool is_valid_domain(const std::string& domain) {
  auto stars = std::count(domain.begin(), domain.end(), '*');
  if (stars == 0) return true;
  if (stars > 1) return false;
  return domain == "*" || domain.front() == '*' || domain.back() == '*';
}

}  // namespace

// Whatever parsed cleanly is kept, so the cross-document checks still look at a route whose
// matcher had an error; the load fails either way.
Route parse_route(const Field& item, std::size_t index, const std::string& ns) {
  Route route;
  route.where = item.where;
  route.index = index;
  auto reader = as_map(item);
  if (!reader) return route;
  route.name = reader->string("name").value_or("");
  std::string label = name_or_number(route.name, index);

  bool matchers_ok = true;
  for (const Field& matcher_item : reader->list("matchers")) {
    if (auto matcher = parse_matcher(matcher_item)) {
      route.matchers.push_back(std::move(*matcher));
    } else {
      matchers_ok = false;
    }
  }
  if (route.matchers.empty() && matchers_ok) {
    Matcher everything;  // Gloo: no matchers = prefix "/"
    everything.where = item.where;
    route.matchers.push_back(std::move(everything));
  }
  route.inheritable_matchers = reader->boolean("inheritableMatchers");
  route.inheritable_path_matchers = reader->boolean("inheritablePathMatchers");
  if (auto options = reader->map("options"))
    parse_route_options(*options, route.options, OptionsLevel::Route, ns);

  std::vector<Field> actions;
  for (std::string_view key : kRouteActions) {
    if (auto field = reader->take(key)) actions.push_back(*field);
  }
  if (actions.size() != 1) {
    std::string names;
    for (const Field& action : actions) {
      names += (names.empty() ? "" : ", ") + std::string(action.key());
    }
    item.error("route " + label +
               (actions.empty() ? " has no action; set routeAction or directResponseAction"
                                : " has more than one action (" + names + "); exactly one is allowed"));
  } else {
    const Field& action = actions.front();
    std::string_view key = action.key();
    if (key == "routeAction") {
      if (auto route_action = as_map(action)) parse_route_action(*route_action, route, ns, label);
    } else if (key == "directResponseAction") {
      parse_direct_response(action, route);
    } else if (key == "delegateAction") {
      parse_delegate_action(action, route, ns);
    } else if (key == "redirectAction") {
      route.redirect_action = parse_redirect_action(action);
      if (route.redirect_action && find_pending_feature(PendingFeature::Redirects) != nullptr) {
        // Until redirects are served, the route must still claim its requests.
        note_pending(action.source->diagnostics(), PendingFeature::Redirects, action.where);
        route.direct_response =
            DirectResponseAction{kUnsupportedRouteStatus, "redirect not served yet by lambdagate\n"};
      }
    } else {
      action.warning("'" + action.path + "' is not supported yet; route " + label + " answers " +
                     std::to_string(kUnsupportedRouteStatus) + " until it is");
      route.direct_response =
          DirectResponseAction{kUnsupportedRouteStatus, "route not supported by lambdagate\n"};
    }
  }
  reader->finish();
  return route;
}

void parse_virtual_service(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  auto spec = doc.map("spec");
  if (!spec) {
    if (!doc.has("spec")) diagnostics.error(header.where, "'spec' is required");
    return;
  }
  VirtualService vs;
  vs.metadata = header.metadata;
  vs.where = header.where;
  const std::string& ns = header.metadata.namespace_;

  if (auto ssl = spec->take("sslConfig")) vs.ssl_config = parse_ssl_config(*ssl, ns);
  spec->string("displayName");  // a label for UIs, no behaviour
  auto host = spec->map("virtualHost");
  if (!host) {
    if (!spec->has("virtualHost")) diagnostics.error(spec->where(), "'spec.virtualHost' is required");
    spec->finish();
    return;
  }

  if (auto domains_field = host->take("domains")) {
    if (auto domains = as_string_list(*domains_field)) {
      for (std::string& domain : *domains) {
        if (domain.empty() || !is_valid_domain(domain)) {
          domains_field->error("'" + domains_field->path + "' has an invalid domain " + quote_value(domain) +
                               ": use an exact name, '*', or one '*' at the start or end");
          continue;
        }
        vs.domains.push_back(core::to_lower_ascii(domain));  // host names are case-insensitive
      }
    }
  }
  auto routes = host->list("routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    vs.routes.push_back(parse_route(routes[i], i, ns));
  }
  if (auto options = host->map("options"))
    parse_route_options(*options, vs.options, OptionsLevel::VirtualHost, ns);
  host->finish();  // optionsConfigRefs: answered from the table
  spec->finish();

  if (routes.empty()) {
    // Gloo ignores a virtual service without routes; keeping it would only claim its domains.
    diagnostics.warning(header.where,
                        "VirtualService " + display(header.metadata) + " has no routes, ignored");
    return;
  }
  state.config.virtual_services.push_back(std::move(vs));
}

}  // namespace lambdagate::config::detail
