// The encoding side of go_json.hpp, and fmt's %v. Floats are formatted from
// the shortest round-trip digits (std::to_chars, scientific) and laid out as
// Go's strconv lays them out: building the fixed form from those digits, not
// from to_chars' own fixed form, which prints 2^60 exactly where Go prints
// 1152921504606847000.
#include <charconv>
#include <cmath>
#include <vector>

#include "proto/toolbox/go_json.hpp"
#include "proto/toolbox/utf8.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

constexpr char hex[] = "0123456789abcdef";

struct float_digits {
  bool negative = false;
  std::string digits;  // shortest round-trip digits, no leading zeros ("0" for zero)
  int point = 0;       // decimal point position: value = 0.digits × 10^point
};

float_digits shortest(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view s(buf, r.ptr - buf);  // "-1.2345e+06"
  float_digits f;
  if (!s.empty() && s.front() == '-') { f.negative = true; s.remove_prefix(1); }
  auto e = s.find('e');
  for (char c : s.substr(0, e)) if (c != '.') f.digits += c;
  f.point = std::stoi(std::string(s.substr(e + 1))) + 1;
  while (f.digits.size() > 1 && f.digits.back() == '0') f.digits.pop_back();
  return f;
}

std::string fixed(const float_digits& f) {
  std::string out = f.negative ? "-" : "";
  const int n = static_cast<int>(f.digits.size());
  if (f.point <= 0) return out + "0." + std::string(-f.point, '0') + f.digits;
  if (f.point >= n) return out + f.digits + std::string(f.point - n, '0');
  return out + f.digits.substr(0, f.point) + "." + f.digits.substr(f.point);
}

std::string exponent(const float_digits& f) {
  std::string out = f.negative ? "-" : "";
  out += f.digits.substr(0, 1);
  if (f.digits.size() > 1) out += "." + f.digits.substr(1);
  int e = f.digits == "0" ? 0 : f.point - 1;
  out += e < 0 ? "e-" : "e+";
  int a = e < 0 ? -e : e;
  if (a < 10) out += '0';
  return out + std::to_string(a);
}

void encode_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto d = decode_rune(s, i);
    char32_t r = d.rune;
    if (d.invalid) {
      out += "\\ufffd";
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r == '\b') { out += "\\b"; }
    else if (r == '\f') { out += "\\f"; }
    else if (r == '\n') { out += "\\n"; }
    else if (r == '\r') { out += "\\r"; }
    else if (r == '\t') { out += "\\t"; }
    else if (r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029) {
      out += "\\u";
      for (int k = 3; k >= 0; --k) out += hex[(r >> (4 * k)) & 15];
    } else {
      out.append(s.substr(i, d.width));
    }
    i += d.width;
  }
  out += '"';
}

void encode_number(std::string& out, const json& v) {
  if (v.is_number_integer()) out += v.dump();  // only integers the CLI made itself
  else out += go_float_json(v.get<double>());
}

// Compact encoding, then Go's Indent rules when `indent` is set. Iterative
// over an explicit stack: decoded values may nest 10000 deep.
void encode(std::string& out, const json& root, bool indent) {
  struct item { const json* v; json::const_iterator it; bool first; };
  std::vector<item> stack;
  auto newline = [&](std::size_t depth) {
    if (!indent) return;
    out += '\n';
    out.append(2 * depth, ' ');
  };
  auto open = [&](const json& v) {
    if (v.is_object() || v.is_array()) {
      if (v.empty()) { out += v.is_object() ? "{}" : "[]"; return; }
      out += v.is_object() ? '{' : '[';
      stack.push_back({&v, v.begin(), true});
    } else if (v.is_string()) {
      encode_string(out, v.get_ref<const std::string&>());
    } else if (v.is_number()) {
      encode_number(out, v);
    } else if (v.is_boolean()) {
      out += v.get<bool>() ? "true" : "false";
    } else {
      out += "null";
    }
  };
  open(root);
  while (!stack.empty()) {
    auto& top = stack.back();
    if (top.it == top.v->end()) {
      bool object = top.v->is_object();
      stack.pop_back();
      newline(stack.size());
      out += object ? '}' : ']';
      continue;
    }
    if (!top.first) out += ',';
    top.first = false;
    newline(stack.size());
    auto it = top.it++;
    if (top.v->is_object()) {
      encode_string(out, it.key());
      out += indent ? ": " : ":";
    }
    open(*it);
  }
}

}  // namespace

std::string go_float_json(double d) {
  float_digits f = shortest(d);
  double a = std::fabs(d);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    std::string s = exponent(f);
    auto n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);  // e-07 -> e-7
    return s;
  }
  return fixed(f);
}

std::string go_float_v(double d) {
  float_digits f = shortest(d);
  int exp = f.digits == "0" ? 0 : f.point - 1;
  return (exp < -4 || exp >= 6) ? exponent(f) : fixed(f);  // shortest %g decides with precision 6
}

std::string go_encode_indent(const json& v) {
  std::string out;
  encode(out, v, true);
  return out + "\n";
}

std::string go_marshal(const json& v) {
  std::string out;
  encode(out, v, false);
  return out;
}

std::string go_format_v(const json& v) {
  if (v.is_null()) return "<nil>";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number()) return go_float_v(v.get<double>());
  std::string out = v.is_object() ? "map[" : "[";
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ' ';
    first = false;
    if (v.is_object()) out += it.key() + ":";
    out += go_format_v(*it);
  }
  return out + "]";
}

std::string str_val(const json& m, const std::string& key) {
  if (!m.is_object()) return "";
  auto it = m.find(key);
  if (it == m.end() || it->is_null()) return "";
  return go_format_v(*it);
}

}  // namespace multicad::proto::toolbox
