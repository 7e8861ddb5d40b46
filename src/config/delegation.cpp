// Delegation (gloo.md §3): delegateAction on a route, and its flattening at load. Each
// delegating VirtualService route is replaced, in place, by the routes of the RouteTables it
// reaches, recursively, so routing sees plain routes in the order Gloo gives Envoy.
#include <algorithm>
#include <set>
#include <tuple>

#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

// selector.namespaces entry that means every namespace.
constexpr std::string_view kAllNamespaces = "*";

// A RouteTable reached along many paths multiplies its routes; this many routes in one
// VirtualService is a mistake in the delegation graph, not a routing table.
constexpr std::size_t kMaxFlattenedRoutes = 100'000;

std::optional<RouteTableSelector> parse_selector(const Field& field) {
  auto reader = as_map(field);
  if (!reader) return std::nullopt;
  RouteTableSelector selector;
  bool ok = true;
  if (auto labels = reader->map("labels")) {
    for (auto& [key, value_field] : labels->entries()) {
      if (auto value = as_string(value_field)) {
        selector.labels[key] = *value;
      } else {
        ok = false;
      }
    }
  } else if (reader->has("labels")) {
    ok = false;
  }
  if (auto namespaces = reader->take("namespaces")) {
    if (auto list = as_string_list(*namespaces)) {
      selector.namespaces = std::move(*list);
    } else {
      ok = false;
    }
  }
  for (const Field& item : reader->list("expressions")) {
    if (auto expression = parse_label_expression(item)) {
      selector.expressions.push_back(std::move(*expression));
    } else {
      ok = false;
    }
  }
  reader->finish();
  if (!selector.labels.empty() && !selector.expressions.empty()) {
    field.error("'" + field.path + "' sets both 'labels' and 'expressions'; use one");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return selector;
}

// Gloo's RouteTablesForSelector: labels (or expressions) and namespace; no namespaces means the
// namespace of the resource that holds the delegating route.
bool matches(const RouteTableSelector& selector, const RouteTable& table,
             const std::string& owner_namespace) {
  const auto& labels = table.metadata.labels;
  for (const auto& [key, value] : selector.labels) {
    auto label = labels.find(key);
    if (label == labels.end() || label->second != value) return false;
  }
  for (const LabelExpression& expression : selector.expressions) {
    if (!label_expression_matches(expression, labels)) return false;
  }
  const std::string& ns = table.metadata.namespace_;
  if (selector.namespaces.empty()) return ns == owner_namespace;
  return std::any_of(selector.namespaces.begin(), selector.namespaces.end(),
                     [&](const std::string& n) { return n == kAllNamespaces || n == ns; });
}

// Gloo's SortRoutesByPath ordering of two matchers: more methods first, then exact before regex
// before prefix, then the longer (lexicographically larger) path first.
int path_priority(PathMatchKind kind) {
  switch (kind) {
    case PathMatchKind::Exact:
      return 1;
    case PathMatchKind::Regex:
      return 2;
    case PathMatchKind::Prefix:
      return 3;
  }
  return 3;
}

bool less_matcher(const Matcher& a, const Matcher& b) {
  if (a.methods.size() != b.methods.size()) return a.methods.size() > b.methods.size();
  if (path_priority(a.kind) != path_priority(b.kind)) return path_priority(a.kind) < path_priority(b.kind);
  return a.path > b.path;
}

const Matcher& most_specific(const Route& route) {
  static const Matcher kDefault;  // Gloo: no matchers = prefix "/"
  if (route.matchers.empty()) return kDefault;
  const Matcher* best = &route.matchers.front();
  for (const Matcher& m : route.matchers) {
    if (less_matcher(m, *best)) best = &m;
  }
  return *best;
}

class Flattener {
 public:
  Flattener(const Config& config, Diagnostics& diagnostics) : config_(config), diagnostics_(diagnostics) {}

  std::vector<Route> flatten(VirtualService& vs) {
    steps_ = 0;
    overflow_ = false;
    std::vector<Route> out;
    for (Route& route : vs.routes) {
      if (!route.delegate_action) {
        out.push_back(std::move(route));
      } else {
        delegate(route, vs.metadata.namespace_, out);
      }
    }
    if (overflow_) {
      diagnostics_.error(vs.where, "VirtualService " + display(vs.metadata) +
                                       ": delegation gives more than " + std::to_string(kMaxFlattenedRoutes) +
                                       " routes; is a RouteTable reached along many paths?");
    }
    return out;
  }

  // Gloo serves nothing from a RouteTable no VirtualService reaches; say so, since that is
  // rarely what was meant.
  void report_unreached() {
    for (const RouteTable& table : config_.route_tables) {
      if (reached_.contains(&table)) continue;
      diagnostics_.warning(table.where,
                           "RouteTable " + display(table.metadata) +
                               " is not reached from any VirtualService; its routes are not served");
    }
  }

 private:
  // Appends the routes `parent` delegates to, group by group of equal weight.
  void delegate(const Route& parent, const std::string& owner_namespace, std::vector<Route>& out) {
    // Gloo: no matcher means prefix "/" (parse_route already gives the route one).
    const Matcher parent_matcher = parent.matchers.empty() ? Matcher{} : parent.matchers.front();
    std::vector<const RouteTable*> tables = select(parent, owner_namespace);
    // Gloo visits RouteTables by ascending weight; within one weight in its snapshot order
    // (namespace, name).
    std::stable_sort(tables.begin(), tables.end(), [](const RouteTable* a, const RouteTable* b) {
      return std::tie(a->weight, a->metadata.namespace_, a->metadata.name) <
             std::tie(b->weight, b->metadata.namespace_, b->metadata.name);
    });
    for (std::size_t first = 0; first < tables.size();) {
      std::size_t last = first;
      std::vector<Route> group;
      while (last < tables.size() && tables[last]->weight == tables[first]->weight) {
        expand(*tables[last], parent, parent_matcher, group);
        ++last;
      }
      // As Gloo, guard against one table's "/foo" shadowing another's "/foo/bar" when several
      // tables share a weight (a single table keeps the order its author wrote).
      if (last - first > 1) {
        std::stable_sort(group.begin(), group.end(), [](const Route& a, const Route& b) {
          return less_matcher(most_specific(a), most_specific(b));
        });
      }
      std::move(group.begin(), group.end(), std::back_inserter(out));
      first = last;
    }
  }

  std::vector<const RouteTable*> select(const Route& parent, const std::string& owner_namespace) {
    const DelegateAction& action = *parent.delegate_action;
    std::vector<const RouteTable*> tables;
    if (action.ref) {
      if (const RouteTable* table = config_.find_route_table(*action.ref)) {
        tables.push_back(table);
      } else {
        report(true, parent.where,
               route_label(parent) + ": RouteTable " + display(*action.ref) + " not found");
      }
      return tables;
    }
    for (const RouteTable& table : config_.route_tables) {
      if (matches(*action.selector, table, owner_namespace)) tables.push_back(&table);
    }
    if (tables.empty()) {
      report(false, parent.where,
             route_label(parent) +
                 ": delegateAction.selector matches no RouteTable, so the route serves nothing");
    }
    return tables;
  }

  void expand(const RouteTable& table, const Route& parent, const Matcher& parent_matcher,
              std::vector<Route>& out) {
    if (std::find(path_.begin(), path_.end(), &table) != path_.end()) {
      std::string cycle;
      for (const RouteTable* visited : path_) cycle += display(visited->metadata) + " -> ";
      report(true, parent.where,
             route_label(parent) + ": delegation cycle: " + cycle + display(table.metadata));
      return;
    }
    reached_.insert(&table);
    path_.push_back(&table);
    for (const Route& child : table.routes) {
      if (overflow_ || ++steps_ > kMaxFlattenedRoutes) {
        overflow_ = true;
        break;
      }
      Route route = child;
      inherit_matchers(route, parent, parent_matcher);
      if (auto problem = incompatible_matcher(route, parent_matcher, at(parent.where))) {
        report(true, problem->first->where, route_label(child) + ": matcher " + problem->second);
        continue;
      }
      inherit_options(route.options, parent.options);
      if (route.delegate_action) {
        delegate(route, table.metadata.namespace_, out);
      } else {
        out.push_back(std::move(route));
      }
    }
    path_.pop_back();
  }

  // Gloo's validateAndMergeParentRoute: the inheritance switches default to the parent's value;
  // inheritablePathMatchers gives every child matcher the parent's path and caseSensitive,
  // inheritableMatchers prepends the parent's headers, methods and query parameters.
  static void inherit_matchers(Route& route, const Route& parent, const Matcher& parent_matcher) {
    if (!route.inheritable_path_matchers)
      route.inheritable_path_matchers = parent.inheritable_path_matchers.value_or(false);
    if (!route.inheritable_matchers) route.inheritable_matchers = parent.inheritable_matchers.value_or(false);
    for (Matcher& matcher : route.matchers) {
      if (*route.inheritable_path_matchers) {
        matcher.kind = parent_matcher.kind;
        matcher.path = parent_matcher.path;
        matcher.case_sensitive = parent_matcher.case_sensitive;
      }
      if (*route.inheritable_matchers) {
        matcher.headers.insert(matcher.headers.begin(), parent_matcher.headers.begin(),
                               parent_matcher.headers.end());
        matcher.methods.insert(matcher.methods.begin(), parent_matcher.methods.begin(),
                               parent_matcher.methods.end());
        matcher.query_parameters.insert(matcher.query_parameters.begin(),
                                        parent_matcher.query_parameters.begin(),
                                        parent_matcher.query_parameters.end());
      }
    }
  }

  // Gloo's isRouteTableValidForDelegateMatcher: every child matcher starts with the parent's
  // prefix, has its case sensitivity, and contains each of its headers, query parameters (same
  // name and configuration) and methods. Gives the first offending matcher and why.
  static std::optional<std::pair<const Matcher*, std::string>> incompatible_matcher(
      const Route& route, const Matcher& parent, const std::string& parent_at) {
    const std::string delegating = "the route that delegates to it (" + parent_at + ")";
    const std::string hint = "; add it, or set inheritableMatchers: true there";
    for (const Matcher& m : route.matchers) {
      std::string path = quote_value(m.path);
      if (!m.path.starts_with(parent.path)) {
        return std::pair{
            &m, path + " does not start with " + quote_value(parent.path) + ", the prefix of " + delegating};
      }
      if (m.case_sensitive != parent.case_sensitive) {
        return std::pair{&m, path + " has caseSensitive " + (m.case_sensitive ? "true" : "false") + " but " +
                                 delegating + " has " + (parent.case_sensitive ? "true" : "false") +
                                 "; set the same, or set inheritablePathMatchers: true there"};
      }
      for (const HeaderMatcher& h : parent.headers) {
        auto same = std::find_if(m.headers.begin(), m.headers.end(), [&](const HeaderMatcher& c) {
          return c.name == h.name && c.value == h.value && c.regex == h.regex &&
                 c.invert_match == h.invert_match;
        });
        if (same == m.headers.end()) {
          return std::pair{&m, path + " lacks the header matcher '" + h.name + "' of " + delegating + hint};
        }
      }
      for (const QueryParameterMatcher& q : parent.query_parameters) {
        auto same = std::find_if(m.query_parameters.begin(), m.query_parameters.end(),
                                 [&](const QueryParameterMatcher& c) {
                                   return c.name == q.name && c.value == q.value && c.regex == q.regex;
                                 });
        if (same == m.query_parameters.end()) {
          return std::pair{
              &m, path + " lacks the query parameter matcher '" + q.name + "' of " + delegating + hint};
        }
      }
      for (const std::string& method : parent.methods) {
        if (std::find(m.methods.begin(), m.methods.end(), method) == m.methods.end()) {
          return std::pair{&m, path + " lacks the method " + method + " of " + delegating + hint};
        }
      }
    }
    return std::nullopt;
  }

  // A RouteTable reached along several paths would repeat its messages; each is given once.
  void report(bool error, const SourceLocation& where, std::string message) {
    if (!reported_.emplace(where.file, where.line, message).second) return;
    if (error) {
      diagnostics_.error(where, std::move(message));
    } else {
      diagnostics_.warning(where, std::move(message));
    }
  }

  const Config& config_;
  Diagnostics& diagnostics_;
  std::vector<const RouteTable*> path_;  // the RouteTables on the branch being expanded
  std::set<const RouteTable*> reached_;
  std::set<std::tuple<std::string, int, std::string>> reported_;
  std::size_t steps_ = 0;
  bool overflow_ = false;
};

}  // namespace

