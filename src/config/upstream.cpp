// gloo.solo.io/v1 Upstream: only spec.aws Upstreams are kept (gloo.md §1).
#include <algorithm>
#include <cctype>

#include "config/documents.hpp"

namespace lambdagate::config::detail {

namespace {

// The other members of Gloo's upstream_type oneof: valid Gloo, but nothing lambdagate can call.
constexpr std::string_view kOtherUpstreamTypes[] = {"kube",   "static", "pipe", "azure",
                                                    "consul", "awsEc2", "gcp",  "ai"};

bool is_account_id(std::string_view value) {
  return value.size() == 12 && std::all_of(value.begin(), value.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c));
         });
}

// arn:PARTITION:iam::ACCOUNT:role/NAME; a typo here would only surface as an STS failure at
// run time, long after the config was accepted.
bool is_role_arn(std::string_view value) {
  if (!value.starts_with("arn:")) return false;
  std::size_t iam = value.find(":iam::");
  if (iam == std::string_view::npos) return false;
  std::size_t role = value.find(":role/", iam + 6);
  if (role == std::string_view::npos || role + 6 >= value.size()) return false;
  return is_account_id(value.substr(iam + 6, role - (iam + 6)));
}

void parse_lambda_functions(MapReader& aws, AwsUpstreamSpec& spec) {
  for (const Field& item : aws.list("lambdaFunctions")) {
    auto reader = as_map(item);
    if (!reader) continue;
    LambdaFunctionSpec function;
    function.where = item.where;
    auto name = reader->required_string("lambdaFunctionName");
    function.qualifier = reader->string("qualifier").value_or("");
    function.logical_name = reader->string("logicalName").value_or("");
    if (auto extension = reader->map("lambdagate")) {
      if (auto cap = extension->take("maxConcurrency")) {
        function.max_concurrency = parse_positive_count(*cap);
        if (function.max_concurrency)
          note_pending(reader->source().diagnostics(), PendingFeature::ConcurrencyCaps, cap->where);
      }
      extension->finish();
    }
    reader->finish();
    if (!name) continue;
    function.function_name = *name;
    if (function.logical_name.empty()) {
      // Gloo's documented default: name, or name:qualifier, as function discovery writes it.
      function.logical_name = function.qualifier.empty() ? function.function_name
                                                         : function.function_name + ":" + function.qualifier;
    }
    auto duplicate =
        std::find_if(spec.lambda_functions.begin(), spec.lambda_functions.end(),
                     [&](const LambdaFunctionSpec& f) { return f.logical_name == function.logical_name; });
    if (duplicate != spec.lambda_functions.end()) {
      item.error("duplicate logicalName '" + function.logical_name + "' in '" +
                 aws.child_path("lambdaFunctions") + "' (first at line " +
                 std::to_string(duplicate->where.line) + ")");
      continue;
    }
    spec.lambda_functions.push_back(std::move(function));
  }
}

void parse_aws(MapReader& aws, const Metadata& metadata, AwsUpstreamSpec& spec, LoadState& state) {
  spec.region = aws.string("region").value_or("");
  if (auto ref = aws.take("secretRef")) {
    spec.secret_ref = parse_resource_ref(*ref, metadata.namespace_);
    state.secret_ref_locations[ResourceRef{metadata.name, metadata.namespace_}] = ref->where;
  }
  parse_lambda_functions(aws, spec);
  if (auto role = aws.take("roleArn")) {
    spec.role_arn = as_string(*role).value_or("");
    if (!spec.role_arn.empty() && !is_role_arn(spec.role_arn)) {
      role->error("'" + role->path + "' must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME), got " +
                  quote_value(spec.role_arn));
    }
  }
  if (auto account = aws.take("awsAccountId")) {
    spec.aws_account_id = as_string(*account).value_or("");
    if (!spec.aws_account_id.empty() && !is_account_id(spec.aws_account_id)) {
      account->error("'" + account->path + "' must be a 12-digit AWS account id, got " +
                     quote_value(spec.aws_account_id));
    }
  }
  spec.disable_role_chaining = aws.boolean("disableRoleChaining").value_or(false);
  if (auto overrides = aws.map("destinationOverrides"))
    spec.destination_overrides = parse_aws_destination(*overrides);
  aws.finish();
}

}  // namespace

void parse_upstream(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto spec = doc.map("spec");
  if (!spec) {
    if (!doc.has("spec")) doc.source().diagnostics().error(header.where, "'spec' is required");
    return;
  }
  ResourceRef ref{header.metadata.name, header.metadata.namespace_};

  std::vector<Field> other_types;
  for (std::string_view type : kOtherUpstreamTypes) {
    if (auto field = spec->take(type)) other_types.push_back(*field);
  }
  auto aws_field = spec->take("aws");
  if (!aws_field) {
    if (other_types.empty()) {
      doc.source().diagnostics().error(spec->where(), "Upstream " + display(ref) + " has no 'spec.aws'");
      spec->finish();
      return;
    }
    // A cluster of mixed Gloo Upstreams is normal; the non-Lambda ones are skipped, and a route
    // that still names one is reported by the cross-document checks.
    other_types.front().warning("'" + other_types.front().path +
                                "' is not supported (lambdagate only invokes AWS Lambda " +
                                "through spec.aws), Upstream " + display(ref) + " ignored");
    state.ignored_upstreams.emplace(ref, header.where);
    return;
  }
  for (const Field& other : other_types) {
    other.error("'" + other.path + "' and 'spec.aws' are both set; an Upstream has exactly one type");
  }

  Upstream upstream;
  upstream.metadata = header.metadata;
  upstream.where = header.where;
  if (auto aws = as_map(*aws_field)) parse_aws(*aws, header.metadata, upstream.aws, state);
  // Envoy cluster settings (circuitBreakers, healthChecks, ...): answered from the table.
  spec->finish();
  state.config.upstreams.push_back(std::move(upstream));
}

}  // namespace lambdagate::config::detail
