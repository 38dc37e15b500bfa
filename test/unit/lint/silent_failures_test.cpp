// Nothing in the product fails silently (issue 12): a result dropped with
// `(void)` says why on its line or the line above, and no coroutine is
// spawned with asio::detached, whose exception would vanish (use
// daemon/async/guarded.hpp, or a completion handler that acts on it).
// Each rule has a positive control, so a rule that matches nothing fails.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool has_comment(const std::string& line) { return line.find("//") != std::string::npos; }

// Lines of `text` that drop a result with (void) and say nothing about it.
std::vector<int> unexplained_discards(const std::string& text) {
  static const std::regex discard(R"(\(void\)\s*[A-Za-z_:])");
  std::vector<int> out;
  std::istringstream in(text);
  std::string previous;
  int n = 0;
  for (std::string line; std::getline(in, line); previous = line) {
    ++n;
    auto code = line.substr(0, line.find("//"));
    if (std::regex_search(code, discard) && !has_comment(line) && !has_comment(previous)) out.push_back(n);
  }
  return out;
}

std::vector<int> detached_spawns(const std::string& text) {
  std::vector<int> out;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.substr(0, line.find("//")).find("asio::detached") != std::string::npos) out.push_back(n);
  }
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <class Rule>
std::vector<std::string> scan_product(Rule rule) {
  std::vector<std::string> out;
  for (const char* dir : {"config", "execenv", "proto", "daemon"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(MULTICAD_SOURCE_DIR) / dir)) {
      auto ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      for (int line : rule(read(e.path()))) out.push_back(e.path().string() + ":" + std::to_string(line));
    }
  return out;
}

}  // namespace

TEST_CASE("the discard rule flags an unexplained (void) and accepts an explained one", "[lint]") {
  CHECK(unexplained_discards("  (void)journal_.record(row);\n") == std::vector<int>{1});
  CHECK(unexplained_discards("  (void)outbox_.delivered(id);  // why\n").empty());
  CHECK(unexplained_discards("  // why\n  (void)::send(fd, &b, 1, 0);\n").empty());
  CHECK(unexplained_discards("  f(static_cast<void>(x));\n").empty());
}

TEST_CASE("no result in the product is dropped without a reason", "[lint]") {
  auto found = scan_product(unexplained_discards);
  for (const auto& f : found) UNSCOPED_INFO(f);
  CHECK(found.empty());
}

TEST_CASE("the detached rule flags asio::detached outside comments", "[lint]") {
  CHECK(detached_spawns("asio::co_spawn(io, f(), asio::detached);\n") == std::vector<int>{1});
  CHECK(detached_spawns("// never asio::detached here\n").empty());
}

TEST_CASE("no coroutine in the product is spawned detached", "[lint]") {
  auto found = scan_product(detached_spawns);
  for (const auto& f : found) UNSCOPED_INFO(f);
  CHECK(found.empty());
}
