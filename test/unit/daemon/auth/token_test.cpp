#include <catch2/catch.hpp>
#include <map>

#include "daemon/auth/token.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad;
using multicad::test::temp_dir;
using multicad::test::write_file;

namespace {
struct env_fixture {
  std::map<std::string, std::string> vars;
  std::function<std::optional<std::string>(const std::string&)> fn() {
    return [this](const std::string& k) -> std::optional<std::string> {
      auto it = vars.find(k);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};
}  // namespace

TEST_CASE("the token comes from the setting then the file then MULTICA_TOKEN then the CLI config", "[daemon][token]") {
  temp_dir d;
  env_fixture env;
  config::settings s;
  write_file(d / "home/.multica/config.json", "{\n  \"server_url\": \"x\",\n  \"token\": \"mul_cli\"\n}\n");
  CHECK(auth::resolve_token(s, d / "home", env.fn())->token == "mul_cli");
  CHECK(auth::resolve_token(s, d / "home", env.fn())->source == (d / "home/.multica/config.json").string());
  env.vars["MULTICA_TOKEN"] = "mul_env";
  CHECK(auth::resolve_token(s, d / "home", env.fn())->source == "MULTICA_TOKEN");
  write_file(d / "tok", "mul_file\n");
  s.token_file = d / "tok";
  CHECK(auth::resolve_token(s, d / "home", env.fn())->token == "mul_file");
  s.token = "mul_setting";
  CHECK(auth::resolve_token(s, d / "home", env.fn())->source == "token setting");
}

TEST_CASE("a profile's CLI config is used with the profile setting", "[daemon][token]") {
  temp_dir d;
  env_fixture env;
  config::settings s;
  s.profile = "dev";
  write_file(d / "home/.multica/profiles/dev/config.json", "{\"token\":\"mul_dev\"}");
  CHECK(auth::resolve_token(s, d / "home", env.fn())->token == "mul_dev");
}

TEST_CASE("a missing token or an unreadable file or broken JSON say what to do", "[daemon][token]") {
  temp_dir d;
  env_fixture env;
  config::settings s;
  CHECK_THAT(auth::resolve_token(s, d / "home", env.fn()).error().message,
             Catch::Contains("no server token") && Catch::Contains("multica login"));
  write_file(d / "home/.multica/config.json", "{not json");
  CHECK_THAT(auth::resolve_token(s, d / "home", env.fn()).error().message, Catch::Contains("not valid JSON"));
  s.token_file = d / "missing";
  CHECK_THAT(auth::resolve_token(s, d / "home", env.fn()).error().message, Catch::Contains("cannot be read"));
  write_file(d / "empty", "\n");
  s.token_file = d / "empty";
  CHECK_THAT(auth::resolve_token(s, d / "home", env.fn()).error().message, Catch::Contains("is empty"));
}
