// Detected agent CLI versions, cached per binary. An entry is keyed by the
// resolved path and the file's identity (device, inode, size, mtime), so a
// binary replaced by an upgrade is noticed and probed again without a
// restart. The cached version is what every Prepare/Reuse receives.
// Safe from any thread; detect() blocks while probing (call it from a worker
// thread in the daemon).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/agent/version_probe.hpp"
#include "execenv/semver.hpp"

namespace multicad::agent {

struct agent_requirement {
  std::string provider;      // "codex"
  execenv::semver minimum;   // 0.100.0 for codex
  std::string upgrade_hint;  // how to upgrade, for the WARN
  execenv::semver newest_tested;  // newer ones are used, but doctor warns (proto/codex/releases.hpp)
};

const agent_requirement& codex_requirement();

struct detection {
  std::filesystem::path path;       // resolved executable
  std::string raw;                  // --version output, trimmed (sent to the server as `version`)
  std::optional<execenv::semver> version;
  bool usable = false;              // ran, parsed and meets the minimum
  std::string problem;              // why not usable, for the WARN
  bool operator==(const detection&) const = default;
};

class version_cache {
 public:
  using prober = std::function<probe_output(const std::filesystem::path&, std::chrono::milliseconds)>;
  // Requires: `probe` is callable from any thread.
  explicit version_cache(prober probe = probe_version, std::chrono::milliseconds limit = std::chrono::seconds(60));

  // The detection for `exe`, probing only when the binary is new or changed.
  // `fresh` is set to true when this call probed.
  detection detect(const std::filesystem::path& exe, const agent_requirement& req, bool* fresh = nullptr);

  // The last detection for `exe` without touching the file system.
  std::optional<detection> cached(const std::filesystem::path& exe) const;

  // How many times a binary was probed (first sight or a changed file).
  std::uint64_t probes() const;

 private:
  struct file_identity {
    std::uintmax_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const file_identity&) const = default;
  };
  struct entry {
    file_identity id;
    detection result;
  };
  static std::optional<file_identity> identify(const std::filesystem::path& exe);

  prober probe_;
  std::chrono::milliseconds limit_;
  mutable std::mutex mutex_;  // guards entries_; never held while probing
  std::map<std::filesystem::path, entry> entries_;
  std::uint64_t probes_ = 0;
};

// Turns probe output into a detection against a requirement. Pure.
detection evaluate(const std::filesystem::path& exe, const probe_output& out, const agent_requirement& req);

}  // namespace multicad::agent
