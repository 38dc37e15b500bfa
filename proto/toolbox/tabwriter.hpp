// Go's text/tabwriter as the CLI configures it (agent-toolbox.md §2.4):
// minwidth 0, tabwidth 4, padding 2, pad character ' ', no flags. Cells end
// at '\t'; a column is the run of consecutive lines that have a cell at that
// index, as wide as its widest cell (in runes) plus the padding; the text
// after a line's last tab is not part of any column. A newline inside a cell
// value therefore starts a new line, exactly as it does in Go. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace multicad::proto::toolbox {

// The whole text through a tabwriter, then Flush.
std::string tabwrite(std::string_view text, int minwidth = 0, int padding = 2);

// cli.PrintTable: the headers joined by tabs, then one tab-joined line per row.
std::string print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

}  // namespace multicad::proto::toolbox
