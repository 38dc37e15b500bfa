// Where the daemon's server token comes from, in order: the `token`
// setting, the first line of `token_file`, $MULTICA_TOKEN, then the Multica
// CLI's own config (~/.multica/config.json, or ~/.multica/profiles/<p>/
// config.json with the profile setting) exactly as spec/server-api.md §2.1
// describes, so a Multica user can switch daemons without logging in again.
// The token itself is never logged; `source` says where it came from.
// Blocking file reads; call at start-up.
#pragma once

#include <boost/system/result.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "config/settings.hpp"

namespace multicad::auth {

struct token_source {
  std::string token;
  std::string source;  // "token setting", "token_file /etc/x", "MULTICA_TOKEN", "/home/u/.multica/config.json"
};

struct token_error {
  std::string message;  // what is missing or unreadable, and how to fix it
};
[[noreturn]] void throw_exception_from_error(const token_error& e, const boost::source_location& loc);

boost::system::result<token_source, token_error> resolve_token(
    const config::settings& s, const std::filesystem::path& home,
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

}  // namespace multicad::auth
