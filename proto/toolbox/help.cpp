// The CLI's gh-style help templates (server/cmd/multica/help.go) rendered
// as cobra's text/template would: the root template with command groups,
// the template of a command with subcommands, and the leaf template. The
// root's examples name commands this build provides, and its last lines say
// which `multica` this is.
#include <algorithm>

#include "proto/toolbox/command_line.hpp"
#include "proto/toolbox/flag_set.hpp"

namespace multicad::proto::toolbox {

namespace {

bool available(const command_spec& c) { return !c.hidden && c.id != command_id::help; }

// formatCommandList: "  name:<pad>  Short" for the available commands, sorted by name.
std::string command_list(std::vector<const command_spec*> cmds) {
  std::sort(cmds.begin(), cmds.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  std::size_t width = 0;
  for (auto* c : cmds)
    if (available(*c)) width = std::max(width, c->name().size());
  std::string out;
  for (auto* c : cmds)
    if (available(*c)) out += "  " + c->name() + ":" + std::string(width - c->name().size(), ' ') + "  " + c->short_help + "\n";
  return out;
}

std::vector<const command_spec*> children_of(const command_spec& c, const char* group = nullptr) {
  std::vector<const command_spec*> out;
  for (const auto& child : c.children)
    if (!group || child.group == group) out.push_back(&child);
  return out;
}

std::string root_help(const invocation& inv) {
  const command_spec& root = inv.command();
  std::string out =
      "Work seamlessly with Multica from the command line.\n\n"
      "USAGE\n"
      "  multica <command> <subcommand> [flags]\n";
  const std::pair<const char*, const char*> groups[] = {
      {"core", "CORE COMMANDS"}, {"runtime", "RUNTIME COMMANDS"}, {"additional", "ADDITIONAL COMMANDS"}};
  for (const auto& [id, title] : groups) out += std::string("\n") + title + "\n" + command_list(children_of(root, id));
  out += "\nFLAGS\n" + flag_set::for_path(inv.path, true).local_usages();
  out +=
      "\nEXAMPLES\n"
      "  $ multica issue get MUL-1 --output json\n"
      "  $ multica issue list --output json\n"
      "  $ multica issue comment add MUL-1 --content \"Done\"\n"
      "  $ multica agent list --output json\n"
      "\nENVIRONMENT VARIABLES\n"
      "  MULTICA_SERVER_URL    Override the default server URL\n"
      "  MULTICA_WORKSPACE_ID  Set the active workspace\n"
      "\nLEARN MORE\n"
      "  Use `multica <command> <subcommand> --help` for more information about a command.\n"
      "  This multica is provided by multicad for agents; commands \"not available in this build\" exit 1.\n";
  return out;
}

std::string group_help(const invocation& inv) {
  const command_spec& c = inv.command();
  std::string path = inv.command_path();
  std::string out = c.short_help + "\n\nUSAGE\n  " + path + " <command> [flags]\n\nCOMMANDS\n" +
                    command_list(children_of(c)) + "\nINHERITED FLAGS\n  --help   Show help for command";
  if (!c.example.empty()) out += "\n\nEXAMPLES\n" + c.example;
  return out + "\n\nLEARN MORE\n  Use `" + path + " <command> --help` for more information about a command.\n";
}

std::string leaf_help(const invocation& inv) {
  const command_spec& c = inv.command();
  std::string parent_path;
  for (std::size_t i = 0; i + 1 < inv.path.size(); ++i) parent_path += (i ? " " : "") + inv.path[i]->name();
  std::string use_line = parent_path + " " + c.use;
  if (use_line.find("[flags]") == std::string::npos) use_line += " [flags]";  // the help flag is always there
  std::string out = (c.long_help.empty() ? c.short_help : c.long_help) + "\n\nUSAGE\n  " + use_line +
                    "\n\nFLAGS\n" + flag_set::for_path(inv.path, true).local_usages() +
                    "\nINHERITED FLAGS\n  --help   Show help for command";
  if (!c.example.empty()) out += "\n\nEXAMPLES\n" + c.example;
  return out + "\n\nLEARN MORE\n  Use `multica <command> <subcommand> --help` for more information about a command.\n";
}

}  // namespace

std::string render_help(const invocation& inv) {
  if (inv.path.size() == 1) return root_help(inv);
  if (!inv.command().children.empty()) return group_help(inv);
  return leaf_help(inv);
}

}  // namespace multicad::proto::toolbox
