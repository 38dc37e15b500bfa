#include "execenv/managed_block.hpp"

#include <cmath>
#include <sstream>
#include <toml.hpp>

#include "config/utf8.hpp"
#include "execenv/toml_layout.hpp"
#include "execenv/toml_parse.hpp"

namespace multicad::execenv {

namespace {

using kind = toml_statement::kind;

// Which statements are earlier managed blocks: each BEGIN marker up to its
// END marker, plus the one blank line the daemon writes after END. A BEGIN
// with no END after it marks only itself, so nothing of the user's is lost.
std::vector<bool> managed_statements(const std::vector<toml_statement>& st, int& blocks) {
  std::vector<bool> removed(st.size(), false);
  auto is = [&](std::size_t i, std::string_view marker) { return st[i].type == kind::comment && st[i].comment == marker; };
  for (std::size_t i = 0; i < st.size(); ++i) {
    if (!is(i, managed_begin)) continue;
    std::size_t j = i + 1;
    while (j < st.size() && !is(j, managed_end) && !is(j, managed_begin)) ++j;
    if (j == st.size() || !is(j, managed_end)) { removed[i] = true; continue; }
    for (std::size_t k = i; k <= j; ++k) removed[k] = true;
    if (j + 1 < st.size() && st[j + 1].type == kind::blank) removed[j + 1] = true;
    ++blocks;
    i = j;
  }
  return removed;
}

bool is_network_key(const std::vector<std::string>& key) { return key.size() == 1 && key[0] == "network_access"; }

// Marks legacy sandbox keys for removal and collects the other keys of a
// legacy [sandbox_workspace_write] table as root dotted-key lines.
void migrate_legacy(const std::vector<toml_statement>& st, std::vector<bool>& removed, std::string_view eol,
                    std::string& carried, std::vector<std::string>& notes) {
  enum class section { root, legacy_table, other } where = section::root;
  auto carry = [&](std::string_view key_text, std::string_view value_text) {
    carried += "sandbox_workspace_write." + std::string(key_text) + " = " + std::string(value_text) + std::string(eol);
  };
  for (std::size_t i = 0; i < st.size(); ++i) {
    const auto& s = st[i];
    if (removed[i]) continue;
    auto at = "line " + std::to_string(s.line) + ": ";
    if (s.type == kind::table_header || s.type == kind::array_header) {
      bool legacy = s.type == kind::table_header && s.key == std::vector<std::string>{"sandbox_workspace_write"};
      where = legacy ? section::legacy_table : section::other;
      if (legacy) { removed[i] = true; notes.push_back(at + "[sandbox_workspace_write] table"); }
      continue;
    }
    if (s.type != kind::key_value || where == section::other) continue;
    if (where == section::legacy_table) {
      removed[i] = true;
      if (is_network_key(s.key)) notes.push_back(at + "sandbox_workspace_write.network_access");
      else { carry(s.key_text, s.value_text); notes.push_back(at + "sandbox_workspace_write." + std::string(s.key_text) + " kept as a root dotted key"); }
      continue;
    }
    if (s.key[0] == "sandbox_mode" && s.key.size() == 1) {
      removed[i] = true;
      notes.push_back(at + "sandbox_mode");
    } else if (s.key[0] == "sandbox_workspace_write" && s.key.size() == 1) {
      removed[i] = true;
      notes.push_back(at + "sandbox_workspace_write (inline table)");
      for (const auto& m : s.inline_members)
        if (!is_network_key(m.key)) carry(m.key_text, m.value_text);
    } else if (s.key[0] == "sandbox_workspace_write" && s.key.size() == 2 && s.key[1] == "network_access") {
      removed[i] = true;
      notes.push_back(at + "sandbox_workspace_write.network_access");
    }
  }
}

// Equality of two TOML values where NaN equals NaN: a user's `x = nan` must
// not make the file look changed (toml11's operator== follows IEEE).
bool same_value(const toml::value& a, const toml::value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_floating()) {
    double x = a.as_floating(), y = b.as_floating();
    return (std::isnan(x) && std::isnan(y)) || x == y;
  }
  if (a.is_table()) {
    const auto& ta = a.as_table();
    const auto& tb = b.as_table();
    if (ta.size() != tb.size()) return false;
    for (const auto& [k, v] : ta) {
      auto it = tb.find(k);
      if (it == tb.end() || !same_value(v, it->second)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& xa = a.as_array();
    const auto& xb = b.as_array();
    if (xa.size() != xb.size()) return false;
    for (std::size_t i = 0; i < xa.size(); ++i)
      if (!same_value(xa[i], xb[i])) return false;
    return true;
  }
  return a == b;
}

// A managed block whose inside is broken (a half-edited `sandbox_mode =`)
// stops the statement scanner, although the block is ours to replace: cut
// BEGIN..END marker lines out by lines and try again. With `keep_lines`
// the cut lines stay as empty lines, so errors keep the user's line
// numbers. Returns nullopt when there is no such block to cut.
std::optional<std::string> without_marker_blocks(std::string_view body, bool keep_lines = false) {
  std::string out;
  bool cut = false, inside = false, skip_blank = false;
  std::size_t start = 0;
  while (start < body.size()) {
    auto nl = body.find('\n', start);
    auto end = nl == std::string_view::npos ? body.size() : nl + 1;
    auto line = body.substr(start, end - start);
    auto bare = line.substr(0, line.find_last_not_of(" \t\r\n") + 1);
    if (!inside && bare == managed_begin && body.find(managed_end, end) != std::string_view::npos) {
      inside = cut = true;
      if (keep_lines) out += '\n';
    } else if (inside) {
      if (bare == managed_end) { inside = false; skip_blank = true; }
      if (keep_lines) out += '\n';
    } else if (skip_blank && bare.empty()) {
      if (keep_lines) out += line;
      skip_blank = false;
    } else {
      skip_blank = false;
      out.append(line);
    }
    start = end;
  }
  if (!cut) return std::nullopt;
  return out;
}

// The managed keys removed, so that two documents can be compared for
// everything else the user wrote.
toml::value without_managed_keys(toml::value v) {
  auto& root = v.as_table();
  root.erase("sandbox_mode");
  if (auto it = root.find("sandbox_workspace_write"); it != root.end() && it->second.is_table()) {
    it->second.as_table().erase("network_access");
    if (it->second.as_table().empty()) root.erase(it);
  }
  return v;
}

}  // namespace

std::string render_managed_block(const sandbox_policy& policy, std::string_view eol) {
  std::string e(eol);
  std::string out = std::string(managed_begin) + e;
  out += "sandbox_mode = \"" + std::string(to_string(policy.mode)) + "\"" + e;
  if (policy.mode == sandbox_mode::workspace_write)
    out += std::string("sandbox_workspace_write.network_access = ") + (policy.network_access ? "true" : "false") + e;
  return out + std::string(managed_end) + e;
}

std::optional<toml_problem> verify_managed_config(std::string_view text, const sandbox_policy& policy) {
  auto p = parse_toml(text);
  if (!p.value) return p.problem;
  const auto& root = p.value->as_table();
  auto mode = root.find("sandbox_mode");
  if (mode == root.end() || !mode->second.is_string() || mode->second.as_string().str != to_string(policy.mode))
    return toml_problem{0, 0, "root sandbox_mode is not \"" + std::string(to_string(policy.mode)) + "\""};
  if (policy.mode != sandbox_mode::workspace_write) return std::nullopt;
  auto sww = root.find("sandbox_workspace_write");
  if (sww == root.end() || !sww->second.is_table()) return toml_problem{0, 0, "root sandbox_workspace_write is missing"};
  auto net = sww->second.as_table().find("network_access");
  if (net == sww->second.as_table().end() || !net->second.is_boolean() ||
      net->second.as_boolean() != policy.network_access)
    return toml_problem{0, 0,
                        std::string("sandbox_workspace_write.network_access is not ") +
                            (policy.network_access ? "true" : "false")};
  return std::nullopt;
}

rewrite_outcome rewrite_managed_block(std::string_view original, const sandbox_policy& policy) {
  const auto [bom, body, eol] = split_toml_text(original);

  auto statements = scan_toml(body);
  if (!statements) {
    if (auto stripped = without_marker_blocks(body)) {
      auto again = rewrite_managed_block(std::string(bom) + *stripped, policy);
      if (again.rewrite) {
        again.rewrite->blocks_removed += 1;
        return again;
      }
      // The user's own content is broken too: report it where the user sees it.
      auto p = parse_toml(*without_marker_blocks(body, true));
      return {std::nullopt, p.value ? again.problem : p.problem};
    }
    auto p = parse_toml(body);
    return {std::nullopt, p.value ? toml_problem{0, 0, "the file's structure could not be read"} : p.problem};
  }
  block_rewrite out;
  auto removed = managed_statements(*statements, out.blocks_removed);

  // The user's own content: managed blocks blanked out, so that parse errors
  // keep the line numbers of the file the user knows.
  std::string user(body);
  for (std::size_t i = 0; i < statements->size(); ++i)
    if (removed[i])
      for (auto k = (*statements)[i].begin; k < (*statements)[i].end; ++k)
        if (user[k] != '\n') user[k] = ' ';
  auto user_doc = parse_toml(user);
  if (!user_doc.value) return {std::nullopt, user_doc.problem};

  std::string carried;
  migrate_legacy(*statements, removed, eol, carried, out.migrated);
  std::string rest;
  for (std::size_t i = 0; i < statements->size(); ++i)
    if (!removed[i]) {
      const auto& s = (*statements)[i];
      rest.append(body.substr(s.begin, s.end - s.begin));
    }

  out.text = std::string(bom) + render_managed_block(policy, eol);
  if (!carried.empty() || !rest.empty()) out.text += std::string(eol) + carried + rest;

  if (auto problem = verify_managed_config(out.text, policy)) return {std::nullopt, *problem};
  auto result_doc = parse_toml(out.text);
  if (!result_doc.value || !same_value(without_managed_keys(*result_doc.value), without_managed_keys(*user_doc.value)))
    return {std::nullopt, {0, 0, "rewriting would change settings outside the managed block"}};
  return {std::move(out), {}};
}

}  // namespace multicad::execenv
