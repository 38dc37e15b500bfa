#include "daemon/core/exposition.hpp"

#include <charconv>
#include <cmath>

namespace multicad::core {

namespace {

// HELP text: the format escapes only backslash and newline there.
std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return ec == std::errc{} ? std::string(buf, end) : "NaN";
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void exposition::begin_sample(std::string_view name, const labels& l) {
  out_.append(name);
  if (!l.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (i) out_ += ',';
      out_.append(l[i].first).append("=\"").append(escape_label_value(l[i].second)).append("\"");
    }
    out_ += '}';
  }
  out_ += ' ';
}

void exposition::sample(std::string_view name, const labels& l, std::uint64_t value) {
  begin_sample(name, l);
  out_.append(std::to_string(value)).append("\n");
}

void exposition::sample(std::string_view name, const labels& l, std::int64_t value) {
  begin_sample(name, l);
  out_.append(std::to_string(value)).append("\n");
}

void exposition::sample(std::string_view name, const labels& l, double value) {
  begin_sample(name, l);
  out_.append(format_value(value)).append("\n");
}

}  // namespace multicad::core
