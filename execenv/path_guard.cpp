#include "execenv/path_guard.hpp"

#include <algorithm>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {
std::string shown(std::string_view v) {
  std::string out;
  for (unsigned char c : v.substr(0, 80)) {
    if (c < 0x20 || c == 0x7f) { out += "\\x"; out += "0123456789abcdef"[c >> 4]; out += "0123456789abcdef"[c & 15]; }
    else out += static_cast<char>(c);
  }
  return "\"" + out + (v.size() > 80 ? "…\"" : "\"");
}
}  // namespace

result<void> check_component(std::string_view what, std::string_view value) {
  auto bad = [&](std::string why) {
    return error{std::string(what) + " " + shown(value) + " is not usable as a directory name: " + why, ""};
  };
  if (value.empty()) return bad("it is empty");
  if (value.size() > 255) return bad("it is longer than 255 bytes");
  if (value == "." || value == "..") return bad("it would refer to another directory");
  for (unsigned char c : value) {
    if (c == '/' || c == '\\') return bad("it contains a path separator");
    if (c == 0) return bad("it contains a NUL byte");
    if (c < 0x20 || c == 0x7f) return bad("it contains a control character");
  }
  return {};
}

result<fs::path> check_relative_path(std::string_view what, std::string_view value) {
  if (value.empty()) return error{std::string(what) + " is empty", ""};
  if (value.front() == '/') return error{std::string(what) + " " + shown(value) + " is absolute; it must be relative", ""};
  fs::path out;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto slash = value.find('/', start);
    auto part = value.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (auto ok = check_component(what, part); !ok)
      return error{std::string(what) + " " + shown(value) + " is not a safe relative path (" + ok.error().message + ")", ""};
    out /= std::string(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_within(const fs::path& outer, const fs::path& inner) {
  std::error_code ec;
  auto o = fs::weakly_canonical(outer, ec);
  if (ec) return false;
  auto i = fs::weakly_canonical(inner, ec);
  if (ec) return false;
  auto [oe, ie] = std::mismatch(o.begin(), o.end(), i.begin(), i.end());
  return oe == o.end();
}

}  // namespace multicad::execenv
