// proto/toolbox/tabwriter.hpp against outputs of Go's text/tabwriter with
// the CLI's settings (minwidth 0, tabwidth 4, padding 2, ' ').
#include <catch2/catch.hpp>

#include "proto/toolbox/tabwriter.hpp"

using namespace multicad::proto::toolbox;

TEST_CASE("tabwriter pads each column to its widest cell plus two and leaves the last cell alone", "[toolbox][tabwriter]") {
  CHECK(print_table({"ID", "NAME", "ROLE"}, {{"1", "Alice", "owner"}, {"22", "Bo", "member"}}) ==
        "ID  NAME   ROLE\n"
        "1   Alice  owner\n"
        "22  Bo     member\n");
}

TEST_CASE("tabwriter counts widths in runes not bytes", "[toolbox][tabwriter]") {
  CHECK(print_table({"A", "B"}, {{"\xc3\xa9\xc3\xa9", "x"}, {"\xe6\x97\xa5", "y"}}) ==
        "A   B\n"
        "\xc3\xa9\xc3\xa9  x\n"
        "\xe6\x97\xa5   y\n");
}

TEST_CASE("tabwriter pads empty cells and trailing empty columns", "[toolbox][tabwriter]") {
  CHECK(print_table({"ID", "ASSIGNEE", "DUE"}, {{"abc", "", ""}}) ==
        "ID   ASSIGNEE  DUE\n"
        "abc" + std::string(12, ' ') + "\n");
  CHECK(print_table({"ONLY"}, {{"x"}, {""}}) == "ONLY\nx\n\n");
}

TEST_CASE("tabwriter lets a newline inside a cell split the row and the column blocks", "[toolbox][tabwriter]") {
  // Go: "two" ends its line, so column 1 has a block for the header alone and
  // one for the last row; column 0 spans every line and is as wide as "lines".
  CHECK(print_table({"K", "V", "W"}, {{"a", "two\nlines", "end"}, {"bbbb", "v", "w"}}) ==
        "K      V  W\n"
        "a      two\n"
        "lines  end\n"
        "bbbb   v  w\n");
}

TEST_CASE("tabwriter keeps text without tabs and an unterminated last line", "[toolbox][tabwriter]") {
  CHECK(tabwrite("no tabs here\n") == "no tabs here\n");
  CHECK(tabwrite("a\tb\nccc\td") == "a    b\nccc  d");
  CHECK(tabwrite("") == "");
}
