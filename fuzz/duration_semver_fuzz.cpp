// config::parse_duration / config::format_duration (config/duration.hpp) and
// execenv::find_semver (execenv/semver.hpp), each over the whole input.
// Properties:
//  - for every d = parse_duration(input): parse_duration(format_duration(d))
//    == d, and formatting is canonical: format(parse(format(d))) == format(d);
//  - format_duration always writes what Go's Duration.String writes for the
//    shape: "0s", or an optional '-', digits, and units;
//  - find_semver: the result's to_string() appears in the input as digits,
//    i.e. there is a MAJOR.MINOR.PATCH run of digits in the input, not
//    preceded by a digit or '.', whose numbers (leading zeros aside) are the
//    result's; and when there is a run whose numbers all fit in 32 bits and
//    that is not followed by '.' or a digit, find_semver finds a version.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/duration.hpp"
#include "execenv/semver.hpp"
#include "fuzz/common/fuzz_check.hpp"

using multicad::config::duration;
using multicad::config::format_duration;
using multicad::config::parse_duration;
using multicad::execenv::find_semver;
using multicad::fuzz::escaped;

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

void check_duration(std::string_view input) {
  auto d = parse_duration(input);
  if (!d) return;
  const std::string text = format_duration(*d);
  auto ctx = [&] {
    return "input \"" + escaped(input) + "\" parsed as " + std::to_string(d->count()) + "ns, formatted \"" +
           escaped(text) + "\"";
  };
  auto again = parse_duration(text);
  FUZZ_CHECK(again.has_value(), "the formatted duration does not parse; " + ctx());
  FUZZ_CHECK(*again == *d, "the formatted duration parses as " + std::to_string(again->count()) + "ns; " + ctx());
  FUZZ_CHECK(format_duration(*again) == text, "formatting is not canonical; " + ctx());
  // Shape: "0s", or [-] then digit/'.' runs each followed by a unit.
  std::string_view rest = text;
  if (rest != "0s") {
    if (rest.starts_with('-')) rest.remove_prefix(1);
    FUZZ_CHECK(!rest.empty() && digit(rest.front()), "a formatted duration not starting with a digit; " + ctx());
    FUZZ_CHECK(rest.ends_with('s'), "a formatted duration not ending in a unit of seconds; " + ctx());
  }
  FUZZ_CHECK((d->count() < 0) == text.starts_with('-'), "the sign was lost; " + ctx());
}

// Digits at `pos` with leading zeros skipped (at least "0"); advances `pos`.
std::string digit_run(std::string_view text, std::size_t& pos) {
  auto start = pos;
  while (pos < text.size() && digit(text[pos])) ++pos;
  auto run = text.substr(start, pos - start);
  while (run.size() > 1 && run.front() == '0') run.remove_prefix(1);
  return std::string(run);
}

struct candidate {
  std::string major, minor, patch;  // without leading zeros
  bool clean = false;               // not followed by '.' or a digit, and every number fits 32 bits
};

// Every MAJOR.MINOR.PATCH digit run that starts a number (not after a digit or '.').
std::vector<candidate> candidates(std::string_view text) {
  std::vector<candidate> out;
  auto fits = [](const std::string& n) { return n.size() < 10 || (n.size() == 10 && n <= "4294967295"); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!digit(text[i]) || (i > 0 && (digit(text[i - 1]) || text[i - 1] == '.'))) continue;
    std::size_t pos = i;
    candidate c;
    c.major = digit_run(text, pos);
    if (pos >= text.size() || text[pos] != '.' || pos + 1 >= text.size() || !digit(text[pos + 1])) continue;
    ++pos;
    c.minor = digit_run(text, pos);
    if (pos >= text.size() || text[pos] != '.' || pos + 1 >= text.size() || !digit(text[pos + 1])) continue;
    ++pos;
    c.patch = digit_run(text, pos);
    c.clean = (pos >= text.size() || (text[pos] != '.' && !digit(text[pos]))) && fits(c.major) && fits(c.minor) &&
              fits(c.patch);
    out.push_back(std::move(c));
  }
  return out;
}

void check_semver(std::string_view input) {
  auto v = find_semver(input);
  auto found = candidates(input);
  auto ctx = [&] { return "input \"" + escaped(input) + "\""; };
  if (!v) {
    for (const auto& c : found)
      FUZZ_CHECK(!c.clean, "no version found, but " + c.major + "." + c.minor + "." + c.patch + " is there; " + ctx());
    return;
  }
  const std::string shown = v->to_string();
  bool present = false;
  for (const auto& c : found)
    if (c.major + "." + c.minor + "." + c.patch == shown) present = true;
  FUZZ_CHECK(present, "found " + shown + ", which is not in the input; " + ctx());
  // The first clean candidate is the one found.
  for (const auto& c : found)
    if (c.clean) {
      FUZZ_CHECK(c.major + "." + c.minor + "." + c.patch == shown,
                 "found " + shown + " but the first version is " + c.major + "." + c.minor + "." + c.patch + "; " + ctx());
      break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A view of libFuzzer's buffer: reading past its end is an ASan report.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_duration(input);
  check_semver(input);
  return 0;
}
