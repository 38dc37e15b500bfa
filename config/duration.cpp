#include "config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace multicad::config {
namespace {

struct unit {
  std::string_view suffix;
  std::uint64_t nanos;
};

// Longest suffixes first so "ms" is not read as "m" followed by garbage.
constexpr std::array<unit, 8> units{{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

std::optional<std::uint64_t> match_unit(std::string_view& rest) {
  const unit* best = nullptr;
  for (const auto& u : units) {
    if (rest.starts_with(u.suffix) && (!best || u.suffix.size() > best->suffix.size())) best = &u;
  }
  if (!best) return std::nullopt;
  rest.remove_prefix(best->suffix.size());
  return best->nanos;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<duration> parse_duration(std::string_view text) {
  constexpr std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return duration{0};
  if (text.empty()) return std::nullopt;

  std::uint64_t total = 0;
  while (!text.empty()) {
    // Integer part, then an optional fraction; at least one digit overall.
    std::uint64_t whole = 0;
    bool any_digit = false, overflow = false;
    while (!text.empty() && is_digit(text.front())) {
      any_digit = true;
      if (whole > (limit - (text.front() - '0')) / 10) overflow = true;
      else whole = whole * 10 + (text.front() - '0');
      text.remove_prefix(1);
    }
    std::uint64_t frac = 0, scale = 1;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      while (!text.empty() && is_digit(text.front())) {
        any_digit = true;
        // Digits beyond nanosecond precision of an hour cannot matter.
        if (scale < 1'000'000'000'000'000ULL) {
          frac = frac * 10 + (text.front() - '0');
          scale *= 10;
        }
        text.remove_prefix(1);
      }
    }
    if (!any_digit || overflow) return std::nullopt;
    auto nanos = match_unit(text);
    if (!nanos) return std::nullopt;
    if (whole > limit / *nanos) return std::nullopt;
    std::uint64_t part = whole * *nanos;
    // frac/scale < 1, so frac * (nanos / scale) stays below nanos.
    long double fractional = static_cast<long double>(frac) * static_cast<long double>(*nanos) /
                             static_cast<long double>(scale);
    part += static_cast<std::uint64_t>(fractional);
    if (part > limit - total) return std::nullopt;
    total += part;
  }
  auto value = static_cast<std::int64_t>(total);
  return duration{negative ? -value : value};
}

namespace {

// Appends v/10^prec with trailing zeros of the fraction removed, as Go's fmtFrac+fmtInt.
void append_fixed(std::string& out, std::uint64_t v, int prec) {
  std::string digits;
  bool printed = false;
  for (int i = 0; i < prec; ++i) {
    auto digit = static_cast<char>('0' + v % 10);
    printed = printed || digit != '0';
    if (printed) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (printed) digits.insert(digits.begin(), '.');
  out += std::to_string(v) + digits;
}

}  // namespace

std::string format_duration(duration d) {
  auto count = d.count();
  if (count == 0) return "0s";
  bool negative = count < 0;
  std::uint64_t u = negative ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  std::string out = negative ? "-" : "";
  if (u < 1'000'000'000) {
    // Sub-second: the largest unit that keeps a whole part.
    if (u < 1'000) return out + std::to_string(u) + "ns";
    if (u < 1'000'000) { append_fixed(out, u, 3); return out + "\xC2\xB5s"; }
    append_fixed(out, u, 6);
    return out + "ms";
  }
  std::string seconds;
  append_fixed(seconds, u % 60'000'000'000, 9);
  std::uint64_t minutes = u / 60'000'000'000;
  if (minutes == 0) return out + seconds + "s";
  std::uint64_t hours = minutes / 60;
  minutes %= 60;
  if (hours > 0) out += std::to_string(hours) + "h";
  return out + std::to_string(minutes) + "m" + seconds + "s";
}

}  // namespace multicad::config
