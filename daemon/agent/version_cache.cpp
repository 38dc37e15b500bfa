#include "daemon/agent/version_cache.hpp"

#include "proto/codex/releases.hpp"

#include <sys/stat.h>

namespace multicad::agent {
namespace fs = std::filesystem;

const agent_requirement& codex_requirement() {
  using proto::codex::minimum_release;
  using proto::codex::newest_tested_release;
  auto as_semver = [](proto::codex::release r) {
    return execenv::semver{static_cast<std::uint32_t>(r.major), static_cast<std::uint32_t>(r.minor),
                           static_cast<std::uint32_t>(r.patch)};
  };
  static const agent_requirement req{
      "codex", as_semver(minimum_release),
      "npm install -g @openai/codex@" + newest_tested_release.to_string() +
          " (the newest release multicad was tested with), then nothing else: the daemon notices the new binary by itself",
      as_semver(newest_tested_release)};
  return req;
}

namespace {
std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}
}  // namespace

detection evaluate(const fs::path& exe, const probe_output& out, const agent_requirement& req) {
  detection d;
  d.path = exe;
  d.raw = trim(out.stdout_text.empty() ? out.stderr_text : out.stdout_text);
  if (auto nl = d.raw.find('\n'); nl != std::string::npos) d.raw = trim(d.raw.substr(0, nl));
  if (!out.ran) {
    d.problem = "`" + exe.string() + " --version` did not complete: " + out.failure;
    return d;
  }
  if (out.exit_code != 0) {
    d.problem = "`" + exe.string() + " --version` exited with status " + std::to_string(out.exit_code);
    if (!trim(out.stderr_text).empty()) d.problem += ": " + trim(out.stderr_text).substr(0, 200);
    return d;
  }
  d.version = execenv::find_semver(d.raw);
  if (!d.version) {
    d.problem = "cannot find a MAJOR.MINOR.PATCH version in \"" + d.raw.substr(0, 120) + "\"";
    return d;
  }
  if (*d.version < req.minimum) {
    d.problem = req.provider + " " + d.version->to_string() + " is older than the minimum " + req.minimum.to_string();
    return d;
  }
  d.usable = true;
  return d;
}

version_cache::version_cache(prober probe, std::chrono::milliseconds limit) : probe_(std::move(probe)), limit_(limit) {}

std::optional<version_cache::file_identity> version_cache::identify(const fs::path& exe) {
  struct stat st{};
  if (::stat(exe.c_str(), &st) != 0) return std::nullopt;  // follows the npm launcher's symlink
  return file_identity{static_cast<std::uintmax_t>(st.st_dev), static_cast<std::uintmax_t>(st.st_ino),
                       static_cast<std::uintmax_t>(st.st_size),
                       static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

detection version_cache::detect(const fs::path& exe, const agent_requirement& req, bool* fresh) {
  if (fresh) *fresh = false;
  auto id = identify(exe);
  if (!id) {
    detection d;
    d.path = exe;
    d.problem = "`" + exe.string() + "` no longer exists";
    std::lock_guard lock(mutex_);
    entries_.erase(exe);
    return d;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(exe); it != entries_.end() && it->second.id == *id) return it->second.result;
  }
  auto result = evaluate(exe, probe_(exe, limit_), req);
  if (fresh) *fresh = true;
  std::lock_guard lock(mutex_);
  ++probes_;
  entries_[exe] = entry{*id, result};
  return result;
}

std::uint64_t version_cache::probes() const {
  std::lock_guard lock(mutex_);
  return probes_;
}

std::optional<detection> version_cache::cached(const fs::path& exe) const {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(exe); it != entries_.end()) return it->second.result;
  return std::nullopt;
}

}  // namespace multicad::agent
