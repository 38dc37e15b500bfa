// The validators of untrusted task settings and ids: execenv::check_custom_args
// and check_custom_env (execenv/task_settings.hpp), proto::is_uuid and
// is_request_id (proto/ids.hpp) and the path builders (proto/server/types.hpp).
// The input is split at NUL bytes into words; the first byte picks the check.
// Properties:
//  - every accepted custom_args comes out as pairs "-c" "<key>=<value>" (or
//    --strict-config) whose key is on the allow-list and whose value holds no
//    quote, backslash, whitespace or control byte inside its quotes: nothing
//    Codex could read as a second setting; re-checking the output accepts it
//    unchanged (canonical);
//  - no accepted custom_env name starts with LD_, DYLD_, MULTICA_ or CODEX_, or
//    is PATH/HOME, and every name is [A-Za-z_][A-Za-z0-9_]*; each input name is
//    either accepted or refused, never both or neither;
//  - is_uuid/is_request_id agree with a direct reading of the shapes;
//  - a path built from any id is printable ASCII without spaces, and the id
//    adds exactly one segment.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "execenv/task_settings.hpp"
#include "fuzz/common/fuzz_check.hpp"
#include "proto/ids.hpp"
#include "proto/server/types.hpp"

using multicad::fuzz::escaped;
namespace ex = multicad::execenv;

namespace {

std::vector<std::string> words(std::string_view in) {
  std::vector<std::string> out(1);
  for (char c : in) {
    if (c == '\0') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

bool allowed_key(std::string_view k) {
  for (const auto& a : ex::allowed_config_keys())
    if (a.key == k) return true;
  return false;
}

void check_args(const std::vector<std::string>& in) {
  auto r = ex::check_custom_args(in, false);
  if (!r.refused.empty()) return;
  for (std::size_t i = 0; i < r.args.size(); ++i) {
    if (r.args[i] == "--strict-config") continue;
    FUZZ_CHECK(r.args[i] == "-c" && i + 1 < r.args.size(), "an accepted argument that is not -c: " + escaped(r.args[i]));
    const auto& kv = r.args[++i];
    auto eq = kv.find('=');
    FUZZ_CHECK(eq != std::string::npos && allowed_key(kv.substr(0, eq)), "an override of a key not allowed: " + escaped(kv));
    std::string_view v = std::string_view(kv).substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    for (unsigned char c : v)
      FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'', "an accepted value with a byte Codex could "
                 "misread: " + escaped(kv));
  }
  auto again = ex::check_custom_args(r.args, false);
  FUZZ_CHECK(again.refused.empty() && again.args == r.args, "the canonical arguments do not check as themselves");
}

void check_env(const std::vector<std::string>& in) {
  std::map<std::string, std::string> env;
  for (std::size_t i = 0; i + 1 < in.size(); i += 2) env[in[i]] = in[i + 1];
  auto r = ex::check_custom_env(env);
  FUZZ_CHECK(r.accepted.size() + r.refused.size() == env.size(), "a variable neither accepted nor refused");
  for (const auto& [k, v] : r.accepted) {
    std::string up;
    for (char c : k) up += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    FUZZ_CHECK(!up.starts_with("LD_") && !up.starts_with("DYLD_") && !up.starts_with("MULTICA_") && !up.starts_with("CODEX_") &&
                   up != "PATH" && up != "HOME",
               "a refused family accepted: " + escaped(k));
    FUZZ_CHECK(!k.empty() && !(k[0] >= '0' && k[0] <= '9'), "a name that is not portable: " + escaped(k));
    for (char c : k)
      FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_',
                 "a name that is not portable: " + escaped(k));
  }
}

bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void check_ids(std::string_view id) {
  bool uuid = id.size() == 36;
  for (std::size_t i = 0; uuid && i < id.size(); ++i)
    uuid = (i == 8 || i == 13 || i == 18 || i == 23) ? id[i] == '-' : hex(id[i]);
  FUZZ_CHECK(multicad::proto::is_uuid(id) == uuid, "is_uuid disagrees on \"" + escaped(id) + "\"");
  bool request = id.size() == 32;
  for (char c : id) request = request && hex(c);
  FUZZ_CHECK(multicad::proto::is_request_id(id) == request, "is_request_id disagrees on \"" + escaped(id) + "\"");
  auto path = multicad::proto::server::paths::start(std::string(id));
  std::size_t slashes = 0;
  for (unsigned char c : path) {
    FUZZ_CHECK(c > 0x20 && c < 0x7f, "a path with a byte that could split the request line: " + escaped(path));
    slashes += c == '/';
  }
  FUZZ_CHECK(slashes == 5, "an id added path segments: " + escaped(path));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: check_args(words(in)); break;
    case 1: check_env(words(in)); break;
    default: check_ids(in); break;
  }
  return 0;
}
