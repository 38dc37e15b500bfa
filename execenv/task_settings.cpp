#include "execenv/task_settings.hpp"

#include <algorithm>
#include <cctype>

namespace multicad::execenv {

namespace {

// ---- custom_args ----

bool in_choice(std::string_view choices, std::string_view value) {
  while (!choices.empty()) {
    auto bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

// Codex parses the value as TOML and falls back to the raw text; a quoted
// TOML string of a checked value is unambiguous either way.
std::string unquote(std::string_view v) {
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

// A model name: what providers use (gpt-5.1-codex, o3, org/model:tag), never quotes or spaces.
bool is_model_name(std::string_view v) {
  return !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/';
         });
}

bool is_count(std::string_view v) {
  return !v.empty() && v.size() <= 12 && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The canonical `key=value` for an allowed override, or a reason it is refused.
struct override_check {
  std::string canonical;
  std::string reason;
};

override_check check_override(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) return {{}, "not of the form key=value"};
  auto key = text.substr(0, eq);
  auto value = unquote(text.substr(eq + 1));
  const auto& keys = allowed_config_keys();
  auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.key == key; });
  if (it == keys.end()) return {{}, "the setting \"" + std::string(key) + "\" is not one a task may change"};
  std::string k(key);
  if (it->values == "model") {
    if (is_model_name(value)) return {k + "=\"" + value + "\"", {}};
  } else if (it->values == "int") {
    if (is_count(value)) return {k + "=" + value, {}};
  } else if (it->values == "bool") {
    if (value == "true" || value == "false") return {k + "=" + value, {}};
  } else if (in_choice(it->values, value)) {
    return {k + "=\"" + value + "\"", {}};
  }
  return {{}, "\"" + value + "\" is not a valid value for " + k + " (expected " + std::string(it->values) + ")"};
}

bool is_transport_flag(const std::string& a) { return a == "--listen" || a == "--stdio" || a.starts_with("--listen="); }

checked_args pass_through(const std::vector<std::string>& custom) {
  checked_args out;
  for (std::size_t i = 0; i < custom.size(); ++i) {
    const auto& a = custom[i];
    if (!is_transport_flag(a)) {
      out.args.push_back(a);
      continue;
    }
    out.dropped.push_back(a);
    if (a == "--listen" && i + 1 < custom.size()) out.dropped.push_back(custom[++i]);
  }
  return out;
}

// ---- custom_env ----

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool portable_name(std::string_view k) {
  if (k.empty() || k.size() > 128 || std::isdigit(static_cast<unsigned char>(k[0]))) return false;
  return std::all_of(k.begin(), k.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

bool daemon_owned(const std::string& k) {
  static const char* const exact[] = {"HOME", "PATH", "USER", "LOGNAME", "SHELL", "TERM",
                                      "TMPDIR", "TMP", "TEMP", "MULTICAD_TASK", "NO_COLOR"};
  return k.starts_with("MULTICA_") || std::any_of(std::begin(exact), std::end(exact), [&](const char* e) { return k == e; });
}

// What the sandbox helper (bubblewrap, a dynamically linked C program, or
// Codex's own helper) or glibc reads before the sandbox is in place: a
// library to preload, a charset converter module, allocator or locale data
// to load. Set on the helper's command line these run code outside the
// sandbox, from a file any earlier task could have planted in /tmp.
bool loads_code(const std::string& k) {
  static const char* const prefixes[] = {"LD_", "DYLD_", "MALLOC_", "GLIBC_"};
  static const char* const exact[] = {"GCONV_PATH", "LOCPATH", "NLSPATH", "HOSTALIASES", "RESOLV_HOST_CONF", "GMON_OUT_PREFIX"};
  return std::any_of(std::begin(prefixes), std::end(prefixes), [&](const char* p) { return k.starts_with(p); }) ||
         std::any_of(std::begin(exact), std::end(exact), [&](const char* e) { return k == e; });
}

}  // namespace

const std::vector<allowed_config_key>& allowed_config_keys() {
  static const std::vector<allowed_config_key> keys = {
      {"model", "model"},
      {"model_reasoning_effort", "none|minimal|low|medium|high|xhigh"},
      {"model_reasoning_summary", "auto|concise|detailed|none"},
      {"model_verbosity", "low|medium|high"},
      {"personality", "none|friendly|pragmatic"},
      {"service_tier", "fast|flex"},
      {"model_context_window", "int"},
      {"model_auto_compact_token_limit", "int"},
      {"hide_agent_reasoning", "bool"},
      {"show_raw_agent_reasoning", "bool"},
  };
  return keys;
}

checked_args check_custom_args(const std::vector<std::string>& custom, bool allow_all) {
  if (allow_all) return pass_through(custom);
  checked_args out;
  for (std::size_t i = 0; i < custom.size(); ++i) {
    const auto& a = custom[i];
    if (a == "--strict-config") {  // makes Codex stricter, never looser
      out.args.push_back(a);
      continue;
    }
    std::string value;
    std::string shown = a;
    if (a == "-c" || a == "--config") {
      if (i + 1 == custom.size()) {
        out.refused.push_back({a, "it needs a key=value after it"});
        continue;
      }
      value = custom[++i];
      shown = a + " " + value;
    } else if (a.starts_with("--config=")) {
      value = a.substr(9);
    } else {
      out.refused.push_back({a, "only -c/--config with a model or reasoning setting may be passed"});
      continue;
    }
    auto checked = check_override(value);
    if (checked.reason.empty()) {
      out.args.push_back("-c");
      out.args.push_back(checked.canonical);
    } else {
      out.refused.push_back({shown, checked.reason});
    }
  }
  return out;
}

std::string refusal_text(const std::vector<refused_argument>& refused) {
  std::string text = "agent custom_args refused:";
  for (const auto& r : refused) text += " \"" + r.argument + "\" (" + r.reason + ");";
  std::string keys;
  for (const auto& k : allowed_config_keys()) keys += (keys.empty() ? "" : ", ") + std::string(k.key);
  return text + " a task may pass only -c <setting>=<value> for " + keys +
         "; the machine's owner can allow any argument with codex.allow_task_config = true "
         "(MULTICA_CODEX_ALLOW_TASK_CONFIG), which lets workspace members change Codex's sandbox";
}

checked_env check_custom_env(const std::map<std::string, std::string>& custom_env) {
  checked_env out;
  for (const auto& [name, value] : custom_env) {
    auto k = upper(name);
    if (!portable_name(name) || value.find('\0') != std::string::npos) out.refused.push_back({name, env_refusal::bad_name});
    else if (daemon_owned(k)) out.refused.push_back({name, env_refusal::daemon_owned});
    else if (loads_code(k)) out.refused.push_back({name, env_refusal::loads_code});
    else if (k.starts_with("CODEX_")) out.refused.push_back({name, env_refusal::codex_config});
    else out.accepted.emplace(name, value);
  }
  return out;
}

std::string_view describe(env_refusal why) {
  switch (why) {
    case env_refusal::bad_name:
      return "not a portable variable name ([A-Za-z_][A-Za-z0-9_]*, at most 128 bytes), or its value holds a NUL byte";
    case env_refusal::daemon_owned:
      return "the daemon sets it: MULTICA_*, HOME, PATH, USER, LOGNAME, SHELL, TERM, TMPDIR, TMP, TEMP, NO_COLOR";
    case env_refusal::loads_code:
      return "it makes the dynamic loader or libc load code before the sandbox applies (LD_*, DYLD_*, MALLOC_*, "
             "GLIBC_*, GCONV_PATH, LOCPATH, NLSPATH, ...)";
    case env_refusal::codex_config:
      return "CODEX_* variables configure Codex itself, which only the machine's owner may do";
  }
  return "?";
}

}  // namespace multicad::execenv
