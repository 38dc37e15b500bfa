#include "config/disk_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "config/keys.hpp"

namespace multicad::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One path component a pattern or marker may use: no separators, blanks,
// list or control characters, not "." or "..".
bool plain_component(std::string_view c) {
  if (c.empty() || c == "." || c == ".." || c.size() > 255) return false;
  for (unsigned char ch : c)
    if (ch <= 0x20 || ch == '/' || ch == '\\' || ch == ',' || ch == 0x7f) return false;
  return true;
}

bool relative_path(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  while (!p.empty()) {
    auto slash = p.find('/');
    if (!plain_component(p.substr(0, slash))) return false;
    if (slash == std::string_view::npos) break;
    p.remove_prefix(slash + 1);
  }
  return true;
}

std::optional<std::string> check_pattern(const artifact_pattern& p) {
  if (!plain_component(p.name))
    return "\"" + p.name + "\" is not a folder name (one path component, no '/', ',', blanks or \"..\")";
  // The promise, kept even against a configured list: a task's
  // repository, its output and its logs are never regenerable.
  if (p.name == ".git" || p.name == "output" || p.name == "logs")
    return "\"" + p.name + "\" is never an artifact (.git, output and logs are always kept)";
  if (!p.marker.empty() && !relative_path(p.marker))
    return "marker \"" + p.marker + "\" is not a relative path (no leading '/', no \"..\")";
  return std::nullopt;
}

}  // namespace

std::uint64_t space_floor::of(std::uint64_t filesystem_bytes) const {
  if (percent <= 0) return bytes;
  return static_cast<std::uint64_t>(std::floor(static_cast<double>(filesystem_bytes) * percent / 100.0));
}

std::vector<artifact_pattern> default_artifact_patterns() {
  return {{"node_modules", ""},     {".next", ""},          {".turbo", ""},         {".nuxt", ""},
          {".svelte-kit", ""},      {".parcel-cache", ""},  {".angular", ""},       {"__pycache__", ""},
          {".pytest_cache", ""},    {".mypy_cache", ""},    {".ruff_cache", ""},    {".tox", ""},
          {".nox", ""},             {".gradle", ""},        {".dart_tool", ""},
          {".venv", ".venv/pyvenv.cfg"}, {"venv", "venv/pyvenv.cfg"},
          {"target", "Cargo.toml"}, {"target", "pom.xml"},  {"build", "build.gradle"},
          {"build", "build.gradle.kts"}, {".build", "Package.swift"}, {"_build", "mix.exs"}};
}

std::variant<space_floor, std::string> parse_space_floor(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.back() == '%') {
    double p = 0;
    auto body = text.substr(0, text.size() - 1);
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), p);
    if (ec != std::errc{} || end != body.data() + body.size() || !(p > 0) || !(p < 100))
      return std::string("not a percentage; use a number above 0 and below 100 followed by %, e.g. 5%");
    return space_floor{0, p};
  }
  auto bytes = parse_size(text);
  if (!bytes) return std::string("not a size; use bytes with B, KB, MB, GB or TB (e.g. 10GB), or a percentage such as 5%");
  return space_floor{*bytes, 0};
}

std::string format_space_floor(const space_floor& f) {
  if (f.percent <= 0) return format_size(f.bytes);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", f.percent);
  return buf;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::variant<std::vector<artifact_pattern>, std::string> parse_artifact_patterns(std::string_view text) {
  std::vector<artifact_pattern> out;
  if (trim(text).empty()) return out;
  constexpr std::string_view when = " when ";
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (item.empty()) return std::string("an empty item; separate folder names with single commas");
    artifact_pattern p;
    // Padded so "target when" (nothing after, trailing blank trimmed) still splits.
    auto padded = std::string(item) + " ";
    if (auto w = padded.find(when); w != std::string::npos) {
      p.name = std::string(trim(std::string_view(padded).substr(0, w)));
      p.marker = std::string(trim(std::string_view(padded).substr(w + when.size())));
      if (p.marker.empty()) return "\"" + std::string(item) + "\": nothing after \"when\"";
    } else {
      p.name = std::string(item);
    }
    if (auto why = check_pattern(p)) return *why;
    out.push_back(std::move(p));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_artifact_patterns(const std::vector<artifact_pattern>& patterns) {
  std::string out;
  for (const auto& p : patterns) {
    if (!out.empty()) out += ", ";
    out += p.name;
    if (!p.marker.empty()) out += " when " + p.marker;
  }
  return out;
}

}  // namespace multicad::config
