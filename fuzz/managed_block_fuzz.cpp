// execenv::rewrite_managed_block (execenv/managed_block.hpp) over arbitrary
// config.toml bytes. Input: byte 0 picks the policy ((byte - '0') % 6:
// mode = that % 3 as read-only / workspace-write / danger-full-access,
// network = that / 3 == 0), the rest is the file.
//
// Properties:
//  (a) a rewrite verifies: verify_managed_config(rewrite, policy) is empty;
//  (b) idempotent: rewriting the rewrite gives the same bytes, finds exactly
//      one block and migrates nothing;
//  (c) the rewrite starts with the block (after the input's BOM, if any),
//      with "\r\n" only when the input used "\r\n";
//  (d) what is guaranteed to be rewritten rather than refused: the user's
//      content (managed blocks blanked, as the header defines) parses with
//      toml11 AND its sandbox keys are only the shapes the header promises to
//      migrate (no root `sandbox_mode` or a string one; no root
//      `sandbox_workspace_write` or a table of non-table values). Other
//      legacy shapes (a [sandbox_mode] table, [[sandbox_workspace_write]],
//      sub-tables of it) may legitimately be refused;
//  (e) bytes preserved: with no BEGIN marker anywhere and no legacy keys, the
//      rewrite is exactly BOM + block + eol + input-without-BOM (the block
//      alone for an empty body).
//  (f) the writer's next step (execenv/codex_config.cpp): the hygiene rewrite
//      of the rewrite, with the options picked by (byte 0 / 6) % 8 (allow
//      multi-agent, allow memory, agents table), refuses with a message or
//      rewrites idempotently (nothing removed the second time), and the
//      sandbox block still rewrites and verifies after it.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <vector>

#include "execenv/codex_hygiene.hpp"
#include "execenv/managed_block.hpp"
#include "fuzz/common/fuzz_check.hpp"
#include "fuzz/common/utf8.hpp"

using namespace multicad::execenv;
using multicad::fuzz::escaped;

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// The oracle's TOML parser. TOML is UTF-8 by definition, and toml11 3.7 reads
// past its buffer on some invalid sequences (toml11 issue #199), so invalid
// UTF-8 counts as "not TOML" without reaching it.
std::optional<toml::value> parse(const std::string& text) {
  if (!multicad::fuzz::valid_utf8(text)) return std::nullopt;
  std::istringstream in(text);
  try {
    return toml::parse(in, "fuzz.toml");
  } catch (...) {
    return std::nullopt;
  }
}

std::string_view trim_line(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

// The user's content as the header defines it, computed line by line
// independently of the scanner: each BEGIN marker line through the next END
// marker line (plus one blank line after it) blanked; a BEGIN without an END
// before the next BEGIN blanks only itself. Only valid when no multi-line
// string could hold a marker line, which the caller checks.
std::string blank_managed_blocks(std::string_view body) {
  std::vector<std::pair<std::size_t, std::size_t>> lines;  // [begin, end) without the '\n'
  for (std::size_t pos = 0; pos <= body.size();) {
    auto nl = body.find('\n', pos);
    if (nl == std::string_view::npos) { lines.emplace_back(pos, body.size()); break; }
    lines.emplace_back(pos, nl);
    pos = nl + 1;
  }
  auto text_of = [&](std::size_t i) { return trim_line(body.substr(lines[i].first, lines[i].second - lines[i].first)); };
  // A blank statement: spaces or tabs, then the newline (optionally after one
  // CR) or the end of a non-empty last line.
  auto is_blank = [&](std::size_t i) {
    auto line = body.substr(lines[i].first, lines[i].second - lines[i].first);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    bool has_newline = lines[i].second < body.size();
    if (line.empty()) return has_newline || lines[i].first < body.size();
    return line == "\r" && has_newline;
  };
  std::vector<bool> removed(lines.size(), false);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (text_of(i) != managed_begin) continue;
    std::size_t j = i + 1;
    while (j < lines.size() && text_of(j) != managed_end && text_of(j) != managed_begin) ++j;
    if (j == lines.size() || text_of(j) != managed_end) { removed[i] = true; continue; }
    for (std::size_t k = i; k <= j; ++k) removed[k] = true;
    if (j + 1 < lines.size() && is_blank(j + 1)) removed[j + 1] = true;
    i = j;
  }
  std::string out(body);
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (removed[i])
      for (auto k = lines[i].first; k < lines[i].second; ++k) out[k] = ' ';
  return out;
}

struct legacy_shape {
  bool any = false;          // root sandbox_mode or sandbox_workspace_write present
  bool migratable = true;    // only the shapes the header promises to migrate
};

legacy_shape legacy_of(const toml::value& doc) {
  legacy_shape out;
  const auto& root = doc.as_table();
  if (auto it = root.find("sandbox_mode"); it != root.end()) {
    out.any = true;
    if (!it->second.is_string()) out.migratable = false;
  }
  if (auto it = root.find("sandbox_workspace_write"); it != root.end()) {
    out.any = true;
    if (!it->second.is_table()) out.migratable = false;
    else
      for (const auto& [k, v] : it->second.as_table())
        if (v.is_table() || (v.is_array() && !v.as_array().empty() && v.as_array().front().is_table()))
          out.migratable = false;  // sub-tables and [[...]] under it (or arrays of inline tables: conservative)
  }
  return out;
}

