// Files, directories and documents: everything the loader does before a document's kind
// matters, then dispatch to the per-kind parsers and the cross-document checks.
#include "lambdagate/config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include "config/documents.hpp"
#include "config/yaml_reader.hpp"

namespace lambdagate::config {

std::string Diagnostic::to_string() const {
  std::string out = where.file;
  // A problem with a whole file (missing, unreadable) has no line; print "FILE: error: ..."
  // rather than invent one.
  if (where.line > 0) out += ":" + std::to_string(where.line);
  if (!out.empty()) out += ": ";
  out += severity == Severity::Error ? "error: " : severity == Severity::Warning ? "warning: " : "info: ";
  out += message;
  return out;
}

std::size_t LoadResult::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::Error; }));
}

namespace {

namespace fs = std::filesystem;
using detail::Diagnostics;
using detail::DocumentHeader;
using detail::Field;
using detail::LoadState;
using detail::MapReader;
using detail::Source;

// Config files are small; anything this large is a mistake (a log, a binary) and not worth
// handing to the YAML parser.
constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

struct InputFile {
  std::string name;
  std::string text;
};

// A part of a file holding one YAML document (sometimes more, after a "..." end marker).
struct Chunk {
  std::string_view text;
  int first_line = 0;  // 0-based
};

using Parser = void (*)(MapReader&, const DocumentHeader&, LoadState&);

struct KindHandler {
  std::string_view api_version;
  std::string_view kind;
  Parser parse;
};

constexpr KindHandler kKinds[] = {
    {"gloo.solo.io/v1", "Upstream", detail::parse_upstream},
    {"gateway.solo.io/v1", "VirtualService", detail::parse_virtual_service},
    {"gateway.solo.io/v1", "RouteTable", detail::parse_route_table},
    {"v1", "Secret", detail::parse_secret},
    {"gloo.solo.io/v1", "Settings", detail::parse_settings},
    {"gateway.solo.io/v1", "Gateway", detail::parse_gateway},
};

// Kubernetes bookkeeping that `kubectl get -o yaml` writes; none of it affects lambdagate.
constexpr std::string_view kIgnoredMetadata[] = {
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "ownerReferences",
    "finalizers",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generateName",
};

// gloo.solo.io/v1, gateway.solo.io/v1, enterprise.gloo.solo.io/v1, ratelimit.solo.io/v1alpha1, ...
bool is_gloo_api(std::string_view api_version) {
  std::string_view group = api_version.substr(0, api_version.find('/'));
  return group == "solo.io" || group.ends_with(".solo.io");
}

std::string other_kinds_message(const std::vector<std::pair<std::string, std::size_t>>& kinds,
                                std::size_t places) {
  std::vector<std::pair<std::string, std::size_t>> sorted = kinds;
  std::sort(sorted.begin(), sorted.end());
  std::string list;
  for (const auto& [kind, count] : sorted) {
    list += (list.empty() ? "" : ", ") + kind + " (" + std::to_string(count) + ")";
  }
  return "skipped " + std::to_string(places) + (places == 1 ? " document" : " documents") +
         " of kinds lambdagate does not read: " + list;
}

bool is_document_marker(std::string_view line) {
  if (!line.starts_with("---")) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r';
}

// Lines that do not start a document's content: blank, comment or directive.
bool is_preamble(std::string_view line) {
  std::size_t first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#' || line[0] == '%';
}

// Splits a file at "---" lines. yaml-cpp would read all documents in one call, but then one
// syntax error loses every document of the file; per-chunk parsing reports the error and still
// reads the rest. A "---" at column 0 always starts a document in YAML, even inside a block
// scalar, so this split is the one the parser would make.
std::vector<Chunk> split_documents(std::string_view text) {
  std::vector<Chunk> chunks;
  std::size_t chunk_start = 0;
  int chunk_line = 0;
  bool has_content = false;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, next - pos);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (is_document_marker(line) && has_content) {
      chunks.push_back({text.substr(chunk_start, pos - chunk_start), chunk_line});
      chunk_start = pos;
      chunk_line = line_no;
      has_content = false;
    }
    if (!is_preamble(line) && !is_document_marker(line)) has_content = true;
    if (is_document_marker(line) && line.find_first_not_of(" \t\r", 3) != std::string_view::npos) {
      has_content = true;  // "--- {inline: document}"
    }
    pos = next;
    ++line_no;
  }
  if (chunk_start < text.size()) chunks.push_back({text.substr(chunk_start), chunk_line});
  return chunks;
}

// Counts a document stream's documents with yaml-cpp's own Parser, building nothing.
class DocumentCounter final : public YAML::EventHandler {
 public:
  std::size_t documents = 0;
  YAML::Mark last_start;
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    last_start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 never gets past a ',' outside any flow collection: YAML::LoadAll makes an empty
// document there, again and again, until memory runs out (a one-byte file "," did it; found by
// tests/fuzz/yaml_fuzz.cpp). A first pass counts the documents and gives up at one more than the
// text can hold (each takes at least one byte): where the runaway starts, or nullopt. Syntax
// errors throw YAML::ParserException, as LoadAll would.
std::optional<YAML::Mark> runaway_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (parser.HandleNextDocument(counter)) {
    if (counter.documents > text.size() + 1) return counter.last_start;
  }
  return std::nullopt;
}

