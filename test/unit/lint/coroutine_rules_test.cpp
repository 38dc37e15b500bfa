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

// True when a lambda or a braced temporary sits inside a co_await expression.
bool temporary_in_await(const std::string& code) {
  static const std::regex pattern(R"(\bco_await\b[^;]*(\(\s*\[[^\]]*\]\s*(\(|\{|mutable|->)|,\s*\[[^\]]*\]\s*(\(|\{|mutable|->)|\(\s*\{|,\s*\{))");
  return std::regex_search(code, pattern);
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
  auto found = scan(temporary_in_await);
  INFO([&] { std::string s; for (auto& f : found) s += f + "\n"; return s; }());
  CHECK(found.empty());
}

// Positive controls: a lint that matches nothing (a broken regex, a scan that
// walks no file) would pass the two tests above; these fail instead.
TEST_CASE("the coroutine lint flags the shapes it exists for and passes the safe ones", "[lint]") {
  const std::vector<std::string> bad_conditions{
      "  if (co_await f()) {",
      "  while (!(co_await next(x))) {",
      "  switch (co_await kind()) {",
      "  if (ok && (co_await more())) return;",
      "  auto ok = ready && co_await f();",
      "  auto v = ready ? co_await x() : y;",
      "  return x || (co_await y());",
  };
  for (const auto& code : bad_conditions) {
    INFO(code);
    CHECK(co_await_in_condition(code));
  }
  const std::vector<std::string> bad_temporaries{
      "  co_await run([&] { return 1; });",
      "  co_await run(x, [this](int) { go(); });",
      "  auto r = co_await c.heartbeat({\"5e6f\"});",
      "  co_await send(a, {1, 2});",
      "  co_await spawn_loop(ex, [p]() mutable { return p; });",
  };
  for (const auto& code : bad_temporaries) {
    INFO(code);
    CHECK(temporary_in_await(code));
  }
  const std::vector<std::string> safe{
      "  auto ok = co_await f();",
      "  if (ok) co_await f();",
      "  auto [ec] = co_await t.async_wait(use_tuple);",
      "  auto won = co_await (c.heartbeat(beat) || shutdown_signal_after(limit));",
      "  bool go_on = co_await sleep(step);",
  };
  for (const auto& code : safe) {
    INFO(code);
    CHECK_FALSE(co_await_in_condition(code));
    CHECK_FALSE(temporary_in_await(code));
  }
}

TEST_CASE("the coroutine lint reads the project's coroutines", "[lint]") {
  // The daemon awaits in hundreds of lines; a scan that finds a handful walked the wrong tree.
  auto awaits = scan([](const std::string& code) { return code.find("co_await") != std::string::npos; });
  CHECK(awaits.size() > 100);
  bool saw_worker = false;
  for (const auto& line : awaits) saw_worker = saw_worker || line.find("daemon/core/local_worker.cpp:") != std::string::npos;
  CHECK(saw_worker);
}
