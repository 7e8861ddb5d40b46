// v1 Secret: AWS keys (Opaque) and TLS material (kubernetes.io/tls). No message written here may
// contain a value read from `data` or `stringData`: diagnostics are printed and logged.
#include <algorithm>
#include <array>

#include "config/documents.hpp"
#include "lambdagate/core/base64.hpp"

namespace lambdagate::config::detail {

namespace {

// A data entry after base64 decoding, with the field it came from for messages.
struct SecretValue {
  std::string key;
  std::string value;
  Field field;
};

// Each AWS value under the key names we document and the ones Gloo's own Secret uses (gloo.md §1).
struct KeyAliases {
  std::string_view ours;
  std::string_view gloo;
};
constexpr KeyAliases kAccessKeyId{"aws_access_key_id", "access_key"};
constexpr KeyAliases kSecretAccessKey{"aws_secret_access_key", "secret_key"};
constexpr KeyAliases kSessionToken{"aws_session_token", "session_token"};

constexpr std::string_view kTlsCert = "tls.crt";
constexpr std::string_view kTlsKey = "tls.key";
constexpr std::string_view kTlsCa = "ca.crt";
constexpr std::string_view kOcspStaple = "tls.ocsp-staple";

// Reads `data` (base64) then `stringData` (plain), which wins for the same key as in Kubernetes.
std::vector<SecretValue> read_values(MapReader& doc) {
  std::vector<SecretValue> values;
  auto put = [&values](SecretValue value) {
    auto it =
        std::find_if(values.begin(), values.end(), [&](const SecretValue& v) { return v.key == value.key; });
    if (it != values.end()) {
      *it = std::move(value);
    } else {
      values.push_back(std::move(value));
    }
  };
  if (auto data = doc.map("data")) {
    for (auto& [key, field] : data->entries()) {
      auto text = as_string(field);
      if (!text) continue;
      // Kubernetes base64: a YAML block scalar may wrap a long value, and padding is optional.
      auto decoded = core::base64::decode_lenient(*text);
      if (!decoded) {
        field.error("'" + field.path + "' is not valid base64");
        continue;
      }
      put({key, std::move(*decoded), field});
    }
  }
  if (auto string_data = doc.map("stringData")) {
    for (auto& [key, field] : string_data->entries()) {
      if (auto text = as_string(field)) put({key, std::move(*text), field});
    }
  }
  return values;
}

const SecretValue* find_value(const std::vector<SecretValue>& values, std::string_view key) {
  auto it = std::find_if(values.begin(), values.end(), [&](const SecretValue& v) { return v.key == key; });
  return it == values.end() ? nullptr : &*it;
}

// Either spelling of one AWS value; both at once is ambiguous.
const SecretValue* find_aws_value(const std::vector<SecretValue>& values, const KeyAliases& aliases) {
  const SecretValue* ours = find_value(values, aliases.ours);
  const SecretValue* gloo = find_value(values, aliases.gloo);
  if (ours && gloo) {
    gloo->field.error("'" + gloo->field.path + "' and '" + ours->field.path +
                      "' are both set; use one spelling of the key");
  }
  return ours ? ours : gloo;
}

// A key with a trailing newline (`echo KEY | base64`) signs every request wrongly; AWS then only
// says "signature does not match". Checked here, with the key named and the value never shown.
bool check_aws_value(const SecretValue& value) {
  if (value.value.empty()) {
    value.field.error("'" + value.field.path + "' is empty");
    return false;
  }
  bool clean = std::all_of(value.value.begin(), value.value.end(),
                           [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; });
  if (!clean) {
    value.field.error("'" + value.field.path +
                      "' contains whitespace or a control character (a trailing newline from `echo` "
                      "without -n?)");
    return false;
  }
  return true;
}

// The legacy glooctl Secret (before 0.18.38, still read by Gloo): annotation
// resource_kind: '*v1.Secret' and one key `aws` whose value is YAML accessKey / secretKey /
// sessionToken (protojson also takes the snake_case names).
constexpr std::string_view kLegacyAnnotation = "resource_kind";
constexpr std::string_view kLegacyKind = "*v1.Secret";
constexpr std::string_view kLegacyKey = "aws";

struct LegacyName {
  std::string_view camel;
  std::string_view snake;
};
constexpr LegacyName kLegacyId{"accessKey", "access_key"};
constexpr LegacyName kLegacySecret{"secretKey", "secret_key"};
constexpr LegacyName kLegacyToken{"sessionToken", "session_token"};
constexpr LegacyName kLegacyNames[] = {kLegacyId, kLegacySecret, kLegacyToken};

// Reads the YAML inside the `aws` value into the three values, each named for messages as
// "data.aws.accessKey". Never quotes the text: it is the secret.
bool read_legacy_values(const SecretValue& aws, std::vector<SecretValue>& out) {
  YAML::Node node;
  try {
    node = YAML::Load(aws.value);
  } catch (const YAML::Exception&) {
    aws.field.error("'" + aws.field.path +
                    "' is not valid YAML (expected accessKey, secretKey, sessionToken)");
    return false;
  }
  if (!node.IsMap()) {
    aws.field.error("'" + aws.field.path +
                    "' must hold a YAML mapping with accessKey, secretKey and sessionToken");
    return false;
  }
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    auto known = std::find_if(std::begin(kLegacyNames), std::end(kLegacyNames),
                              [&](const LegacyName& n) { return n.camel == key || n.snake == key; });
    Field field = aws.field;
    field.path = aws.field.path + "." + key;
    if (known == std::end(kLegacyNames)) {
      field.warning("unknown key " + quote_value(key) + " in '" + aws.field.path + "'");
      continue;
    }
    if (!it->second.IsScalar()) {
      field.error("'" + field.path + "' must be a string");
      ok = false;
      continue;
    }
    out.push_back({std::string(known->camel), it->second.Scalar(), field});
  }
  return ok;
}

void parse_legacy_aws(const SecretValue& aws, const std::vector<SecretValue>& values,
                      const DocumentHeader& header, Secret& secret, Diagnostics& diagnostics) {
  for (const SecretValue& value : values) {
    if (value.key != kLegacyKey)
      value.field.warning("unknown key '" + value.key + "' in legacy AWS Secret " + display(header.metadata));
  }
  std::vector<SecretValue> legacy;
  if (!read_legacy_values(aws, legacy)) return;
  const SecretValue* id = find_value(legacy, kLegacyId.camel);
  const SecretValue* key = find_value(legacy, kLegacySecret.camel);
  const SecretValue* token = find_value(legacy, kLegacyToken.camel);
  if (!id || !key) {
    diagnostics.error(aws.field.where, "'" + aws.field.path + "' of Secret " + display(header.metadata) +
                                           " has no '" +
                                           std::string(!id ? kLegacyId.camel : kLegacySecret.camel) + "'");
    return;
  }
  bool ok = check_aws_value(*id);
  ok = check_aws_value(*key) && ok;
  if (token) ok = check_aws_value(*token) && ok;
  if (!ok) return;
  secret.aws = AwsSecretData{id->value, key->value, token ? token->value : std::string()};
  secret.aws_form = AwsSecretForm::Legacy;
}

void parse_aws_keys(const std::vector<SecretValue>& values, const DocumentHeader& header, Secret& secret,
                    Diagnostics& diagnostics) {
  const SecretValue* legacy = find_value(values, kLegacyKey);
  if (legacy != nullptr) {
    auto annotation = header.metadata.annotations.find(std::string(kLegacyAnnotation));
    if (annotation == header.metadata.annotations.end() || annotation->second != kLegacyKind) {
      legacy->field.warning("'" + legacy->field.path +
                            "' holds the legacy glooctl AWS credentials, which Gloo reads only "
                            "with the annotation resource_kind: '*v1.Secret'; lambdagate reads them anyway");
    }
    parse_legacy_aws(*legacy, values, header, secret, diagnostics);
    return;
  }
  const SecretValue* id = find_aws_value(values, kAccessKeyId);
  const SecretValue* key = find_aws_value(values, kSecretAccessKey);
  const SecretValue* token = find_aws_value(values, kSessionToken);
  const SecretValue* first_gloo_name = nullptr;
  for (const SecretValue& value : values) {
    bool known = false;
    for (const KeyAliases& aliases : {kAccessKeyId, kSecretAccessKey, kSessionToken}) {
      known = known || value.key == aliases.ours || value.key == aliases.gloo;
      if (value.key == aliases.gloo && first_gloo_name == nullptr) first_gloo_name = &value;
    }
    if (!known)
      value.field.warning("unknown key '" + value.key + "' in Opaque Secret " + display(header.metadata));
  }
  if (!id && !key && !token) return;  // an Opaque Secret lambdagate has no use for
  if (!id || !key) {
    std::string missing = !id ? std::string(kAccessKeyId.ours) : std::string(kSecretAccessKey.ours);
    diagnostics.error(header.where, "Secret " + display(header.metadata) + " has AWS credentials but no '" +
                                        missing + "' (or '" +
                                        std::string(!id ? kAccessKeyId.gloo : kSecretAccessKey.gloo) + "')");
    return;
  }
  bool ok = check_aws_value(*id);
  ok = check_aws_value(*key) && ok;
  if (token) ok = check_aws_value(*token) && ok;
  if (!ok) return;
  secret.aws = AwsSecretData{id->value, key->value, token ? token->value : std::string()};
  if (first_gloo_name != nullptr) {
    // Gloo's secret converter only knows aws_access_key_id / aws_secret_access_key /
    // aws_session_token; these are its proto field names, which a Kubernetes Secret cannot use.
    secret.aws_form = AwsSecretForm::ProtoFieldNames;
    first_gloo_name->field.warning(
        "Secret " + display(header.metadata) +
        " uses the keys access_key / secret_key / session_token, which Gloo does not read "
        "(it reads aws_access_key_id, aws_secret_access_key, aws_session_token); "
        "lambdagate accepts them");
  }
}

// PEM blocks, checked only for their armour (the TLS module parses them and refuses what it cannot
// use): a value that is not PEM at all (base64 applied twice, a path instead of the content) is
// worth a warning as early as --validate.
void check_pem(const SecretValue& value, std::string_view label) {
  const std::string begin = "-----BEGIN ";
  bool ok = value.value.find(begin) != std::string::npos &&
            value.value.find(std::string(label) + "-----") != std::string::npos;
  if (!ok)
    value.field.warning("'" + value.field.path + "' is not PEM (expected a " + std::string(label) +
                        " block)");
}

void parse_tls(const std::vector<SecretValue>& values, const DocumentHeader& header, Secret& secret,
               Diagnostics& diagnostics) {
  const SecretValue* cert = find_value(values, kTlsCert);
  const SecretValue* key = find_value(values, kTlsKey);
  const SecretValue* ca = find_value(values, kTlsCa);
  for (const SecretValue& value : values) {
    if (value.key == kOcspStaple) {
      value.field.warning("'" + value.field.path + "' is ignored: OCSP stapling is not supported");
    } else if (value.key != kTlsCert && value.key != kTlsKey && value.key != kTlsCa) {
      value.field.warning("unknown key '" + value.key + "' in TLS Secret " + display(header.metadata));
    }
  }
  for (auto [found, name] : std::array{std::pair{cert, kTlsCert}, std::pair{key, kTlsKey}}) {
    if (!found) {
      diagnostics.error(header.where, "Secret " + display(header.metadata) +
                                          " of type kubernetes.io/tls has no '" + std::string(name) + "'");
    }
  }
  if (!cert || !key) return;
  check_pem(*cert, "CERTIFICATE");
  check_pem(*key, "PRIVATE KEY");
  if (ca) check_pem(*ca, "CERTIFICATE");
  secret.tls = TlsSecretData{cert->value, key->value, ca ? ca->value : std::string()};
}

}  // namespace

void parse_secret(MapReader& doc, const DocumentHeader& header, LoadState& state) {
  auto& diagnostics = doc.source().diagnostics();
  Secret secret;
  secret.metadata = header.metadata;
  secret.where = header.where;
  auto type_field = doc.take("type");
  secret.type = type_field ? as_string(*type_field).value_or("Opaque") : "Opaque";
  if (secret.type.empty()) secret.type = "Opaque";
  doc.boolean("immutable");  // Kubernetes-only: no effect on a file we read
  std::vector<SecretValue> values = read_values(doc);

  if (secret.type == "Opaque") {
    parse_aws_keys(values, header, secret, diagnostics);
  } else if (secret.type == "kubernetes.io/tls") {
    parse_tls(values, header, secret, diagnostics);
  } else {
    SourceLocation where = type_field ? type_field->where : header.where;
    diagnostics.warning(where, "Secret type " + quote_value(secret.type) + " is not supported, Secret " +
                                   display(header.metadata) + " ignored");
    return;
  }
  state.config.secrets.push_back(std::move(secret));
}

}  // namespace lambdagate::config::detail
