#include "proto/toolbox/go_text.hpp"

#include <algorithm>

#include "proto/toolbox/utf8.hpp"

namespace multicad::proto::toolbox {

namespace {

constexpr char hex_lower[] = "0123456789abcdef";
constexpr char hex_upper[] = "0123456789ABCDEF";

// unicode.IsPrint without Go's tables: the runes it refuses that a name, a
// path or a JSON string can plausibly hold (controls, non-ASCII spaces, format
// characters, surrogates, private use, noncharacters).
bool is_print(char32_t r) {
  if (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) return false;
  if (r == 0xa0 || r == 0xad || r == 0x1680 || (r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f)) return false;
  if (r == 0x205f || (r >= 0x2060 && r <= 0x206f) || r == 0x3000 || r == 0xfeff) return false;
  if ((r >= 0x600 && r <= 0x605) || r == 0x61c || r == 0x6dd || r == 0x70f || r == 0x180e) return false;
  if ((r >= 0xd800 && r <= 0xf8ff) || (r >= 0xfff9 && r <= 0xfffb) || r == 0xfffe || r == 0xffff) return false;
  if (r >= 0xe0000) return false;  // tags, variation selectors supplement, private use planes
  return true;
}

bool is_space(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xa0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200a;
  }
}

char32_t lower_rune(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  if (r >= 0xc0 && r <= 0xde && r != 0xd7) return r + 32;
  if (r == 0x130) return 'i';
  if (r == 0x178) return 0xff;
  bool even = (r % 2) == 0;
  if ((r >= 0x100 && r <= 0x12f) || (r >= 0x132 && r <= 0x137) || (r >= 0x14a && r <= 0x177)) return even ? r + 1 : r;
  if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e)) return even ? r : r + 1;
  if ((r >= 0x391 && r <= 0x3a1) || (r >= 0x3a3 && r <= 0x3ab)) return r + 32;
  if (r == 0x386) return 0x3ac;
  if (r >= 0x388 && r <= 0x38a) return r + 37;
  if (r == 0x38c) return 0x3cc;
  if (r == 0x38e || r == 0x38f) return r + 63;
  if (r >= 0x410 && r <= 0x42f) return r + 32;
  if (r >= 0x400 && r <= 0x40f) return r + 80;
  if ((r >= 0x460 && r <= 0x481) || (r >= 0x48a && r <= 0x4bf) || (r >= 0x4d0 && r <= 0x4ff)) return even ? r + 1 : r;
  return r;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    auto d = decode_rune(s, i);
    if (d.invalid) {
      auto b = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += hex_lower[b >> 4];
      out += hex_lower[b & 15];
    } else if (d.rune == '"' || d.rune == '\\') {
      out += '\\';
      out += static_cast<char>(d.rune);
    } else if (is_print(d.rune)) {
      out.append(s.substr(i, d.width));
    } else {
      switch (d.rune) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default: {
          int digits = d.rune < 0x80 ? 2 : d.rune < 0x10000 ? 4 : 8;
          out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
          for (int k = digits - 1; k >= 0; --k) out += hex_lower[(d.rune >> (4 * k)) & 15];
        }
      }
    }
    i += d.width;
  }
  return out + "\"";
}

std::string go_quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string q = go_quote(std::string_view(reinterpret_cast<const char*>(&c), 1));
  return "'" + q.substr(1, q.size() - 2) + "'";
}

std::string trim_space(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    auto d = decode_rune(s, begin);
    if (d.invalid || !is_space(d.rune)) break;
    begin += d.width;
  }
  std::size_t end = begin;  // just past the last rune that is not a space
  for (std::size_t i = begin; i < s.size();) {
    auto d = decode_rune(s, i);
    i += d.width;
    if (d.invalid || !is_space(d.rune)) end = i;
  }
  return std::string(s.substr(begin, end - begin));
}

std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto d = decode_rune(s, i);
    append_rune(out, d.invalid ? 0xfffd : lower_rune(d.rune));
    i += d.width;
  }
  return out;
}

std::size_t rune_count(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) i += decode_rune(s, i).width;
  return n;
}

std::string first_runes(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t k = 0; k < n && i < s.size(); ++k) i += decode_rune(s, i).width;
  return std::string(s.substr(0, i));
}

std::string truncate_id(std::string_view s) { return rune_count(s) > 8 ? first_runes(s, 8) : std::string(s); }

std::string cut_runes(std::string_view s, std::size_t limit, std::size_t keep) {
  return rune_count(s) > limit ? first_runes(s, keep) + "..." : std::string(s);
}

std::string first_bytes(std::string_view s, std::size_t n) { return std::string(s.size() >= n ? s.substr(0, n) : s); }

std::string query_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else { out += '%'; out += hex_upper[c >> 4]; out += hex_upper[c & 15]; }
  }
  return out;
}

std::string encode_query(std::vector<std::pair<std::string, std::string>> params) {
  std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += query_escape(k) + "=" + query_escape(v);
  }
  return out;
}

std::string path_clean(std::string_view p) {
  if (p.empty()) return ".";
  const bool rooted = p.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t dotdots = 0;  // leading ".." kept in a relative path
  for (std::size_t i = 0; i < p.size();) {
    std::size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    auto e = p.substr(i, j - i);
    i = j + 1;
    if (e.empty() || e == ".") continue;
    if (e == "..") {
      if (parts.size() > dotdots) parts.pop_back();
      else if (!rooted) { parts.push_back(e); ++dotdots; }
      continue;
    }
    parts.push_back(e);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out.append(parts[k]);
  }
  return out.empty() ? "." : out;
}

std::string path_base(std::string_view p) {
  if (p.empty()) return ".";
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return "/";
  auto slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string path_join(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return "";
  if (a.empty()) return path_clean(b);
  if (b.empty()) return path_clean(a);
  return path_clean(std::string(a) + "/" + std::string(b));
}

std::string path_abs(std::string_view cwd, std::string_view p) {
  if (!p.empty() && p.front() == '/') return path_clean(p);
  return path_join(cwd, p);
}

}  // namespace multicad::proto::toolbox
