// A port of the formatting half of Go's text/tabwriter (Writer.format and
// writeLines), for left-aligned cells padded with spaces.
#include "proto/toolbox/tabwriter.hpp"

#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

namespace {

struct cell {
  std::string text;
  int width = 0;  // runes
};
using line = std::vector<cell>;

class formatter {
 public:
  formatter(std::vector<line> lines, int minwidth, int padding)
      : lines_(std::move(lines)), minwidth_(minwidth), padding_(padding) {}

  std::string run() {
    format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Writer.format: finds the column blocks of column len(widths_) in
  // [line0, line1), formats each recursively, and prints what is left.
  void format(std::size_t line0, std::size_t line1) {
    const std::size_t column = widths_.size();
    for (std::size_t i = line0; i < line1; ++i) {
      if (column + 1 >= lines_[i].size()) continue;  // no cell in this column (the last cell is no column)
      write_lines(line0, i);
      line0 = i;
      int width = minwidth_;
      for (; i < line1 && column + 1 < lines_[i].size(); ++i)
        width = std::max(width, lines_[i][column].width + padding_);
      widths_.push_back(width);
      format(line0, i);
      widths_.pop_back();
      line0 = i;  // the loop's ++i then skips line i, which has no cell in this column
    }
    write_lines(line0, line1);
  }

  void write_lines(std::size_t line0, std::size_t line1) {
    for (std::size_t i = line0; i < line1; ++i) {
      const auto& l = lines_[i];
      for (std::size_t j = 0; j < l.size(); ++j) {
        out_ += l[j].text;
        if (j < widths_.size()) out_.append(static_cast<std::size_t>(widths_[j] - l[j].width), ' ');
      }
      if (i + 1 != lines_.size()) out_ += '\n';
    }
  }

  std::vector<line> lines_;
  int minwidth_, padding_;
  std::vector<int> widths_;
  std::string out_;
};

}  // namespace

std::string tabwrite(std::string_view text, int minwidth, int padding) {
  std::vector<line> lines(1);
  std::string current;
  auto end_cell = [&] {
    lines.back().push_back({current, static_cast<int>(rune_count(current))});
    current.clear();
  };
  for (char c : text) {
    if (c == '\t' || c == '\v') {
      end_cell();
    } else if (c == '\n' || c == '\f') {
      end_cell();
      lines.emplace_back();
    } else {
      current += c;
    }
  }
  if (!current.empty()) end_cell();  // Flush terminates a pending cell
  return formatter(std::move(lines), minwidth, padding).run();
}

std::string print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  auto join = [](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cells.size(); ++i) s += (i ? "\t" : "") + cells[i];
    return s + "\n";
  };
  std::string text = join(headers);
  for (const auto& r : rows) text += join(r);
  return tabwrite(text);
}

}  // namespace multicad::proto::toolbox
