// proto/toolbox/command_line.hpp: cobra's lookup and pflag's parsing, with
// their messages (agent-toolbox.md §2.3), and the help texts.
#include <catch2/catch.hpp>

#include "proto/toolbox/command_line.hpp"

using namespace multicad::proto::toolbox;

namespace {

parsed_command_line parse(std::vector<std::string> argv) { return parse_command_line(argv, "9.9.9 (test)\n"); }

std::string error_of(std::vector<std::string> argv) {
  auto p = parse(std::move(argv));
  CHECK_FALSE(p.run);
  CHECK(p.exit_code == 1);
  return p.err;
}

}  // namespace

TEST_CASE("command line finds the subcommand with flags before and after it", "[toolbox][command_line]") {
  auto p = parse({"--workspace-id", "ws-9", "issue", "--output=table", "get", "MUL-1"});
  REQUIRE(p.run);
  CHECK(p.inv.command_path() == "multica issue get");
  CHECK(p.inv.args == std::vector<std::string>{"MUL-1"});
  CHECK(p.inv.flags.get("output") == "table");
  CHECK(p.inv.flags.get("workspace-id") == "ws-9");
  CHECK(p.inv.flags.changed("workspace-id"));
  CHECK_FALSE(p.inv.flags.changed("server-url"));
}

TEST_CASE("command line reads string int bool and slice flags in every pflag form", "[toolbox][command_line]") {
  auto p = parse({"issue", "comment", "add", "X", "--content", "-starts with a dash", "--content-stdin=false",
                  "--attachment", "a.txt,b.txt", "--attachment=c.txt", "--parent="});
  REQUIRE(p.run);
  CHECK(p.inv.flags.get("content") == "-starts with a dash");
  CHECK_FALSE(p.inv.flags.get_bool("content-stdin"));
  CHECK(p.inv.flags.get_slice("attachment") == std::vector<std::string>{"a.txt", "b.txt", "c.txt"});
  CHECK(p.inv.flags.changed("parent"));
  CHECK(p.inv.flags.get("parent") == "");

  auto l = parse({"issue", "list", "--limit", "0x10", "--offset=010"});
  REQUIRE(l.run);
  CHECK(l.inv.flags.get_int("limit") == 16);  // strconv.ParseInt base 0
  CHECK(l.inv.flags.get_int("offset") == 8);

  auto d = parse({"attachment", "download", "ID", "-o/tmp/out"});
  REQUIRE(d.run);
  CHECK(d.inv.flags.get("output-dir") == "/tmp/out");
  auto d2 = parse({"attachment", "download", "-o", "dir", "ID"});
  REQUIRE(d2.run);
  CHECK(d2.inv.flags.get("output-dir") == "dir");
  CHECK(d2.inv.args == std::vector<std::string>{"ID"});
}

TEST_CASE("command line keeps words after a double dash as arguments", "[toolbox][command_line]") {
  auto p = parse({"issue", "search", "--", "--not-a-flag"});
  REQUIRE(p.run);
  CHECK(p.inv.args == std::vector<std::string>{"--not-a-flag"});
}

TEST_CASE("command line reports pflag errors in pflag's words", "[toolbox][command_line]") {
  CHECK(error_of({"issue", "get", "X", "--bogus"}) == "Error: unknown flag: --bogus\n");
  CHECK(error_of({"issue", "get", "X", "-z"}) == "Error: unknown shorthand flag: 'z' in -z\n");
  CHECK(error_of({"issue", "create", "--title"}) == "Error: flag needs an argument: --title\n");
  CHECK(error_of({"attachment", "download", "X", "-o"}) == "Error: flag needs an argument: 'o' in -o\n");
  CHECK(error_of({"issue", "list", "--limit", "ten"}) ==
        "Error: invalid argument \"ten\" for \"--limit\" flag: strconv.ParseInt: parsing \"ten\": invalid syntax\n");
  CHECK(error_of({"issue", "list", "--limit", "99999999999999999999"}) ==
        "Error: invalid argument \"99999999999999999999\" for \"--limit\" flag: strconv.ParseInt: parsing "
        "\"99999999999999999999\": value out of range\n");
  CHECK(error_of({"issue", "assign", "X", "--unassign=maybe"}) ==
        "Error: invalid argument \"maybe\" for \"--unassign\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n");
  CHECK(error_of({"issue", "get", "X", "---x"}) == "Error: bad flag syntax: ---x\n");
  // attachment download has no --output: agents that add it get an error, not JSON
  CHECK(error_of({"attachment", "download", "X", "--output", "json"}) == "Error: unknown flag: --output\n");
  CHECK(error_of({"issue", "create", "--attachment", "a\"b"}) ==
        "Error: invalid argument \"a\\\"b\" for \"--attachment\" flag: parse error on line 1, column 2: bare \" in "
        "non-quoted-field\n");
}

