// DESIGN: no clock here either: every sign of life re-arms the watches it
// resets with their whole window, so "expired" needs no arithmetic on
// time, only the last descriptions for the reason. The timestamps in the
// reason are the ones the shell stamped on the activity.
#include "proto/lifecycle/watchdog.hpp"

#include <cstdio>
#include <utility>

namespace multicad::proto::lifecycle {
using std::chrono::milliseconds;
using kind = codex::activity::kind;

watchdog::watchdog(watchdog_limits limits, std::string provider)
    : limits_(limits), provider_(std::move(provider)) {}

std::vector<watch_change> watchdog::observe(const codex::activity& a) {
  std::vector<watch_change> out;
  if (ended_ || (!started_ && a.what != kind::turn_started)) return out;  // only the turn is watched
  last_event_ = a;
  switch (a.what) {
    case kind::turn_started:
      started_ = true;
      turn_start_ = a;
      last_progress_ = a;
      if (!item_seen_) set(out, watch::first_item, limits_.first_turn);
      break;
    case kind::turn_ended:
      // Codex's own end (and its Stop hooks) is the agent machine's business now.
      ended_ = true;
      return stop();
    case kind::item:
      last_progress_ = a;
      if (!item_seen_) {
        item_seen_ = true;
        cancel(out, watch::first_item);
      }
      break;
    case kind::progress: last_progress_ = a; break;
    case kind::other: break;
  }
  const bool was_tool = tool_;
  tool_ = a.tool_in_flight;
  set(out, watch::idle, tool_ ? limits_.tool : limits_.idle);
  if (tool_) cancel(out, watch::progress);  // a silent build is the tool watchdog's case
  else if (a.what != kind::other || was_tool) set(out, watch::progress, limits_.semantic);
  return out;
}

std::string watchdog::fire(watch which) {
  armed_[index(which)] = false;
  auto seen = [](const codex::activity& a) { return a.description + " at " + utc_seconds(a.at); };
  const std::string last = "; last event: " + seen(last_event_);
  switch (which) {
    case watch::idle:
      return provider_ + " sent nothing for " + go_duration(window(which)) +
             (tool_ ? " while a tool call ran" : "") + last;
    case watch::progress:
      return provider_ + " made no progress for " + go_duration(window(which)) +
             " (only status or usage updates); last progress: " + seen(last_progress_) + last;
    case watch::first_item:
      return provider_ + " started nothing in the " + go_duration(window(which)) + " after the turn began at " +
             utc_seconds(turn_start_.at) + last;
  }
  return provider_ + " stopped by a watchdog";
}

std::vector<watch_change> watchdog::stop() {
  std::vector<watch_change> out;
  for (auto w : {watch::idle, watch::progress, watch::first_item}) cancel(out, w);
  return out;
}

std::string watchdog::label(watch which) const {
  switch (which) {
    case watch::idle: return tool_ ? "tool" : "idle";
    case watch::progress: return "semantic";
    case watch::first_item: return "first turn";
  }
  return "?";
}

milliseconds watchdog::window(watch which) const {
  switch (which) {
    case watch::idle: return tool_ ? limits_.tool : limits_.idle;
    case watch::progress: return limits_.semantic;
    case watch::first_item: return limits_.first_turn;
  }
  return milliseconds{0};
}

void watchdog::set(std::vector<watch_change>& out, watch which, milliseconds after) {
  if (after.count() <= 0) return cancel(out, which);  // 0: this watch is off
  armed_[index(which)] = true;
  out.push_back({which, after});
}

void watchdog::cancel(std::vector<watch_change>& out, watch which) {
  if (!armed_[index(which)]) return;
  armed_[index(which)] = false;
  out.push_back({which, std::nullopt});
}

std::string go_duration(milliseconds d) {
  using namespace std::chrono;
  if (d.count() == 0) return "0s";
  std::string out = d.count() < 0 ? "-" : "";
  auto ms = d.count() < 0 ? -d.count() : d.count();
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  auto h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

std::string utc_seconds(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

}  // namespace multicad::proto::lifecycle