void parse_delegate_action(const Field& action, Route& route, const std::string& ns) {
  auto& diagnostics = action.source->diagnostics();
  std::string label = route_label(route);
  // Gloo takes the parent's prefix as the one every delegated matcher must start with, so the
  // parent has at most one matcher and it is a prefix (since Gloo 1.5 it may also match headers,
  // queryParameters and methods, which the children must then match too). A route that breaks
  // this delegates nowhere, so its tables' routes are not also reported against a prefix that
  // means nothing.
  bool matcher_ok = true;
  if (route.matchers.size() > 1) {
    diagnostics.error(route.where,
                      label + " delegates to RouteTables, so it must have at most one matcher (a prefix)");
    matcher_ok = false;
  } else if (route.matchers.size() == 1) {
    const Matcher& matcher = route.matchers.front();
    if (matcher.kind != PathMatchKind::Prefix) {
      diagnostics.error(matcher.where,
                        label + " delegates to RouteTables, so its matcher must be a prefix, not " +
                            (matcher.kind == PathMatchKind::Exact ? "exact" : "regex"));
      matcher_ok = false;
    }
  }

  auto reader = as_map(action);
  if (!reader) return;
  auto ref = reader->take("ref");
  auto selector = reader->take("selector");
  // The older form: name and namespace directly under delegateAction.
  bool legacy = reader->has("name") || reader->has("namespace");
  auto name = reader->string("name");
  auto legacy_namespace = reader->string("namespace");
  reader->finish();

  DelegateAction delegate;
  int forms = (ref ? 1 : 0) + (selector ? 1 : 0) + (legacy ? 1 : 0);
  if (forms > 1) {
    action.error("'" + action.path + "' sets more than one of 'ref', 'selector' and 'name'; use one");
    return;
  }
  if (forms == 0) {
    action.error("'" + action.path + "' must set 'ref' or 'selector'");
    return;
  }
  if (ref) {
    delegate.ref = parse_resource_ref(*ref, ns);
    if (!delegate.ref) return;
  } else if (selector) {
    delegate.selector = parse_selector(*selector);
    if (!delegate.selector) return;
  } else {
    if (!name || name->empty()) {
      action.error("'" + reader->child_path("name") + "' is required");
      return;
    }
    delegate.ref =
        ResourceRef{*name, legacy_namespace && !legacy_namespace->empty() ? *legacy_namespace : ns};
  }
  if (matcher_ok) route.delegate_action = std::move(delegate);
}

void flatten_delegation(Config& config, Diagnostics& diagnostics) {
  Flattener flattener(config, diagnostics);
  for (VirtualService& vs : config.virtual_services) {
    std::vector<Route> routes = flattener.flatten(vs);
    vs.routes = std::move(routes);
  }
  flattener.report_unreached();
}

}  // namespace lambdagate::config::detail