TEST_CASE("command line names unknown commands with cobra's suggestions", "[toolbox][command_line]") {
  CHECK(error_of({"bogus"}) == "Error: unknown command \"bogus\" for \"multica\"\n");
  CHECK(error_of({"isue", "get", "X"}) == "Error: unknown command \"isue\" for \"multica\"\n\nDid you mean this?\n\tissue\n\n");
  CHECK(error_of({"work"}) == "Error: unknown command \"work\" for \"multica\"\n\nDid you mean this?\n\tworkspace\n\n");
}

TEST_CASE("command line prints the help of a group and exits 0 for a missing or unknown subcommand", "[toolbox][command_line]") {
  for (auto argv : {std::vector<std::string>{"issue"}, {"issue", "subscribe", "X"}}) {
    auto p = parse(argv);
    CHECK_FALSE(p.run);
    CHECK(p.exit_code == 0);
    CHECK(p.err == "");
    CHECK(p.out.starts_with("Work with issues\n\nUSAGE\n  multica issue <command> [flags]\n\nCOMMANDS\n  assign:        Assign"));
  }
}

TEST_CASE("command line checks argument counts as the CLI's exactArgs and maximumNArgs do", "[toolbox][command_line]") {
  auto p = parse({"issue", "get"});
  CHECK(p.exit_code == 1);
  CHECK(p.err == "Error: accepts 1 arg, received 0\n\n");
  CHECK(p.out.starts_with("Get issue details\n\nUSAGE\n  multica issue get <id> [flags]\n"));  // cmd.Help() writes stdout
  CHECK(parse({"issue", "status", "X"}).err == "Error: accepts 2 args, received 1\n\n");
  CHECK(parse({"workspace", "get", "a", "b"}).err == "Error: accepts at most 1 arg, received 2\n\n");
  auto s = parse({"issue", "search"});
  CHECK(s.err == "Error: accepts 1 arg(s), received 0\n");  // cobra.ExactArgs: no help
  CHECK(s.out == "");
  CHECK(parse({"issue", "list", "extra", "words"}).run);  // cobra's legacy rule takes anything for a leaf
}

TEST_CASE("command line renders a leaf's help like the CLI's template", "[toolbox][command_line]") {
  auto p = parse({"issue", "comment", "list", "--help"});
  CHECK(p.exit_code == 0);
  CHECK(p.out ==
        "List comments on an issue\n"
        "\n"
        "USAGE\n"
        "  multica issue comment list <issue-id> [flags]\n"
        "\n"
        "FLAGS\n"
        "  -h, --help            help for list\n"
        "      --limit int       Maximum number of comments to return (0 = all)\n"
        "      --offset int      Number of comments to skip\n"
        "      --output string   Output format: table or json (default \"table\")\n"
        "      --since string    Only return comments created after this timestamp (RFC3339)\n"
        "\n"
        "INHERITED FLAGS\n"
        "  --help   Show help for command\n"
        "\n"
        "LEARN MORE\n"
        "  Use `multica <command> <subcommand> --help` for more information about a command.\n");
  auto d = parse({"attachment", "download", "-h"});
  CHECK(d.out.find("      -o, --output-dir string") == std::string::npos);
  CHECK(d.out.find("  -o, --output-dir string   Directory to save the downloaded file (default \".\")\n") != std::string::npos);
  CHECK(d.out.find("\n\nEXAMPLES\n  # Download an image attachment") != std::string::npos);
}

TEST_CASE("command line answers version and help as cobra does", "[toolbox][command_line]") {
  CHECK(parse({"--version"}).out == "multica 9.9.9 (test)\n");
  CHECK(parse({"-v"}).out == "multica 9.9.9 (test)\n");
  CHECK(error_of({"issue", "--version"}) == "Error: unknown flag: --version\n");
  auto root = parse({});
  CHECK(root.exit_code == 0);
  CHECK(root.out.starts_with("Work seamlessly with Multica from the command line.\n\nUSAGE\n"));
  CHECK(parse({"help", "issue", "get"}).out == parse({"issue", "get", "--help"}).out);
  auto unknown = parse({"help", "nope"});
  CHECK(unknown.exit_code == 0);
  CHECK(unknown.err.starts_with("Unknown help topic [`nope`]\n"));
  auto v = parse({"version"});
  CHECK(v.run);
}

TEST_CASE("command line hands not implemented commands over whatever their flags", "[toolbox][command_line]") {
  auto p = parse({"daemon", "start", "--foreground", "--bogus"});
  REQUIRE(p.run);
  CHECK(p.inv.command().id == command_id::not_implemented);
  CHECK(p.inv.command_path() == "multica daemon");
  CHECK(parse({"agent", "tasks", "A"}).inv.command().id == command_id::not_implemented);
}
