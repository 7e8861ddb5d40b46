// Kubernetes label-selector requirements as Gloo spells them (RouteTable selectors and Gateway
// virtualServiceExpressions share Selector.Expression): parsing with the value counts
// Kubernetes' labels.NewRequirement accepts, and matching as labels.Requirement.Matches.
#include <algorithm>
#include <charconv>

#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

using Operator = LabelExpression::Operator;

struct OperatorName {
  std::string_view name;
  Operator op;
};

// Gloo's Expression.Operator, spelled as its proto enum. (The docs' "in" / "!" spellings are
// refused by Gloo's parser too.)
constexpr OperatorName kOperators[] = {
    {"Equals", Operator::Equals},
    {"DoubleEquals", Operator::DoubleEquals},
    {"NotEquals", Operator::NotEquals},
    {"In", Operator::In},
    {"NotIn", Operator::NotIn},
    {"Exists", Operator::Exists},
    {"DoesNotExist", Operator::DoesNotExist},
    {"GreaterThan", Operator::GreaterThan},
    {"LessThan", Operator::LessThan},
};

std::optional<int64_t> to_integer(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The value counts Kubernetes' labels.NewRequirement accepts for each operator.
std::optional<std::string> expression_problem(const LabelExpression& expression) {
  std::size_t n = expression.values.size();
  switch (expression.op) {
    case Operator::Equals:
    case Operator::DoubleEquals:
    case Operator::NotEquals:
      if (n != 1) return "takes exactly one value";
      break;
    case Operator::In:
    case Operator::NotIn:
      if (n == 0) return "takes at least one value";
      break;
    case Operator::Exists:
    case Operator::DoesNotExist:
      if (n != 0) return "takes no values";
      break;
    case Operator::GreaterThan:
    case Operator::LessThan:
      if (n != 1 || !to_integer(expression.values.front())) return "takes exactly one integer value";
      break;
  }
  return std::nullopt;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string_view operator_name(LabelExpression::Operator op) {
  for (const OperatorName& o : kOperators) {
    if (o.op == op) return o.name;
  }
  return "Equals";
}

std::optional<LabelExpression> parse_label_expression(const Field& item) {
  auto reader = as_map(item);
  if (!reader) return std::nullopt;
  LabelExpression expression;
  bool ok = true;
  auto key = reader->required_string("key");
  if (auto op = reader->take("operator")) {
    auto name = as_string(*op);
    auto known = std::find_if(std::begin(kOperators), std::end(kOperators),
                              [&](const OperatorName& o) { return name && o.name == *name; });
    if (known != std::end(kOperators)) {
      expression.op = known->op;
    } else {
      if (name) {
        op->error("'" + op->path + "' must be one of Equals, DoubleEquals, NotEquals, In, NotIn, Exists, " +
                  "DoesNotExist, GreaterThan and LessThan, got " + quote_value(*name));
      }
      ok = false;
    }
  }
  if (auto values = reader->take("values")) {
    if (auto list = as_string_list(*values)) {
      expression.values = std::move(*list);
    } else {
      ok = false;
    }
  }
  reader->finish();
  if (!key || !ok) return std::nullopt;
  expression.key = *key;
  if (auto problem = expression_problem(expression)) {
    item.error("'" + item.path + "': operator " + std::string(operator_name(expression.op)) + " " + *problem);
    return std::nullopt;
  }
  return expression;
}

bool label_expression_matches(const LabelExpression& expression,
                              const std::map<std::string, std::string>& labels) {
  auto label = labels.find(expression.key);
  bool has = label != labels.end();
  switch (expression.op) {
    case Operator::Equals:
    case Operator::DoubleEquals:
    case Operator::In:
      return has && contains(expression.values, label->second);
    case Operator::NotEquals:
    case Operator::NotIn:
      return !has || !contains(expression.values, label->second);
    case Operator::Exists:
      return has;
    case Operator::DoesNotExist:
      return !has;
    case Operator::GreaterThan:
    case Operator::LessThan: {
      if (!has) return false;
      auto value = to_integer(label->second);
      auto bound = to_integer(expression.values.front());
      if (!value || !bound) return false;
      return expression.op == Operator::GreaterThan ? *value > *bound : *value < *bound;
    }
  }
  return false;
}

}  // namespace lambdagate::config::detail
