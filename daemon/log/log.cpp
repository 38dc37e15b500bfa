#include "daemon/log/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace multicad::log {
namespace {

std::shared_ptr<spdlog::logger> logger_;
config::log_format format_ = config::log_format::text;

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

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) { out += v; return; }
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
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

std::shared_ptr<spdlog::logger> fallback() {
  static auto l = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto lg = std::make_shared<spdlog::logger>("multicad", sink);
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::info);
    return lg;
  }();
  return l;
}

}  // namespace

std::string format_text(std::string_view message, const fields& f) {
  std::string out(message);
  for (const auto& [k, v] : f) {
    out += ' ';
    out += k;
    out += '=';
    append_value(out, v);
  }
  return out;
}

std::string format_json(std::string_view time, level l, std::string_view message, const fields& f) {
  nlohmann::json j{{"time", time}, {"level", level_name(l)}, {"msg", message}};
  for (const auto& [k, v] : f) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
    else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.file.string());
  } catch (const spdlog::spdlog_ex& e) {
    return std::string("cannot open log file: ") + e.what();
  }
  logger_ = std::make_shared<spdlog::logger>("multicad", sink);
  logger_->set_pattern("%v");
  logger_->flush_on(spdlog::level::trace);
  format_ = s.format;
  set_level(parse_level(s.level));
  return {};
}

void set_level(level l) { (logger_ ? logger_ : fallback())->set_level(to_spd(l)); }
bool enabled(level l) { return (logger_ ? logger_ : fallback())->should_log(to_spd(l)); }

void write(level l, std::string_view message, const fields& f) {
  auto lg = logger_ ? logger_ : fallback();
  if (!lg->should_log(to_spd(l))) return;
  auto time = now_utc();
  std::string line;
  if (format_ == config::log_format::json) {
    line = format_json(time, l, message, f);
  } else {
    line = time + " ";
    auto name = level_name(l);
    line += name;
    line.append(6 - name.size(), ' ');
    line += format_text(message, f);
  }
  lg->log(to_spd(l), "{}", line);
}

}  // namespace multicad::log
