// Compares the sandbox Codex reports for a thread (thread/start or
// thread/resume result `sandbox`, spec §5.1) with the one the daemon wrote.
// A repository's own .codex/config.toml can change it (spec §0 rule 6), so
// the session checks every thread before it starts a turn. Pure; internal.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "proto/codex/session.hpp"

namespace multicad::proto::codex {

enum class sandbox_verdict { same, stricter, looser };

struct sandbox_comparison {
  sandbox_verdict verdict = sandbox_verdict::looser;
  std::string intended;   // e.g. "workspace-write with network"
  std::string effective;  // same vocabulary, or "unknown sandbox {...}"
};

// `effective` is the result's `sandbox` member (null when Codex sent none).
// Access is compared on two axes, writes (none < workspace < everywhere) and
// network (off < on); the spec's total order readOnly < workspaceWrite
// without network < workspaceWrite with network < dangerFullAccess is this
// order restricted to the four known shapes. Looser on either axis is looser;
// an unknown or missing type is looser (fail closed).
sandbox_comparison compare_sandbox(const sandbox_intent& intent, const nlohmann::json& effective);

}  // namespace multicad::proto::codex
