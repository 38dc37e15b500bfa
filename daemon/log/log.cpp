#include "daemon/log/log.hpp"

#include "config/utf8.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

namespace multicad::log {
namespace {

// How lines are shaped; fixed at setup(), read on every write.
struct shape {
  bool json = false;
  bool journal = false;  // stderr goes to the journal: priority prefix, no timestamp
};

std::mutex mutex_;  // guards the two below; never held while writing
std::shared_ptr<spdlog::logger> logger_;
shape shape_;

spdlog::level::level_enum to_spd(level l) {
  switch (l) {
    case level::trace: return spdlog::level::trace;
    case level::debug: return spdlog::level::debug;
    case level::info: return spdlog::level::info;
    case level::warn: return spdlog::level::warn;
    case level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view level_name(level l) {
  switch (l) {
    case level::trace: return "TRACE";
    case level::debug: return "DEBUG";
    case level::info: return "INFO";
    case level::warn: return "WARN";
    case level::error: return "ERROR";
  }
  return "INFO";
}

// sd-daemon(3) priority prefixes: journald reads them from the stream, so
// `journalctl -p warning` shows WARN lines.
std::string_view syslog_prefix(level l) {
  switch (l) {
    case level::trace:
    case level::debug: return "<7>";
    case level::info: return "<6>";
    case level::warn: return "<4>";
    case level::error: return "<3>";
  }
  return "<6>";
}

// Longest value (and message) written whole: ids, bodies and texts from a
// server or an agent must not fill the log; the rest is replaced by a marker.
constexpr std::size_t max_value_bytes = 2048;
constexpr std::size_t max_message_bytes = 8192;

std::string capped(std::string_view v, std::size_t max) {
  if (v.size() <= max) return std::string(v);
  return std::string(config::utf8_prefix(v, max)) + "\u2026(" + std::to_string(v.size()) + " bytes)";
}

char32_t decode(std::string_view s, std::size_t i, std::size_t n) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

// Code points a terminal does not show as themselves: C1 controls, and the
// bidirectional and zero-width marks that reorder or hide what follows (a
// U+202E in a value can make a line read differently from what it says).
bool shown_escaped(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

// Appends `v` with every control, bidi mark and invalid byte escaped (and,
// inside quotes, the quote and the backslash).
void append_escaped(std::string& out, std::string_view v, bool in_quotes) {
  char buf[16];
  for (std::size_t i = 0; i < v.size();) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c < 0x80) {
      const char* e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                      : in_quotes && c == '"' ? "\\\"" : in_quotes && c == '\\' ? "\\\\" : nullptr;
      if (e) out += e;
      else if (c < 0x20 || c == 0x7f) { std::snprintf(buf, sizeof buf, "\\x%02x", c); out += buf; }
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    auto n = config::utf8_sequence_length(v, i);
    if (n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
      continue;
    }
    if (auto cp = decode(v, i, n); shown_escaped(cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(v.substr(i, n));
    }
    i += n;
  }
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  return false;
}

void append_value(std::string& out, std::string_view raw) {
  auto v = capped(raw, max_value_bytes);
  if (!needs_quotes(v)) { out += v; return; }
  out += '"';
  append_escaped(out, v, true);
  out += '"';
}

std::string now_utc() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()) % 1000;
  auto t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms.count()));
  return buf;
}

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink) {
  auto lg = std::make_shared<spdlog::logger>("multicad", std::move(sink));
  lg->set_pattern("%v");
  lg->flush_on(spdlog::level::trace);  // a daemon's last lines before a crash matter most
  return lg;
}

// systemd connects stderr to the journal and says so in JOURNAL_STREAM;
// the journal adds its own timestamp and reads our priority prefixes.
bool stderr_is_journal() {
  const char* value = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (!value || !*value || ::fstat(STDERR_FILENO, &st) != 0) return false;
  return journal_stream_matches(value, st.st_dev, st.st_ino);
}

std::shared_ptr<spdlog::logger> current(shape& s) {
  std::lock_guard lock(mutex_);
  if (!logger_) {  // before setup(): standard error, so start-up errors keep their priority
    logger_ = make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    shape_.journal = stderr_is_journal();
  }
  s = shape_;
  return logger_;
}

}  // namespace

std::string format_text(std::string_view message, const fields& f) {
  std::string out;
  append_escaped(out, capped(message, max_message_bytes), false);
  for (const auto& [k, v] : f) {
    out += ' ';
    out += k;
    out += '=';
    append_value(out, v);
  }
  return out;
}

std::string format_json(std::string_view time, level l, std::string_view message, const fields& f) {
  nlohmann::json j{{"time", time}, {"level", level_name(l)}, {"msg", capped(message, max_message_bytes)}};
  for (const auto& [k, v] : f) j[k] = capped(v, max_value_bytes);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string format_line(std::string_view time, level l, std::string_view message, const fields& f, bool journal,
                        bool json) {
  if (json) return (journal ? std::string(syslog_prefix(l)) : std::string()) + format_json(time, l, message, f);
  if (journal) return std::string(syslog_prefix(l)) + std::string(level_name(l)) + " " + format_text(message, f);
  std::string line = std::string(time) + " ";
  auto name = level_name(l);
  line += name;
  line.append(6 - name.size(), ' ');
  return line + format_text(message, f);
}

level parse_level(std::string_view name) {
  if (name == "trace") return level::trace;
  if (name == "debug") return level::debug;
  if (name == "warn") return level::warn;
  if (name == "error") return level::error;
  return level::info;
}

std::string setup(const config::log_settings& s) {
  spdlog::sink_ptr sink;
  try {
    if (s.file.empty()) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    else if (s.max_size > 0)
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(s.file.string(), s.max_size,
                                                                     static_cast<std::size_t>(s.max_files));
    else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.file.string());
  } catch (const spdlog::spdlog_ex& e) {
    return "cannot open log file " + s.file.string() + ": " + e.what();
  }
  auto lg = make_logger(std::move(sink));
  lg->set_level(to_spd(parse_level(s.level)));
  shape sh{s.format == config::log_format::json, s.file.empty() && stderr_is_journal()};
  std::lock_guard lock(mutex_);
  logger_ = std::move(lg);
  shape_ = sh;
  return {};
}

std::string reopen(const config::log_settings& s) { return setup(s); }

bool journal_stream_matches(std::string_view value, unsigned long long device, unsigned long long inode) {
  auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned long long dev = 0, ino = 0;
  auto d = std::from_chars(value.data(), value.data() + colon, dev);
  auto i = std::from_chars(value.data() + colon + 1, value.data() + value.size(), ino);
  if (d.ec != std::errc{} || d.ptr != value.data() + colon) return false;
  if (i.ec != std::errc{} || i.ptr != value.data() + value.size()) return false;
  return dev == device && ino == inode;
}

void set_level(level l) {
  shape ignored;
  current(ignored)->set_level(to_spd(l));
}

bool enabled(level l) {
  shape ignored;
  return current(ignored)->should_log(to_spd(l));
}

void write(level l, std::string_view message, const fields& f) {
  shape s;
  auto lg = current(s);
  if (!lg->should_log(to_spd(l))) return;
  lg->log(to_spd(l), "{}", format_line(now_utc(), l, message, f, s.journal, s.json));
}

}  // namespace multicad::log
