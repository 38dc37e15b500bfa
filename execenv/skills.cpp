#include "execenv/skills.hpp"

#include <set>
#include <sstream>

#include "execenv/atomic_file.hpp"
#include "execenv/path_guard.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

std::string sanitize_skill_name(std::string_view name) {
  std::string out;
  bool dash = false;
  for (unsigned char c : name) {
    char l = static_cast<char>(std::tolower(c));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += l;
    } else {
      dash = true;
    }
  }
  return out.empty() ? "skill" : out;
}

std::vector<std::string> skill_dir_names(const std::vector<skill>& skills) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const auto& s : skills) {
    auto base = sanitize_skill_name(s.name), name = base;
    for (int n = 2; taken.count(name); ++n) name = base + "-" + std::to_string(n);
    taken.insert(name);
    names.push_back(name);
  }
  return names;
}

namespace {

constexpr const char* manifest_name = ".multica-skills";

// Codex lists a skill only with name/description front-matter; add it when
// the content has none, describing the skill by its first non-empty line.
std::string with_front_matter(const skill& s) {
  if (s.content.starts_with("---\n") || s.content.starts_with("---\r\n")) return s.content;
  std::string description;
  std::istringstream lines(s.content);
  for (std::string line; std::getline(lines, line);) {
    auto start = line.find_first_not_of("# \t\r");
    if (start == std::string::npos) continue;
    description = line.substr(start);
    while (!description.empty() && (description.back() == '\r' || description.back() == ' ')) description.pop_back();
    break;
  }
  if (description.empty()) description = s.name;
  auto yaml_quote = [](std::string v) {
    std::string out = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  return "---\nname: " + yaml_quote(s.name) + "\ndescription: " + yaml_quote(description) + "\n---\n\n" + s.content;
}

std::set<std::string> read_manifest(const fs::path& skills_dir) {
  std::set<std::string> out;
  auto bytes = read_file(skills_dir / manifest_name);
  if (!bytes) return out;
  std::istringstream lines(*bytes);
  for (std::string line; std::getline(lines, line);)
    if (check_component("skill folder", line)) out.insert(line);
  return out;
}

}  // namespace

result<void> write_skills(const fs::path& codex_home, const std::vector<skill>& skills) {
  auto names = skill_dir_names(skills);
  std::vector<std::vector<fs::path>> file_paths(skills.size());
  for (std::size_t i = 0; i < skills.size(); ++i)
    for (const auto& f : skills[i].files) {
      auto p = check_relative_path("skill \"" + skills[i].name + "\" file path", f.path);
      if (!p) return p.error();
      file_paths[i].push_back(*p);
    }

  auto dir = codex_home / "skills";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error{"cannot create the skills folder: " + ec.message(), dir.string()};
  std::set<std::string> current(names.begin(), names.end());
  for (const auto& old : read_manifest(dir))
    if (!current.count(old)) fs::remove_all(dir / old, ec);

  for (std::size_t i = 0; i < skills.size(); ++i) {
    auto skill_dir = dir / names[i];
    fs::remove_all(skill_dir, ec);  // files dropped from the skill must not linger
    fs::create_directories(skill_dir, ec);
    if (ec) return error{"cannot create a skill folder: " + ec.message(), skill_dir.string()};
    // Skills are rewritten from the task by every prepare: no fsync needed.
    constexpr auto again = durability::regenerated;
    if (auto ok = write_file_atomically(skill_dir / "SKILL.md", with_front_matter(skills[i]), owner_read_write, again); !ok)
      return ok.error();
    for (std::size_t f = 0; f < file_paths[i].size(); ++f) {
      auto target = skill_dir / file_paths[i][f];
      fs::create_directories(target.parent_path(), ec);
      if (ec) return error{"cannot create a skill file's folder: " + ec.message(), target.parent_path().string()};
      if (auto ok = write_file_atomically(target, skills[i].files[f].content, owner_read_write, again); !ok)
        return ok.error();
    }
  }
  std::string manifest;
  for (const auto& n : names) manifest += n + "\n";
  return write_file_atomically(dir / manifest_name, manifest, owner_read_write, durability::regenerated);
}

}  // namespace multicad::execenv
