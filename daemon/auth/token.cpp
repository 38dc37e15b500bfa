#include "daemon/auth/token.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace multicad::auth {
namespace fs = std::filesystem;

void throw_exception_from_error(const token_error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The Multica CLI's config: a missing file is empty; invalid JSON is an error.
boost::system::result<std::optional<std::string>, token_error> from_cli_config(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::optional<std::string>{};
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return token_error{file.string() + " is not valid JSON; fix or remove it, or set token_file"};
  auto it = j.find("token");
  if (it == j.end() || !it->is_string() || trim(it->get<std::string>()).empty()) return std::optional<std::string>{};
  return std::optional<std::string>{trim(it->get<std::string>())};
}

}  // namespace

boost::system::result<token_source, token_error> resolve_token(
    const config::settings& s, const fs::path& home,
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  if (!trim(s.token).empty()) return token_source{trim(s.token), "token setting"};
  if (!s.token_file.empty()) {
    std::ifstream in(s.token_file);
    if (!in) return token_error{"token_file " + s.token_file.string() + " cannot be read; check the path and that the "
                                "daemon's user may read it"};
    std::string line;
    std::getline(in, line);
    if (trim(line).empty()) return token_error{"token_file " + s.token_file.string() + " is empty"};
    return token_source{trim(line), "token_file " + s.token_file.string()};
  }
  if (auto env = getenv("MULTICA_TOKEN"); env && !trim(*env).empty()) return token_source{trim(*env), "MULTICA_TOKEN"};
  // The profile setting (MULTICA_PROFILE, --profile), validated by the loader.
  auto file = !s.profile.empty() ? home / ".multica" / "profiles" / s.profile / "config.json"
                                 : home / ".multica" / "config.json";
  auto cli = from_cli_config(file);
  if (!cli) return cli.error();
  if (*cli) return token_source{**cli, file.string()};
  return token_error{"no server token: set token_file (or token) in the config, MULTICA_TOKEN, or run `multica login` "
                     "so " + file.string() + " holds one"};
}

}  // namespace multicad::auth
