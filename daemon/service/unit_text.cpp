#include "daemon/service/unit_text.hpp"

#include "daemon/service/templates.hpp"  // generated from packaging/ by CMake

namespace multicad::service {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Plain enough for systemd to take as one word without quotes.
bool plain(std::string_view arg) {
  if (arg.empty()) return false;
  for (char c : arg)
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\' || c == ';' || static_cast<unsigned char>(c) < 0x20)
      return false;
  return true;
}

std::string join_paths(const std::vector<fs::path>& dirs, std::string_view separator,
                       std::string (*each)(const fs::path&)) {
  std::string out;
  for (const auto& d : dirs) {
    if (!out.empty()) out += separator;
    out += each(d);
  }
  return out;
}

// PATH for the unit or plist. A folder with blanks or quotes is left out: it
// would need quoting inside an Environment= assignment, and almost nothing
// installs codex into such a folder.
std::string path_env(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> kept;
  for (const auto& d : dirs)
    if (plain(d.string())) kept.push_back(d);
  return join_paths(kept, ":", [](const fs::path& p) { return p.string(); });
}

}  // namespace

std::string systemd_quote(std::string_view arg) {
  std::string escaped;
  for (char c : arg) {
    if (c == '%') escaped += "%%";
    else if (c == '$') escaped += "$$";
    else escaped += c;
  }
  if (plain(arg)) return escaped;
  std::string out = "\"";
  for (char c : escaped) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find('@', at);
    auto close = open == std::string_view::npos ? open : text.find('@', open + 1);
    if (close == std::string_view::npos) break;
    auto it = values.find(std::string(text.substr(open + 1, close - open - 1)));
    if (it == values.end()) {  // not a placeholder (an e-mail address, say): keep the first @
      out.append(text.substr(at, open + 1 - at));
      at = open + 1;
      continue;
    }
    out.append(text.substr(at, open - at));
    out += it->second;
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

std::chrono::seconds stop_timeout_for(std::chrono::nanoseconds shutdown_grace) {
  auto drain = std::chrono::ceil<std::chrono::seconds>(shutdown_grace) + 60s;
  return std::max<std::chrono::seconds>(drain, 90s);
}

std::string logs_directory_lines(const fs::path& log_file) {
  if (log_file.empty()) return "# LogsDirectory= not needed: no log.file, the daemon logs to the journal";
  auto dir = log_file.lexically_normal().parent_path();
  auto below = dir.lexically_relative("/var/log");
  if (below.empty() || below == "." || *below.begin() == "..")
    return "# LogsDirectory= not used: log.file is not in a folder below /var/log (ReadWritePaths= lists its folder)";
  // Group-readable for the service's group (adm-style reading), never others.
  return "LogsDirectory=" + systemd_quote(below.string()) + "\nLogsDirectoryMode=0750";
}

std::string render_systemd_unit(scope s, const unit_inputs& in) {
  std::map<std::string, std::string> values{
      {"MULTICAD_BIN", systemd_quote(in.binary.string())},
      {"MULTICAD_CONFIG", systemd_quote(in.config_file.string())},
      {"MULTICAD_STOP_TIMEOUT", std::to_string(in.stop_timeout.count()) + "s"},
  };
  if (s == scope::system) {
    // "-": a path that does not exist yet is skipped rather than failing the start.
    values["MULTICAD_WRITABLE"] =
        join_paths(in.writable, " ", [](const fs::path& p) { return systemd_quote("-" + p.string()); });
    values["MULTICAD_LOGS_DIRECTORY"] = logs_directory_lines(in.log_file);
    return fill_template(templates::system_unit, values);
  }
  values["MULTICAD_PATH"] = systemd_quote(path_env(in.path_dirs));
  return fill_template(templates::user_unit, values);
}

std::string render_launchd_plist(const unit_inputs& in) {
  return fill_template(templates::launchd_plist,
                       {{"MULTICAD_BIN", xml_escape(in.binary.string())},
                        {"MULTICAD_CONFIG", xml_escape(in.config_file.string())},
                        {"MULTICAD_STOP_TIMEOUT_SECONDS", std::to_string(in.stop_timeout.count())},
                        {"MULTICAD_LOG_DIR", xml_escape(in.log_dir.string())},
                        {"MULTICAD_PROCESS_TYPE", in.background ? "Background" : "Standard"},
                        {"MULTICAD_PATH", xml_escape(path_env(in.path_dirs))}});
}

std::string render_unit(const target& where, const unit_inputs& in) {
  if (where.platform == platform::darwin) return render_launchd_plist(in);
  return render_systemd_unit(where.scope, in);
}

std::string_view example_config() { return templates::example_config; }

}  // namespace multicad::service
