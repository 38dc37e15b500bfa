#include "execenv/codex_home.hpp"

#include <array>

namespace multicad::execenv {
namespace fs = std::filesystem;

namespace {

error fs_error(std::string what, const fs::path& p, const std::error_code& ec) {
  return error{std::move(what) + ": " + ec.message(), p.string()};
}

// Makes `link` a symlink to `target`: kept if already right, replaced if it
// points elsewhere, left alone (with a notice) if something else is there.
result<void> ensure_symlink(const fs::path& link, const fs::path& target, std::vector<notice>& notices) {
  std::error_code ec;
  auto st = fs::symlink_status(link, ec);
  if (fs::is_symlink(st)) {
    if (fs::read_symlink(link, ec) == target && !ec) return {};
    fs::remove(link, ec);
    if (ec) return fs_error("cannot replace a stale symlink", link, ec);
  } else if (fs::exists(st)) {
    notices.push_back({severity::debug, "codex home: keeping the task's own file instead of a link to the shared one",
                       {{"path", link.string()}, {"shared", target.string()}}});
    return {};
  }
  if (fs::is_directory(target, ec)) fs::create_directory_symlink(target, link, ec);
  else fs::create_symlink(target, link, ec);
  if (ec) return fs_error("cannot link into the shared Codex home", link, ec);
  return {};
}

}  // namespace

result<std::vector<notice>> seed_codex_home(const fs::path& task_home, const fs::path& shared_home) {
  std::vector<notice> notices;
  std::error_code ec;
  fs::create_directories(task_home, ec);
  if (ec) return fs_error("cannot create the task's Codex home", task_home, ec);
  fs::permissions(task_home, fs::perms::owner_all, ec);
  if (ec) return fs_error("cannot make the task's Codex home private", task_home, ec);

  auto shared_sessions = shared_home / "sessions";
  fs::create_directories(shared_sessions, ec);
  if (ec) return fs_error("cannot create the shared Codex sessions folder", shared_sessions, ec);
  if (auto ok = ensure_symlink(task_home / "sessions", shared_sessions, notices); !ok) return ok.error();

  if (fs::exists(shared_home / "auth.json", ec))
    if (auto ok = ensure_symlink(task_home / "auth.json", shared_home / "auth.json", notices); !ok) return ok.error();

  for (const char* name : std::array{"config.json", "config.toml", "instructions.md"}) {
    auto from = shared_home / name, to = task_home / name;
    if (!fs::is_regular_file(from, ec) || fs::exists(fs::symlink_status(to, ec))) continue;
    fs::copy_file(from, to, ec);
    if (ec) return fs_error("cannot copy from the shared Codex home", from, ec);
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  }
  return notices;
}

}  // namespace multicad::execenv
