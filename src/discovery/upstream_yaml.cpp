// Upstream documents for `lambdagate discover`, written with yaml-cpp's emitter (the only place
// outside config/ that names yaml-cpp, privately: no yaml-cpp type is in the header).
#include "lambdagate/discovery/upstream_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string_view>

#include "lambdagate/core/ascii.hpp"
#include "lambdagate/discovery/catalog_builder.hpp"

namespace lambdagate::discovery {

namespace {

// Whether a plain scalar with this text would be read back as something other than a string
// (YAML 1.1 booleans as go-yaml and yaml-cpp read them, null, numbers). yaml-cpp's emitter quotes
// only what would not parse at all, so "1" or "yes" need quoting here.
bool resolves_to_non_string(std::string_view text) {
  if (text.empty()) return true;
  static constexpr std::string_view kWords[] = {"true", "false", "yes",  "no",    "on",    "off",  "y", "n",
                                                "null", "~",     ".inf", "-.inf", "+.inf", ".nan", "<<"};
  const std::string folded = core::to_lower_ascii(text);
  if (std::find(std::begin(kWords), std::end(kWords), folded) != std::end(kWords)) return true;
  // Anything that starts like a number (1, -1, +1, .5, 0x1F, 1e3, 1_000, 12:30): quoting a few
  // strings that are not numbers costs nothing.
  const char first = text.front();
  if (std::isdigit(static_cast<unsigned char>(first))) return true;
  if ((first == '-' || first == '+' || first == '.') && text.size() > 1 &&
      (std::isdigit(static_cast<unsigned char>(text[1])) || text[1] == '.')) {
    return true;
  }
  return false;
}

void emit_string(YAML::Emitter& out, const std::string& value) {
  if (resolves_to_non_string(value)) out << YAML::DoubleQuoted;
  out << value;
}

void emit_pair(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value;
  emit_string(out, value);
}

void emit_metadata(YAML::Emitter& out, const config::Metadata& metadata) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  emit_pair(out, "name", metadata.name);
  emit_pair(out, "namespace", metadata.namespace_);
  if (!metadata.labels.empty()) {
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : metadata.labels) emit_pair(out, key.c_str(), value);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_destination_overrides(YAML::Emitter& out, const config::AwsDestinationSpec& spec) {
  // Only what differs from Gloo's zero values: that is what an override is (mergo without
  // override fills zero-valued route fields).
  out << YAML::Key << "destinationOverrides" << YAML::Value << YAML::BeginMap;
  if (!spec.logical_name.empty()) emit_pair(out, "logicalName", spec.logical_name);
  if (spec.invocation_style == config::InvocationStyle::Async) emit_pair(out, "invocationStyle", "ASYNC");
  auto flag = [&](const char* key, bool value) {
    if (value) out << YAML::Key << key << YAML::Value << true;
  };
  flag("requestTransformation", spec.request_transformation);
  flag("wrapAsApiGateway", spec.wrap_as_api_gateway);
  flag("unwrapAsApiGateway", spec.unwrap_as_api_gateway);
  flag("unwrapAsAlb", spec.unwrap_as_alb);
  if (!spec.payload_format_version.empty()) {
    out << YAML::Key << "payloadFormatVersion" << YAML::Value << YAML::DoubleQuoted
        << spec.payload_format_version;
  }
  flag("responseStreaming", spec.response_streaming);
  out << YAML::EndMap;
}

void emit_functions(YAML::Emitter& out, const std::vector<MergedFunction>& functions) {
  out << YAML::Key << "lambdaFunctions" << YAML::Value;
  if (functions.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    return;
  }
  out << YAML::BeginSeq;
  for (const MergedFunction& function : functions) {
    out << YAML::BeginMap;
    emit_pair(out, "logicalName", function.logical_name);
    emit_pair(out, "lambdaFunctionName", function.function_name);
    if (!function.qualifier.empty()) emit_pair(out, "qualifier", function.qualifier);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_upstream(YAML::Emitter& out, const UpstreamFunctions& item) {
  const config::Upstream& upstream = *item.upstream;
  const config::AwsUpstreamSpec& aws = upstream.aws;
  out << YAML::BeginMap;
  emit_pair(out, "apiVersion", "gloo.solo.io/v1");
  emit_pair(out, "kind", "Upstream");
  emit_metadata(out, upstream.metadata);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "aws" << YAML::Value << YAML::BeginMap;
  if (!aws.region.empty()) emit_pair(out, "region", aws.region);
  if (aws.secret_ref) {
    out << YAML::Key << "secretRef" << YAML::Value << YAML::BeginMap;
    emit_pair(out, "name", aws.secret_ref->name);
    emit_pair(out, "namespace", aws.secret_ref->namespace_);
    out << YAML::EndMap;
  }
  if (!aws.role_arn.empty()) emit_pair(out, "roleArn", aws.role_arn);
  if (!aws.aws_account_id.empty()) emit_pair(out, "awsAccountId", aws.aws_account_id);
  if (aws.disable_role_chaining) out << YAML::Key << "disableRoleChaining" << YAML::Value << true;
  if (aws.destination_overrides) emit_destination_overrides(out, *aws.destination_overrides);
  emit_functions(out, merged_functions(upstream, item.catalog.get()));
  out << YAML::EndMap;  // aws
  out << YAML::EndMap;  // spec
  out << YAML::EndMap;
}

}  // namespace

std::string render_upstreams_yaml(const std::vector<UpstreamFunctions>& upstreams) {
  std::string text;
  for (const UpstreamFunctions& item : upstreams) {
    if (!item.upstream) continue;
    // One emitter per document, the separator and comment written here: yaml-cpp's emitter ends
    // a document at a comment that comes right after its "---".
    text += "---\n";
    if (!item.note.empty()) {
      std::string note = item.note;
      std::replace(note.begin(), note.end(), '\n', ' ');
      std::replace(note.begin(), note.end(), '\r', ' ');
      text += "# " + note + "\n";
    }
    YAML::Emitter out;
    out.SetBoolFormat(YAML::TrueFalseBool);
    emit_upstream(out, item);
    text += out.c_str();
    if (text.back() != '\n') text.push_back('\n');
  }
  return text;
}

}  // namespace lambdagate::discovery