class Loader {
 public:
  void add_file_rank(const std::string& file) { ranks_.emplace(file, ranks_.size()); }

  void error(std::string file, std::string message) {
    diagnostics_.error({std::move(file), 0}, std::move(message));
  }
  void warning(std::string file, std::string message) {
    diagnostics_.warning({std::move(file), 0}, std::move(message));
  }

  void load_file(const InputFile& file) {
    add_file_rank(file.name);
    state_.config.files.push_back(file.name);
    for (const Chunk& chunk : split_documents(file.text)) load_chunk(file.name, chunk);
  }

  explicit Loader(FieldTrace* trace) { diagnostics_.trace = trace; }

  LoadResult finish() {
    detail::resolve_config(state_, diagnostics_);
    detail::validate_config(state_, diagnostics_);
    diagnostics_.flush_collected([this](const SourceLocation& a, const SourceLocation& b) {
      return std::tuple(rank(a.file), a.line) < std::tuple(rank(b.file), b.line);
    });
    LoadResult result;
    result.diagnostics = std::move(diagnostics_.items());
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [this](const Diagnostic& a, const Diagnostic& b) {
                       return std::tuple(rank(a.where.file), a.where.line) <
                              std::tuple(rank(b.where.file), b.where.line);
                     });
    if (diagnostics_.error_count() == 0)
      result.config = std::make_shared<const Config>(std::move(state_.config));
    return result;
  }

 private:
  std::size_t rank(const std::string& file) const {
    auto it = ranks_.find(file);
    return it == ranks_.end() ? ranks_.size() : it->second;
  }

  void load_chunk(const std::string& file, const Chunk& chunk) {
    Source source(file, chunk.first_line, diagnostics_);
    std::vector<YAML::Node> documents;
    try {
      const std::string text(chunk.text);
      if (const auto mark = runaway_document(text)) {
        SourceLocation where = source.at(*mark);
        if (where.line == 0) where.line = chunk.first_line + 1;
        diagnostics_.error(
            where,
            "YAML syntax error: unexpected text where a document should start (a ',' outside [ ] or { }?)");
        return;
      }
      documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
      SourceLocation where = source.at(e.mark);
      // yaml-cpp often notices an unclosed bracket or quote only at the end of input, which
      // for a chunk is the next document's "---" line; keep the report inside this chunk.
      int last_line =
          chunk.first_line + static_cast<int>(std::count(chunk.text.begin(), chunk.text.end(), '\n'));
      if (!chunk.text.empty() && chunk.text.back() != '\n') ++last_line;
      if (where.line == 0) where.line = chunk.first_line + 1;
      where.line = std::min(where.line, std::max(last_line, chunk.first_line + 1));
      diagnostics_.error(where, "YAML syntax error: " + e.msg);
      return;
    }
    for (const YAML::Node& document : documents) {
      if (document.IsNull()) continue;  // "---" with nothing after it
      SourceLocation where = source.at(document);
      if (where.line == 0) where.line = chunk.first_line + 1;
      try {
        load_document(source, document, where);
      } catch (const std::exception& e) {
        // The readers convert without throwing; this only guards the promise that a bad
        // document never escapes load_config as an exception.
        diagnostics_.error(where, std::string("could not read document: ") + e.what());
      }
    }
  }

  void load_document(const Source& source, const YAML::Node& node, const SourceLocation& where) {
    if (!node.IsMap()) {
      diagnostics_.error(where, "a document must be a mapping with apiVersion, kind, metadata and spec");
      return;
    }
    // The schema path of every field below starts with the kind: "Gateway:spec.bindPort".
    const YAML::Node& const_node = node;
    std::string schema_root;
    if (const YAML::Node kind_node = const_node["kind"]; kind_node && kind_node.IsScalar())
      schema_root = kind_node.Scalar() + ":";
    MapReader doc(source, node, "", where, schema_root);
    auto api_version = doc.required_string("apiVersion");
    auto kind = doc.required_string("kind");
    if (!api_version || !kind) return;

    if (*api_version == "v1" && *kind == "List") {
      // What `kubectl get upstreams -o yaml` prints: the documents are its items.
      for (const Field& item : doc.list("items")) {
        SourceLocation item_where = item.where;
        load_document(source, item.value, item_where);
      }
      doc.accept("metadata");
      doc.finish();
      return;
    }

    const KindHandler* handler = nullptr;
    const KindHandler* same_kind = nullptr;
    for (const KindHandler& k : kKinds) {
      if (k.kind != *kind) continue;
      same_kind = &k;
      if (k.api_version == *api_version) handler = &k;
    }
    if (handler == nullptr) {
      if (same_kind != nullptr) {
        diagnostics_.warning(where, "kind " + *kind + " in apiVersion " + *api_version +
                                        " is not supported, document ignored (lambdagate reads " +
                                        std::string(same_kind->api_version) + " " + *kind + ")");
      } else if (is_gloo_api(*api_version)) {
        // Another Gloo resource (UpstreamGroup, RouteOption, ...): configuration users expect to
        // take effect, so each one is worth a warning.
        diagnostics_.warning(where,
                             "kind " + *kind + " (" + *api_version + ") is not supported, document ignored");
      } else {
        // Namespaces, ServiceAccounts, Deployments kept beside the Gloo documents: one line per load.
        diagnostics_.collect("other kinds", Diagnostic::Severity::Info, where, *kind, other_kinds_message);
      }
      return;
    }

    DocumentHeader header{*api_version, *kind, {}, where};
    if (!read_metadata(doc, header.metadata)) return;
    doc.accept("status");  // written by Gloo's controllers, never read back

    std::tuple key(header.kind, header.metadata.namespace_, header.metadata.name);
    auto [first, inserted] = seen_.emplace(key, where);
    if (inserted) {
      handler->parse(doc, header, state_);
    } else {
      diagnostics_.error(where, "duplicate " + header.kind + " " + detail::display(header.metadata) +
                                    " (first defined at " + first->second.file + ":" +
                                    std::to_string(first->second.line) + ")");
      // Still read it, so its own problems are reported too, but keep only the first.
      LoadState scratch;
      handler->parse(doc, header, scratch);
    }
    doc.finish();
  }

  bool read_metadata(MapReader& doc, Metadata& metadata) {
    auto reader = doc.map("metadata");
    if (!reader) {
      if (!doc.has("metadata")) diagnostics_.error(doc.where(), "'metadata' is required");
      return false;
    }
    auto name = reader->required_string("name");
    if (auto ns = reader->string("namespace"); ns && !ns->empty()) metadata.namespace_ = *ns;
    if (auto labels = reader->map("labels")) {
      for (auto& [key, field] : labels->entries()) {
        if (auto value = detail::as_string(field)) metadata.labels[key] = *value;
      }
    }
    if (auto annotations = reader->map("annotations")) {
      for (auto& [key, field] : annotations->entries()) {
        if (auto value = detail::as_string(field)) metadata.annotations[key] = *value;
      }
    }
    for (std::string_view key : kIgnoredMetadata) reader->accept(key);
    reader->finish();
    if (!name) return false;
    metadata.name = *name;
    return true;
  }

  Diagnostics diagnostics_;
  LoadState state_;
  std::map<std::string, std::size_t> ranks_;
  std::map<std::tuple<std::string, std::string, std::string>, SourceLocation> seen_;
};

