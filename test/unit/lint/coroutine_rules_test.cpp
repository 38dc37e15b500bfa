// GCC 12 (the compiler of Debian 12) miscompiles two coroutine shapes; both
// were reproduced in this project (docs/architecture.md, "Coroutine rules"):
//  1. a co_await inside an if/while/switch condition, or beside && || ?:
//     (the coroutine hangs, crashes with SIGILL, or reads a dead frame);
//  2. a lambda or braced temporary inside a co_await expression (destroyed twice).
// This test reads every source file and fails on either shape, so the rule
// holds without anyone having to remember it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using line_check = std::function<bool(const std::string& code)>;

std::vector<std::string> offending_lines(const fs::path& file, const line_check& bad) {
  std::ifstream in(file);
  std::vector<std::string> out;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    auto code = line.substr(0, line.find("//"));
    if (bad(code)) out.push_back(file.string() + ":" + std::to_string(n) + ": " + line);
  }
  return out;
}

// True when a co_await appears between an if/while/switch's "(" and its
// matching ")" (on one line; conditions here fit on one line), or right
// after && || ?.
bool co_await_in_condition(const std::string& code) {
  static const std::regex keyword(R"(\b(if|while|switch)\s*\()");
  static const std::regex operand(R"((&&|\|\||\?)\s*\(?\s*co_await\b)");
  if (std::regex_search(code, operand)) return true;
  for (std::sregex_iterator it(code.begin(), code.end(), keyword), end; it != end; ++it) {
    std::size_t open = static_cast<std::size_t>(it->position() + it->length()), depth = 1, i = open;
    for (; i < code.size() && depth > 0; ++i) depth += code[i] == '(' ? 1 : code[i] == ')' ? -1 : 0;
    if (code.substr(open, i - open).find("co_await") != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> scan(const line_check& pattern) {
  std::vector<std::string> out;
  for (const char* dir : {"config", "execenv", "proto", "daemon", "test"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(MULTICAD_SOURCE_DIR) / dir)) {
      auto ext = e.path().extension();
      if (e.path().filename() == "coroutine_rules_test.cpp" || (ext != ".cpp" && ext != ".hpp")) continue;
      for (auto& l : offending_lines(e.path(), pattern)) out.push_back(std::move(l));
    }
  return out;
}

}  // namespace

TEST_CASE("no co_await sits inside a condition", "[lint]") {
  auto found = scan(co_await_in_condition);
  INFO([&] { std::string s; for (auto& f : found) s += f + "\n"; return s; }());
  CHECK(found.empty());
}

TEST_CASE("no lambda or braced temporary sits inside a co_await expression", "[lint]") {
  const std::regex temporary_in_await(R"(\bco_await\b[^;]*(\(\s*\[[^\]]*\]\s*(\(|\{|mutable|->)|,\s*\[[^\]]*\]\s*(\(|\{|mutable|->)|\(\s*\{|,\s*\{))");
  auto found = scan([&](const std::string& code) { return std::regex_search(code, temporary_in_await); });
  INFO([&] { std::string s; for (auto& f : found) s += f + "\n"; return s; }());
  CHECK(found.empty());
}
