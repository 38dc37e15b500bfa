#include "daemon/agent/discovery.hpp"

#include <cstdlib>

#include "daemon/log/log.hpp"

namespace multicad::agent {

discovery discover_codex(const config::settings& s, version_cache& cache) {
  const auto& req = codex_requirement();
  discovery out{s.codex_agent.path, std::nullopt};
  const char* path_env = std::getenv("PATH");
  auto exe = find_executable(s.codex_agent.path, path_env ? path_env : "");
  if (exe.empty()) {
    log::warn("agent CLI not found; codex runtime not registered",
              {{"provider", req.provider}, {"configured", s.codex_agent.path},
               {"hint", "install it with npm install -g @openai/codex, or set agents.codex.path "
                        "(MULTICA_CODEX_PATH) to its full path"}});
    return out;
  }
  bool fresh = false;
  out.found = cache.detect(exe, req, &fresh);
  const auto& d = *out.found;
  if (!d.usable) {
    log::warn("agent CLI not usable; codex runtime not registered",
              {{"provider", req.provider}, {"path", d.path.string()},
               {"version", d.version ? d.version->to_string() : (d.raw.empty() ? "unknown" : d.raw)},
               {"minimum", req.minimum.to_string()}, {"problem", d.problem}, {"hint", req.upgrade_hint}});
  } else if (fresh) {
    log::info("agent CLI detected", {{"provider", req.provider}, {"path", d.path.string()},
                                     {"version", d.version->to_string()}});
  }
  return out;
}

}  // namespace multicad::agent