// Reads a whole file, or reports why it cannot be read.
std::optional<std::string> read_file(const std::string& path, Loader& loader) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) {
    loader.error(path, "file is larger than 16 MiB, not read");
    return std::nullopt;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    loader.error(path, std::string("cannot read file: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) {
    loader.error(path, std::string("cannot read file: ") + std::strerror(err));
    return std::nullopt;
  }
  return text;
}

bool is_yaml_name(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;  // hidden files and ConfigMap "..data" entries
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

void load_directory(const std::string& dir, Loader& loader) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_yaml_name(name)) names.push_back(std::move(name));
  }
  if (ec) {
    loader.error(dir, "cannot read directory: " + ec.message());
    return;
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) loader.warning(dir, "directory has no *.yaml or *.yml files");
  for (const std::string& name : names) {
    std::string path = (fs::path(dir) / name).string();
    loader.add_file_rank(path);
    // status() follows symlinks: a ConfigMap mount's "x.yaml -> ..data/x.yaml" is read through.
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      loader.error(path, fs::is_symlink(fs::symlink_status(path, ec))
                             ? "cannot read file: broken symbolic link"
                             : "cannot read file: no such file");
      continue;
    }
    if (fs::is_directory(status)) {
      loader.warning(path, "is a directory, skipped (directories are not read recursively)");
      continue;
    }
    if (auto text = read_file(path, loader)) loader.load_file({path, std::move(*text)});
  }
}

}  // namespace

LoadResult load_config(const std::vector<std::string>& paths, FieldTrace* trace) {
  Loader loader(trace);
  if (paths.empty()) loader.error("", "no configuration path given");
  for (const std::string& path : paths) {
    loader.add_file_rank(path);
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) {
      // ENOENT is the common case; EACCES on a parent directory must not read as "missing".
      bool missing = !ec || ec == std::errc::no_such_file_or_directory;
      loader.error(path, missing ? "no such file or directory" : "cannot read: " + ec.message());
    } else if (fs::is_directory(status)) {
      load_directory(path, loader);
    } else if (auto text = read_file(path, loader)) {
      loader.load_file({path, std::move(*text)});
    }
  }
  return loader.finish();
}

LoadResult load_config_from_strings(const std::vector<std::pair<std::string, std::string>>& files,
                                    FieldTrace* trace) {
  Loader loader(trace);
  for (const auto& [name, text] : files) loader.load_file({name, text});
  return loader.finish();
}

}  // namespace lambdagate::config
