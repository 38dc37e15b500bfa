#include "execenv/atomic_file.hpp"

#include <catch2/catch.hpp>

#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
namespace fs = std::filesystem;

namespace {
std::size_t entries_in(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

TEST_CASE("an atomic write replaces the file whole with the given mode and leaves no temporary", "[execenv][atomic]") {
  multicad::test::temp_dir dir;
  auto target = dir.path() / "config.toml";
  auto durability_kind = GENERATE(durability::flushed, durability::regenerated);
  REQUIRE(write_file_atomically(target, "old = 1\n").has_value());
  REQUIRE(write_file_atomically(target, "new = 2\n", fs::perms::owner_read, durability_kind).has_value());
  CHECK(read_file(target).value() == "new = 2\n");
  CHECK((fs::status(target).permissions() & fs::perms::all) == fs::perms::owner_read);
  CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("an atomic write into a missing folder names the target and leaves nothing", "[execenv][atomic]") {
  multicad::test::temp_dir dir;
  auto target = dir.path() / "missing" / "AGENTS.md";
  auto r = write_file_atomically(target, "x", owner_read_write, durability::regenerated);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().to_string(), Catch::Contains(target.string()));
  CHECK(entries_in(dir.path()) == 0);
}
