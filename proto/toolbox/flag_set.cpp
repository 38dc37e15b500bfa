// pflag's parsing (FlagSet.parseArgs, parseLongArg, parseSingleShortArg),
// value setters (strconv.ParseInt base 0, strconv.ParseBool, the CSV reading
// of string slices) and FlagUsages layout.
#include "proto/toolbox/flag_set.hpp"

#include <algorithm>
#include <cstdint>

#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

namespace {

std::string num_error(const std::string& func, const std::string& s, bool range) {
  return "strconv." + func + ": parsing " + go_quote(s) + ": " + (range ? "value out of range" : "invalid syntax");
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool underscore_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) { saw = '0'; continue; }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseInt(s, 0, 64): "" on success.
std::string parse_int(const std::string& s0, long long& out) {
  if (s0.empty()) return num_error("ParseInt", s0, false);
  std::string_view s = s0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') { neg = s[0] == '-'; s.remove_prefix(1); }
  if (s.empty()) return num_error("ParseInt", s0, false);
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') { base = 2; s.remove_prefix(2); }
    else if (s.size() >= 3 && lower(s[1]) == 'o') { base = 8; s.remove_prefix(2); }
    else if (s.size() >= 3 && lower(s[1]) == 'x') { base = 16; s.remove_prefix(2); }
    else { base = 8; s.remove_prefix(1); }
  }
  std::uint64_t n = 0;
  bool underscores = false;
  for (char c : s) {
    int d;
    if (c == '_') { underscores = true; continue; }
    if (c >= '0' && c <= '9') d = c - '0';
    else if (lower(c) >= 'a' && lower(c) <= 'z') d = lower(c) - 'a' + 10;
    else return num_error("ParseInt", s0, false);
    if (d >= base) return num_error("ParseInt", s0, false);
    if (n > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
      return num_error("ParseInt", s0, true);  // ParseUint stops at the overflow, before any later bad digit
    n = n * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  if (underscores && !underscore_ok(s0)) return num_error("ParseInt", s0, false);
  const std::uint64_t limit = std::uint64_t{1} << 63;
  if ((!neg && n >= limit) || (neg && n > limit)) return num_error("ParseInt", s0, true);
  out = neg ? static_cast<long long>(0 - n) : static_cast<long long>(n);
  return "";
}

std::string parse_bool(const std::string& s, bool& out) {
  static const char* yes[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* no[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (auto* y : yes) if (s == y) { out = true; return ""; }
  for (auto* n : no) if (s == n) { out = false; return ""; }
  return num_error("ParseBool", s, false);
}

// encoding/csv's first record of `s` (pflag's readAsCSV).
std::string read_csv(const std::string& s, std::vector<std::string>& out) {
  out.clear();
  if (s.empty()) return "";
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return "parse error on line 1, column " + std::to_string(i + 1) + ": extraneous or missing \" in quoted-field";
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; i += 2; continue; }
          ++i;
          break;
        }
        field += s[i++];
      }
      if (i < s.size() && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
        return "parse error on line 1, column " + std::to_string(i + 1) + ": extraneous or missing \" in quoted-field";
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '\n') {
        if (s[i] == '"') return "parse error on line 1, column " + std::to_string(i + 1) + ": bare \" in non-quoted-field";
        field += s[i++];
      }
      if (!field.empty() && field.back() == '\r' && (i >= s.size() || s[i] == '\n')) field.pop_back();
    }
    out.push_back(std::move(field));
    if (i >= s.size() || s[i] != ',') return "";
    ++i;
  }
}

const char* type_name(flag_kind k) {
  switch (k) {
    case flag_kind::string: return "string";
    case flag_kind::integer: return "int";
    case flag_kind::string_slice: return "strings";
    case flag_kind::boolean: return "";
  }
  return "";
}

bool default_is_zero(const flag_spec& f) {
  switch (f.kind) {
    case flag_kind::string: return f.default_value.empty();
    case flag_kind::integer: return f.default_value == "0";
    case flag_kind::boolean: return f.default_value == "false";
    case flag_kind::string_slice: return f.default_value == "[]";
  }
  return true;
}

}  // namespace

// ---- flag_values

std::string flag_values::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second;
}

long long flag_values::get_int(const std::string& name) const {
  auto v = get(name);
  return v.empty() ? 0 : std::stoll(v);
}

bool flag_values::get_bool(const std::string& name) const { return get(name) == "true"; }

std::vector<std::string> flag_values::get_slice(const std::string& name) const {
  auto it = slices_.find(name);
  return it == slices_.end() ? std::vector<std::string>{} : it->second;
}

void flag_values::set_default(const flag_spec& f) {
  if (f.kind == flag_kind::string_slice) slices_[f.name] = {};
  else values_[f.name] = f.default_value;
}