std::string describe(const sandbox_policy& p) {
  return std::string(to_string(p.mode)) + (p.network_access ? " +net" : " -net");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = static_cast<unsigned char>(data[0] - '0') % 6;
  sandbox_policy policy;
  policy.mode = static_cast<sandbox_mode>(selector % 3);
  policy.network_access = selector / 3 == 0;
  // A view of libFuzzer's buffer: reading past its end is an ASan report.
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view body = input.starts_with(utf8_bom) ? input.substr(utf8_bom.size()) : input;
  const std::string bom = body.size() == input.size() ? "" : std::string(utf8_bom);
  // Report contexts, built only when a property fails.
  auto ctx = [&] { return "policy " + describe(policy) + ", input \"" + escaped(input) + "\""; };

  auto first = rewrite_managed_block(input, policy);

  // (d) When must there be a rewrite?
  const bool has_marker = input.find(managed_begin) != input.npos || input.find(managed_end) != input.npos;
  const bool multiline_strings = input.find("\"\"\"") != input.npos || input.find("'''") != input.npos;
  std::optional<toml::value> user_doc;
  if (!has_marker) user_doc = parse(std::string(body));
  else if (!multiline_strings) user_doc = parse(blank_managed_blocks(body));
  const auto legacy = user_doc ? legacy_of(*user_doc) : legacy_shape{};
  if (user_doc && legacy.migratable) {
    FUZZ_CHECK(first.rewrite.has_value(),
               "valid TOML with migratable sandbox keys was refused: line " + std::to_string(first.problem.line) +
                   " col " + std::to_string(first.problem.column) + ": " + first.problem.message + "; " + ctx());
  }
  if (!first.rewrite) {
    FUZZ_CHECK(!first.problem.message.empty(), "a refusal without a message; " + ctx());
    return 0;
  }
  const std::string& out = first.rewrite->text;
  auto octx = [&] { return ctx() + ", output \"" + escaped(out) + "\""; };

  // (a)
  if (auto problem = verify_managed_config(out, policy))
    FUZZ_CHECK(false, "the rewrite does not verify: " + problem->message + "; " + octx());

  // (c)
  FUZZ_CHECK(std::string_view(out).starts_with(bom), "the BOM is not first; " + octx());
  const std::string_view after_bom = std::string_view(out).substr(bom.size());
  FUZZ_CHECK(!after_bom.starts_with(utf8_bom), "a BOM was added or doubled; " + octx());
  const std::string lf_block = render_managed_block(policy, "\n");
  const std::string crlf_block = render_managed_block(policy, "\r\n");
  const bool starts_lf = after_bom.starts_with(lf_block), starts_crlf = after_bom.starts_with(crlf_block);
  FUZZ_CHECK(starts_lf || starts_crlf, "the rewrite does not start with the managed block; " + octx());
  FUZZ_CHECK(!starts_crlf || body.find("\r\n") != std::string_view::npos,
             "CRLF block for an input without CRLF; " + octx());
  const std::string eol = starts_crlf ? "\r\n" : "\n";
  const std::size_t block_size = starts_crlf ? crlf_block.size() : lf_block.size();
  // After the block: nothing, or the separating eol and then the rest.
  const std::string_view after_block = after_bom.substr(block_size);
  FUZZ_CHECK(after_block.empty() || after_block.starts_with(eol),
             "the block is not followed by a blank line; " + octx());

  // (b)
  auto second = rewrite_managed_block(out, policy);
  FUZZ_CHECK(second.rewrite.has_value(), "rewriting the rewrite was refused: " + second.problem.message + "; " + octx());
  FUZZ_CHECK(second.rewrite->text == out,
             "not idempotent; second output \"" + escaped(second.rewrite->text) + "\"; " + octx());
  FUZZ_CHECK(second.rewrite->blocks_removed == 1,
             "the second pass found " + std::to_string(second.rewrite->blocks_removed) + " blocks; " + octx());
  FUZZ_CHECK(second.rewrite->migrated.empty(),
             "the second pass migrated \"" + (second.rewrite->migrated.empty() ? "" : second.rewrite->migrated[0]) +
                 "\"; " + octx());

  // (e)
  if (!has_marker && user_doc && !legacy.any) {
    std::string expected = bom + (starts_crlf ? crlf_block : lf_block);
    if (!body.empty()) expected += eol + std::string(body);
    FUZZ_CHECK(out == expected, "user bytes were not preserved; expected \"" + escaped(expected) + "\"; " + octx());
    FUZZ_CHECK(first.rewrite->blocks_removed == 0 && first.rewrite->migrated.empty(),
               "a block or legacy key reported in a file without either; " + octx());
  }

  // (f)
  const unsigned bits = static_cast<unsigned char>(data[0] - '0') / 6 % 8;
  const hygiene_options hygiene{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
  auto clean = apply_codex_hygiene(out, hygiene);
  if (!clean.rewrite) {
    FUZZ_CHECK(!clean.problem.message.empty(), "a hygiene refusal without a message; " + octx());
    return 0;
  }
  auto hctx = [&] { return octx() + ", hygiene " + std::to_string(bits) + " \"" + escaped(clean.rewrite->text) + "\""; };
  auto again = apply_codex_hygiene(clean.rewrite->text, hygiene);
  FUZZ_CHECK(again.rewrite.has_value(), "the hygiene rewrite was refused the second time; " + hctx());
  FUZZ_CHECK(again.rewrite->text == clean.rewrite->text && again.rewrite->removed.empty(),
             "hygiene is not idempotent; " + hctx());
  auto final_block = rewrite_managed_block(clean.rewrite->text, policy);
  FUZZ_CHECK(final_block.rewrite.has_value(), "the sandbox block cannot follow hygiene: " + final_block.problem.message +
                                                  "; " + hctx());
  if (auto problem = verify_managed_config(final_block.rewrite->text, policy))
    FUZZ_CHECK(false, "the block after hygiene does not verify: " + problem->message + "; " + hctx());
  return 0;
}
