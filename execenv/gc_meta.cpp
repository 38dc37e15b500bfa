#include "execenv/gc_meta.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "execenv/atomic_file.hpp"

namespace multicad::execenv {
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {
constexpr const char* file_name = ".gc_meta.json";

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc{} && end == s.data() + pos + len;
}
}  // namespace

std::string format_rfc3339_utc(system_clock::time_point t) {
  auto secs = floor<seconds>(t);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::optional<system_clock::time_point> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!read_int(s, 0, 4, y) || !read_int(s, 5, 2, mo) || !read_int(s, 8, 2, d) || !read_int(s, 11, 2, h) ||
      !read_int(s, 14, 2, mi) || !read_int(s, 17, 2, se))
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t pos = 19;
  nanoseconds frac{0};
  if (pos < s.size() && s[pos] == '.') {
    long long scale = 100'000'000;
    ++pos;
    auto start = pos;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10)
      if (scale > 0) frac += nanoseconds{(s[pos] - '0') * scale};
    if (pos == start) return std::nullopt;
  }
  minutes offset{0};
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (pos + 6 > s.size() || s[pos + 3] != ':' || !read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om))
      return std::nullopt;
    offset = minutes{oh * 60 + om} * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + frac - offset;
  return time_point_cast<system_clock::duration>(t);
}

namespace {
std::string meta_json(const gc_meta& meta) {
  nlohmann::json j{{"issue_id", meta.issue_id},
                   {"workspace_id", meta.workspace_id},
                   {"completed_at", format_rfc3339_utc(meta.completed_at)}};
  if (!meta.issue_status.empty()) j["issue_status"] = meta.issue_status;
  if (meta.issue_checked_at) j["issue_checked_at"] = format_rfc3339_utc(*meta.issue_checked_at);
  return j.dump(2) + "\n";
}
}  // namespace

result<void> write_gc_meta(const fs::path& task_root, const gc_meta& meta) {
  return write_file_atomically(task_root / file_name, meta_json(meta));
}

result<void> record_issue_status(const fs::path& task_root, gc_meta meta, std::string status, system_clock::time_point at) {
  meta.issue_status = std::move(status);
  meta.issue_checked_at = at;
  struct stat before{};
  bool keep = ::stat(task_root.c_str(), &before) == 0;
  // A cache of what the server said: no fsync (the next pass asks again).
  if (auto ok = write_file_atomically(task_root / file_name, meta_json(meta), owner_read_write, durability::regenerated); !ok)
    return ok;
  // The rename changed the directory's mtime, which the orphan rule reads;
  // put it back so recording a status never postpones a removal.
  const struct timespec times[2] = {{0, UTIME_OMIT}, before.st_mtim};
  if (keep && ::utimensat(AT_FDCWD, task_root.c_str(), times, 0) != 0)
    return error{std::string("cannot restore the folder's modification time: ") + std::strerror(errno), task_root.string()};
  return {};
}

result<gc_meta> read_gc_meta(const fs::path& task_root) {
  auto path = task_root / file_name;
  auto bytes = read_file(path);
  if (!bytes) return bytes.error();
  auto j = nlohmann::json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error{"GC metadata is not a JSON object", path.string()};
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto issue = text("issue_id"), ws = text("workspace_id"), done = text("completed_at");
  if (!issue || !ws || !done) return error{"GC metadata lacks issue_id, workspace_id or completed_at", path.string()};
  auto when = parse_rfc3339(*done);
  if (!when) return error{"GC metadata completed_at is not an RFC 3339 time: " + *done, path.string()};
  gc_meta out{*issue, *ws, *when};
  // Optional and informative: a malformed value is dropped, never an error.
  if (auto status = text("issue_status")) out.issue_status = *status;
  if (auto checked = text("issue_checked_at")) out.issue_checked_at = parse_rfc3339(*checked);
  return out;
}

}  // namespace multicad::execenv