std::string flag_values::set(const flag_spec& f, const std::string& value) {
  std::string err;
  if (f.kind == flag_kind::integer) {
    long long n = 0;
    err = parse_int(value, n);
    if (err.empty()) values_[f.name] = std::to_string(n);
  } else if (f.kind == flag_kind::boolean) {
    bool b = false;
    err = parse_bool(value, b);
    if (err.empty()) values_[f.name] = b ? "true" : "false";
  } else if (f.kind == flag_kind::string_slice) {
    std::vector<std::string> items;
    err = read_csv(value, items);
    if (err.empty()) {
      auto& v = slices_[f.name];
      if (!changed(f.name)) v.clear();
      v.insert(v.end(), items.begin(), items.end());
    }
  } else {
    values_[f.name] = value;
  }
  if (!err.empty()) {
    std::string flag_name = f.shorthand ? std::string("-") + f.shorthand + ", --" + f.name : "--" + f.name;
    return "invalid argument " + go_quote(value) + " for " + go_quote(flag_name) + " flag: " + err;
  }
  changed_.insert(f.name);
  return "";
}

// ---- flag_set

flag_set flag_set::for_path(const std::vector<const command_spec*>& path, bool with_help) {
  flag_set s;
  const command_spec& c = *path.back();
  s.local_ = c.flags;
  if (path.size() > 1) s.inherited_ = path.front()->flags;
  if (with_help) {
    s.local_.push_back({"help", 'h', flag_kind::boolean, "false", "help for " + c.name()});
    if (path.size() == 1) s.local_.push_back({"version", 'v', flag_kind::boolean, "false", "version for multica"});
  }
  return s;
}

const flag_spec* flag_set::by_name(const std::string& name) const {
  for (const auto* list : {&local_, &inherited_})
    for (const auto& f : *list)
      if (f.name == name) return &f;
  return nullptr;
}

const flag_spec* flag_set::by_short(char c) const {
  for (const auto* list : {&local_, &inherited_})
    for (const auto& f : *list)
      if (f.shorthand == c) return &f;
  return nullptr;
}

bool flag_set::long_is_bool(const std::string& name) const {
  auto* f = by_name(name);
  return f && f->kind == flag_kind::boolean;
}

bool flag_set::short_is_bool(char c) const {
  auto* f = by_short(c);
  return f && f->kind == flag_kind::boolean;
}

std::string flag_set::parse(const std::vector<std::string>& args, flag_values& values,
                            std::vector<std::string>& positionals) const {
  for (const auto* list : {&local_, &inherited_})
    for (const auto& f : *list) values.set_default(f);
  for (std::size_t i = 0; i < args.size();) {
    const std::string& s = args[i++];
    if (s.size() < 2 || s[0] != '-') {
      positionals.push_back(s);
      continue;
    }
    if (s == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    std::string err = s[1] == '-' ? parse_long(s, args, i, values) : parse_short(s, args, i, values);
    if (!err.empty()) return err;
  }
  return "";
}

std::string flag_set::parse_long(const std::string& s, const std::vector<std::string>& args, std::size_t& i,
                                 flag_values& values) const {
  std::string name = s.substr(2);
  if (name.empty() || name[0] == '-' || name[0] == '=') return "bad flag syntax: " + s;
  auto eq = name.find('=');
  const flag_spec* f = by_name(name.substr(0, eq));
  if (!f) return "unknown flag: --" + name.substr(0, eq);
  std::string value;
  if (eq != std::string::npos) value = name.substr(eq + 1);
  else if (f->kind == flag_kind::boolean) value = "true";
  else if (i < args.size()) value = args[i++];
  else return "flag needs an argument: " + s;
  return values.set(*f, value);
}

std::string flag_set::parse_short(const std::string& s, const std::vector<std::string>& args, std::size_t& i,
                                  flag_values& values) const {
  std::string shorthands = s.substr(1);
  while (!shorthands.empty()) {
    char c = shorthands[0];
    const flag_spec* f = by_short(c);
    if (!f) return "unknown shorthand flag: " + go_quote_char(static_cast<unsigned char>(c)) + " in -" + shorthands;
    std::string value, rest = shorthands.substr(1);
    if (shorthands.size() > 2 && shorthands[1] == '=') { value = shorthands.substr(2); rest.clear(); }
    else if (f->kind == flag_kind::boolean) value = "true";
    else if (shorthands.size() > 1) { value = shorthands.substr(1); rest.clear(); }
    else if (i < args.size()) value = args[i++];
    else return "flag needs an argument: " + go_quote_char(static_cast<unsigned char>(c)) + " in -" + shorthands;
    std::string err = values.set(*f, value);
    if (!err.empty()) return err;
    shorthands = rest;
  }
  return "";
}

std::string flag_set::local_usages() const {
  std::vector<flag_spec> sorted = local_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::pair<std::string, std::string>> lines;
  std::size_t maxlen = 0;
  for (const auto& f : sorted) {
    std::string line = f.shorthand ? std::string("  -") + f.shorthand + ", --" + f.name : "      --" + f.name;
    if (*type_name(f.kind)) line += std::string(" ") + type_name(f.kind);
    maxlen = std::max(maxlen, line.size() + 1);  // pflag counts its \x00 separator
    std::string usage = f.usage;
    if (!default_is_zero(f))
      usage += f.kind == flag_kind::string ? " (default " + go_quote(f.default_value) + ")" : " (default " + f.default_value + ")";
    lines.emplace_back(std::move(line), std::move(usage));
  }
  std::string out;
  for (const auto& [prefix, usage] : lines) out += prefix + " " + std::string(maxlen - prefix.size(), ' ') + " " + usage + "\n";
  return out;
}

}  // namespace multicad::proto::toolbox
