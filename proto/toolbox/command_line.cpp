// Cobra's command lookup (Command.Find with stripFlags and legacyArgs) and
// execution order (flags, help, version, runnable, positional arguments),
// and pflag's parsing of the final command's flags, with their error texts.
#include "proto/toolbox/command_line.hpp"

#include <algorithm>

#include "proto/toolbox/flag_set.hpp"
#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

namespace {

const command_spec* find_child(const command_spec& c, const std::string& name) {
  for (const auto& child : c.children)
    if (child.name() == name) return &child;
  return nullptr;
}

// cobra's stripFlags: the words of `args` that may name subcommands.
std::vector<std::string> strip_flags(const std::vector<std::string>& args, const flag_set& known) {
  std::vector<std::string> commands;
  for (std::size_t i = 0; i < args.size();) {
    const std::string& s = args[i++];
    if (s == "--") break;
    bool no_equals = s.find('=') == std::string::npos;
    bool takes_value = (s.starts_with("--") && no_equals && !known.long_is_bool(s.substr(2))) ||
                       (s.starts_with("-") && !s.starts_with("--") && no_equals && s.size() == 2 &&
                        !known.short_is_bool(s[1]));
    if (takes_value) {
      if (args.size() - i <= 1) break;  // cobra's quirk: a flag followed by one word ends the scan
      ++i;
      continue;
    }
    if (!s.empty() && s[0] != '-') commands.push_back(s);
  }
  return commands;
}

// Words after removing the first occurrence of `name` that is not a flag value.
std::vector<std::string> args_minus_first(const std::vector<std::string>& args, const std::string& name,
                                          const flag_set& known) {
  std::vector<std::string> out = args;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& s = out[i];
    if (s == "--") break;
    bool no_equals = s.find('=') == std::string::npos;
    if (s.starts_with("-")) {
      bool takes_value = (s.starts_with("--") && no_equals && !known.long_is_bool(s.substr(2))) ||
                         (!s.starts_with("--") && no_equals && s.size() == 2 && !known.short_is_bool(s[1]));
      if (takes_value) ++i;
      continue;
    }
    if (s == name) {
      out.erase(out.begin() + static_cast<long>(i));
      break;
    }
  }
  return out;
}

std::size_t levenshtein(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string unknown_command(const command_spec& root, const std::string& typed) {
  std::vector<std::string> names;
  for (const auto& c : root.children)
    if (!c.hidden && c.id != command_id::help) names.push_back(c.name());
  std::sort(names.begin(), names.end());
  std::string suggestions;
  for (const auto& n : names) {
    auto lt = to_lower(typed), ln = to_lower(n);
    if (levenshtein(lt, ln) <= 2 || ln.starts_with(lt)) suggestions += "\t" + n + "\n";
  }
  std::string msg = "unknown command " + go_quote(typed) + " for \"multica\"";
  if (!suggestions.empty()) msg += "\n\nDid you mean this?\n" + suggestions;
  return msg;
}

struct lookup {
  invocation inv;
  std::vector<std::string> rest;
  std::string error;
};

// cobra's Command.Find.
lookup find_command(const std::vector<std::string>& argv) {
  lookup l;
  l.inv.path.push_back(&command_tree());
  l.rest = argv;
  while (true) {
    flag_set known = flag_set::for_path(l.inv.path, false);
    auto words = strip_flags(l.rest, known);
    if (words.empty()) break;
    const command_spec* next = find_child(*l.inv.path.back(), words.front());
    if (!next) break;
    l.rest = args_minus_first(l.rest, words.front(), known);
    l.inv.path.push_back(next);
  }
  const command_spec& found = *l.inv.path.back();
  if (found.args == arg_rule::legacy && !found.children.empty() && l.inv.path.size() == 1) {
    auto words = strip_flags(l.rest, flag_set::for_path(l.inv.path, false));
    if (!words.empty()) l.error = unknown_command(found, words.front());
  }
  return l;
}

parsed_command_line output(std::string out, std::string err, int code) {
  parsed_command_line p;
  p.out = std::move(out);
  p.err = std::move(err);
  p.exit_code = code;
  return p;
}

// The CLI's exactArgs / maximumNArgs and cobra.ExactArgs.
std::string check_args(const invocation& inv, std::string& help_out) {
  const command_spec& c = inv.command();
  const auto n = static_cast<std::size_t>(c.arg_count);
  const std::size_t got = inv.args.size();
  std::string got_s = std::to_string(got);
  if (c.args == arg_rule::cobra_exact && got != n)
    return "Error: accepts " + std::to_string(n) + " arg(s), received " + got_s + "\n";
  if ((c.args == arg_rule::exact && got != n) || (c.args == arg_rule::at_most && got > n)) {
    help_out = render_help(inv);  // cmd.Help() goes to stdout
    if (c.args == arg_rule::at_most) return "Error: accepts at most " + std::to_string(n) + " arg, received " + got_s + "\n\n";
    return "Error: accepts " + std::to_string(n) + (n == 1 ? " arg" : " args") + ", received " + got_s + "\n\n";
  }
  return "";
}

parsed_command_line help_command(const invocation& inv) {
  lookup target = find_command(inv.args);
  if (!target.error.empty()) {
    std::string topics = "[";
    for (std::size_t i = 0; i < inv.args.size(); ++i) topics += (i ? " `" : "`") + inv.args[i] + "`";
    invocation root;
    root.path.push_back(&command_tree());
    return output("", "Unknown help topic " + topics + "]\n" + render_help(root), 0);
  }
  return output(render_help(target.inv), "", 0);
}

}  // namespace

std::string invocation::command_path() const {
  std::string p;
  for (const auto* c : path) p += (p.empty() ? "" : " ") + c->name();
  return p;
}

parsed_command_line parse_command_line(const std::vector<std::string>& argv, const std::string& version_text) {
  lookup l = find_command(argv);
  if (!l.error.empty()) return output("", "Error: " + l.error + "\n", 1);
  invocation inv = std::move(l.inv);
  const command_spec& c = inv.command();
  if (c.id == command_id::not_implemented) {  // says so whatever its arguments; no flag parsing
    parsed_command_line p;
    p.run = true;
    p.inv = std::move(inv);
    p.inv.args = std::move(l.rest);
    return p;
  }
  flag_set flags = flag_set::for_path(inv.path, true);
  std::string error = flags.parse(l.rest, inv.flags, inv.args);
  if (!error.empty()) return output("", "Error: " + error + "\n", 1);
  if (inv.flags.get_bool("help")) return output(render_help(inv), "", 0);
  if (inv.path.size() == 1 && inv.flags.get_bool("version")) return output("multica " + version_text, "", 0);
  if (c.id == command_id::group) return output(render_help(inv), "", 0);  // not runnable: flag.ErrHelp
  std::string help_out;
  std::string arg_error = check_args(inv, help_out);
  if (!arg_error.empty()) return output(help_out, arg_error, 1);
  if (c.id == command_id::help) return help_command(inv);
  parsed_command_line p;
  p.run = true;
  p.inv = std::move(inv);
  return p;
}

}  // namespace multicad::proto::toolbox
