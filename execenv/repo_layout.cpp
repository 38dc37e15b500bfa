#include "execenv/repo_layout.hpp"

#include <cctype>
#include <vector>

#include "execenv/path_guard.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string encode(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+') out += static_cast<char>(c);
    else { out += '%'; out += hex[c >> 4]; out += hex[c & 15]; }
  }
  return out;
}

struct url_parts {
  std::string host;  // with its port, if any
  std::string path;
};

url_parts split_url(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    auto rest = url.substr(scheme + 3);
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return {std::string(authority), slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash))};
  }
  // scp-like: [user@]host:path, the colon before any slash.
  auto colon = url.find(':');
  if (colon != std::string_view::npos && url.substr(0, colon).find('/') == std::string_view::npos) {
    auto host = url.substr(0, colon);
    if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    return {std::string(host), std::string(url.substr(colon + 1))};
  }
  return {{}, std::string(url)};
}

std::string strip_git(std::string s) {
  if (s.size() >= 4 && s.compare(s.size() - 4, 4, ".git") == 0) s.resize(s.size() - 4);
  return s;
}

}  // namespace

result<std::string> cache_dir_name(std::string_view raw) {
  auto url = trim(raw);
  auto parts = split_url(url);
  std::vector<std::string> pieces;
  if (!parts.host.empty()) pieces.push_back(encode(parts.host));
  std::string_view path = parts.path;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto seg = path.substr(0, slash);
    if (!seg.empty() && seg != ".") pieces.push_back(encode(seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  std::string name;
  for (const auto& p : pieces) name += (name.empty() ? "" : "+") + p;
  name = strip_git(name);
  if (name.empty() || name == "." || name == "..")
    return error{"the repository URL \"" + std::string(url.substr(0, 200)) + "\" names no repository", ""};
  name += ".git";
  if (!check_component("repository cache name", name))
    return error{"the repository URL \"" + std::string(url.substr(0, 200)) + "\" is too long for a cache folder name", ""};
  return name;
}

result<repo_paths> repo_cache_paths(const fs::path& root, std::string_view workspace_id, std::string_view url) {
  if (auto ok = check_component("workspace id", workspace_id); !ok) return ok.error();
  auto name = cache_dir_name(url);
  if (!name) return name.error();
  auto dir = root / ".repos" / std::string(workspace_id);
  return repo_paths{dir / *name, dir / (*name + ".lock")};
}

std::string repo_dir_name(std::string_view raw) {
  std::string url(trim(raw));
  while (!url.empty() && url.back() == '/') url.pop_back();
  url = strip_git(url);
  auto cut = url.find_last_of("/:");
  std::string name(trim(cut == std::string::npos ? std::string_view(url) : std::string_view(url).substr(cut + 1)));
  if (name.empty() || !check_component("repository name", name) || name == ".git") return "repo";
  return name;
}

std::string checkout_branch(std::string_view agent_name, std::string_view task_id) {
  std::string slug;
  for (unsigned char c : agent_name) {
    char l = static_cast<char>(std::tolower(c));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) slug += l;
    else if (!slug.empty() && slug.back() != '-') slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 30) slug.resize(30);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "agent";
  std::string short_id;
  for (char c : task_id) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) break;
    short_id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (short_id.size() == 8) break;
  }
  return "agent/" + slug + "/" + (short_id.empty() ? "task" : short_id);
}

}  // namespace multicad::execenv
