// The `multica` command line as cobra and pflag read it (agent-toolbox.md
// §2.1, §2.3, §5): the command tree with every flag of the SEED CLI, command
// lookup (flags may come before the subcommand), `--flag value`,
// `--flag=value`, `-o value`, `-ovalue`, bool flags (`--x`, `--x=false`),
// comma-separated repeatable string slices, `--`, the help and version flags,
// and the error texts of both libraries. Pure; any thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace multicad::proto::toolbox {

enum class flag_kind { string, boolean, integer, string_slice };

struct flag_spec {
  std::string name;
  char shorthand = 0;
  flag_kind kind = flag_kind::string;
  std::string default_value;  // pflag's DefValue: "table", "0", "false", "[]"
  std::string usage;
};

// How a command checks its positional arguments.
enum class arg_rule {
  legacy,       // cobra's default: anything for a leaf, "unknown command" at the root
  exact,        // the CLI's exactArgs(n): "Error: accepts 1 arg, received 0", a blank line, the help
  at_most,      // the CLI's maximumNArgs(n)
  cobra_exact,  // cobra.ExactArgs(n): "accepts 1 arg(s), received 0"
};

enum class command_id {
  group,  // not runnable: prints its help
  issue_get, issue_list, issue_create, issue_update, issue_assign, issue_status, issue_runs, issue_run_messages,
  issue_search, comment_list, comment_add, comment_delete, workspace_get, workspace_members, agent_list, agent_get,
  attachment_download, repo_checkout, version, help,
  not_implemented,  // a SEED command this build does not provide
};

struct command_spec {
  std::string use;  // "get <id>"; the first word is the name
  std::string short_help;
  std::string long_help;
  std::string example;
  command_id id = command_id::group;
  arg_rule args = arg_rule::legacy;
  int arg_count = 0;
  std::vector<flag_spec> flags;
  std::vector<command_spec> children;
  std::string group;  // the root help's section, for top-level commands
  bool hidden = false;

  std::string name() const { return use.substr(0, use.find(' ')); }
};

// The root command, "multica", with its persistent flags --server-url,
// --workspace-id and --profile. Built once; lives for the program.
const command_spec& command_tree();

// Flag values after parsing, with pflag's defaults filled in.
class flag_values {
 public:
  std::string get(const std::string& name) const;        // string and integer flags ("" when unknown)
  long long get_int(const std::string& name) const;      // integer flags
  bool get_bool(const std::string& name) const;          // bool flags
  std::vector<std::string> get_slice(const std::string& name) const;
  bool changed(const std::string& name) const { return changed_.count(name) != 0; }

  void set_default(const flag_spec& f);
  // Applies one occurrence; returns pflag's error text, or "".
  std::string set(const flag_spec& f, const std::string& value);

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> slices_;
  std::set<std::string> changed_;
};

struct invocation {
  std::vector<const command_spec*> path;  // root first; the command to run last
  flag_values flags;                      // the command's own and the inherited ones
  std::vector<std::string> args;          // positional arguments

  const command_spec& command() const { return *path.back(); }
  std::string command_path() const;  // "multica issue get"
};

// What parsing decided. `run` means: run inv.command(); otherwise print
// `out` to stdout and `err` to stderr and exit with `exit_code`.
struct parsed_command_line {
  bool run = false;
  invocation inv;
  std::string out, err;
  int exit_code = 0;
};

// argv without argv[0]. `version_text` is what --version and `version`
// print after "multica " (for example "0.1.0 (commit: …)\n…").
parsed_command_line parse_command_line(const std::vector<std::string>& argv, const std::string& version_text);

// The help text of a command, as cobra renders the CLI's gh-style templates.
std::string render_help(const invocation& inv);

}  // namespace multicad::proto::toolbox
