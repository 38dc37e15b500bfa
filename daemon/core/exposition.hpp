// Writes the Prometheus text exposition format (version 0.0.4): one HELP and
// TYPE per family, then its samples. Integers are printed exactly (a counter
// past 2^53 or 10^6 keeps every digit, so rate() stays right), doubles in the
// shortest form that reads back to the same value, label values and help
// text escaped as the format requires. Pure; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace multicad::core {

// Label name -> value, in the order printed. Names are ours (constants);
// values may be anything and are escaped.
using labels = std::vector<std::pair<std::string_view, std::string>>;

class exposition {
 public:
  // Starts a family. `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);

  void sample(std::string_view name, const labels& l, std::uint64_t value);
  void sample(std::string_view name, const labels& l, std::int64_t value);
  void sample(std::string_view name, const labels& l, double value);

  // The text so far; the writer is empty afterwards.
  std::string take() { return std::exchange(out_, {}); }

 private:
  void begin_sample(std::string_view name, const labels& l);
  std::string out_;
};

// A value as the format writes it: exact for integers, shortest round-trip
// for doubles, "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// A label value inside its quotes: \ " and newline escaped.
std::string escape_label_value(std::string_view v);

}  // namespace multicad::core
