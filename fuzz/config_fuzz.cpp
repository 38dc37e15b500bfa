// config::load (config/loader.hpp) with the input as the --config file, no
// environment and no flags. The file is /tmp/multicad-fuzz-<pid>.toml,
// written for every input and removed as soon as load() returns (a run that
// crashes inside load() leaves it behind: it holds the crashing input).
// Properties:
//  - load never crashes or throws, whatever the file holds;
//  - an error names the file: its source starts with the file's path, and
//    it has a message;
//  - a success read that file, gives every key of all_keys() an origin
//    (file origins name "<path>:<line>"), and holds only values the keys
//    accept: durations at least their minimum, integers in range, and every
//    value re-reads as itself (key.assign(key.render(v)) renders the same),
//    which is what `config show` relies on.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "config/keys.hpp"
#include "config/loader.hpp"
#include "fuzz/common/fuzz_check.hpp"

using namespace multicad::config;
using multicad::fuzz::escaped;
using namespace std::chrono_literals;

namespace {

const std::string& file_path() {
  static const std::string path = "/tmp/multicad-fuzz-" + std::to_string(::getpid()) + ".toml";
  return path;
}

void write_file(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(file_path().c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write " + file_path());
  if (size > 0) FUZZ_CHECK(std::fwrite(data, 1, size, f) == size, "short write to " + file_path());
  std::fclose(f);
}

load_inputs inputs() {
  load_inputs in;
  in.config_file = file_path();
  in.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  in.hostname = "fuzz-host";
  in.home = "/nonexistent/home";
  in.cwd = "/nonexistent/cwd";
  in.system_config_dir = "/nonexistent/etc";
  return in;
}

template <class Ctx>
void check_success(const loaded_settings& out, const Ctx& ctx) {
  FUZZ_CHECK(out.file && out.file->string() == file_path(), "the loaded file is not --config; " + ctx());
  FUZZ_CHECK(out.origins.size() == all_keys().size(), "origins are not one per key; " + ctx());
  const resolve_context rc{"/nonexistent/home", "/tmp"};
  for (const auto& key : all_keys()) {
    const std::string name(key.name);
    auto it = out.origins.find(name);
    FUZZ_CHECK(it != out.origins.end(), "no origin for " + name + "; " + ctx());
    if (it->second.kind == origin_kind::file)
      FUZZ_CHECK(it->second.where.starts_with(file_path() + ":"),
                 name + " comes from \"" + escaped(it->second.where) + "\"; " + ctx());
    FUZZ_CHECK(it->second.kind == origin_kind::file || it->second.kind == origin_kind::built_in,
               name + " has an env or flag origin without env or flags; " + ctx());
    // The rendered value reads back as itself.
    const std::string shown = key.render(out.values);
    settings again = out.values;
    auto why = key.assign(again, shown, rc);
    FUZZ_CHECK(!why, name + " renders as \"" + escaped(shown) + "\" which it rejects: " + why.value_or("") + "; " + ctx());
    FUZZ_CHECK(key.render(again) == shown,
               name + " renders \"" + escaped(shown) + "\" then \"" + escaped(key.render(again)) + "\"; " + ctx());
  }
  const auto& s = out.values;
  FUZZ_CHECK(s.poll_interval >= 100ms && s.heartbeat_interval >= 1s && s.agent_timeout >= 1s && s.gc.interval >= 1s &&
                 s.shutdown_grace >= 0s && s.gc.ttl >= 0s && s.gc.orphan_ttl >= 0s,
             "a duration below its minimum; " + ctx());
  FUZZ_CHECK(s.max_concurrent_tasks >= 1 && s.max_concurrent_tasks <= 1000 && s.health_port >= 1 &&
                 s.health_port <= 65535,
             "an integer out of range; " + ctx());
  FUZZ_CHECK(!s.daemon_id.empty() && !s.device_name.empty(), "an empty identity; " + ctx());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_file(data, size);
  auto ctx = [&] { return "file \"" + escaped(std::string_view(reinterpret_cast<const char*>(data), size)) + "\""; };
  try {
    auto r = load(inputs());
    std::remove(file_path().c_str());
    if (!r) {
      const auto& e = r.error();
      FUZZ_CHECK(e.source.starts_with(file_path()),
                 "an error from \"" + escaped(e.source) + "\": " + escaped(e.message) + "; " + ctx());
      FUZZ_CHECK(!e.message.empty(), "an error without a message; " + ctx());
      return 0;
    }
    check_success(*r, ctx);
  } catch (const std::exception& e) {
    std::remove(file_path().c_str());
    FUZZ_CHECK(false, std::string("load threw: ") + e.what() + "; " + ctx());
  }
  return 0;
}
