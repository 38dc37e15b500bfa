// rss_sampler: peak memory of processes that come and go, for benchmarks.
//
//   rss_sampler --match KEY=VALUE [--match ...] [--group-by KEY] [--interval-ms 20] --out FILE
//
// Every interval it scans /proc, picks the processes whose environment holds
// every KEY=VALUE given, and reads VmHWM and VmRSS from their status. For
// each process it keeps the largest VmHWM seen (the peak of that process:
// VmHWM only grows, so the last sample before exit misses at most one
// interval of growth); for each group (the value of --group-by in the
// process's environment) it keeps the largest sum of VmRSS over one sample
// (what the group held at once) and the same for Pss from smaps_rollup (each
// shared page split among its mappers, so forked children are not counted
// twice). On SIGTERM/SIGINT it writes one JSON object to FILE and exits:
//   {"samples", "interval_ms", "groups": {"<value>": {"peak_sum_rss_kb", "peak_sum_pss_kb", "sum_peak_hwm_kb",
//    "processes": [{"pid", "comm", "peak_hwm_kb"}]}}}
// Reading other processes' environ needs the same user (or root).
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

volatile sig_atomic_t stop = 0;
void on_signal(int) { stop = 1; }

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of KEY in a NUL-separated environ block, or nullopt-as-empty + false.
bool env_value(const std::string& environ, const std::string& key, std::string& value) {
  std::size_t pos = 0;
  while (pos < environ.size()) {
    std::size_t end = environ.find('\0', pos);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(pos, key.size() + 1, key + "=") == 0) {
      value = environ.substr(pos + key.size() + 1, end - pos - key.size() - 1);
      return true;
    }
    pos = end + 1;
  }
  return false;
}

long status_kb(const std::string& status, const char* field) {
  auto p = status.find(field);
  if (p == std::string::npos) return 0;
  return std::strtol(status.c_str() + p + std::char_traits<char>::length(field), nullptr, 10);
}

struct proc_info {
  bool matched = false;
  std::string group, comm;
  long peak_hwm = 0;
};

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> matches;
  std::string group_by, out;
  int interval_ms = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--match") {
      auto eq = v.find('=');
      matches.emplace_back(v.substr(0, eq), eq == std::string::npos ? "" : v.substr(eq + 1));
    } else if (a == "--group-by") group_by = v;
    else if (a == "--interval-ms") interval_ms = std::atoi(v.c_str());
    else if (a == "--out") out = v;
  }
  if (out.empty() || matches.empty()) {
    std::fprintf(stderr, "usage: rss_sampler --match KEY=VALUE [...] [--group-by KEY] [--interval-ms N] --out FILE\n");
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  // Keyed by pid and start time (+ name), so a reused pid is a new process.
  std::map<std::pair<int, std::string>, proc_info> procs;
  std::map<std::string, long> peak_sum_rss, peak_sum_pss;
  long samples = 0;
  while (!stop) {
    std::map<std::string, long> sum_rss, sum_pss;
    if (DIR* d = ::opendir("/proc")) {
      while (dirent* e = ::readdir(d)) {
        int pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        std::string base = std::string("/proc/") + e->d_name;
        std::string stat = read_all(base + "/stat");
        auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos) continue;
        // Field 22 (starttime) and the command name identify this incarnation
        // of the pid: an exec keeps the pid and start time but changes the
        // name (and the environment we match on).
        std::istringstream fields(stat.substr(close_paren + 2));
        std::string f, start;
        for (int n = 3; n <= 22 && (fields >> f); ++n)
          if (n == 22) start = f;
        auto open = stat.find('(');
        start += "/" + stat.substr(open + 1, close_paren - open - 1);
        auto key = std::make_pair(pid, start);
        auto it = procs.find(key);
        if (it == procs.end()) {
          proc_info info;
          std::string environ = read_all(base + "/environ"), v;
          info.matched = !environ.empty();
          for (const auto& [k, want] : matches)
            if (!env_value(environ, k, v) || v != want) info.matched = false;
          if (info.matched && !group_by.empty()) env_value(environ, group_by, info.group);
          info.comm = stat.substr(open + 1, close_paren - open - 1);
          it = procs.emplace(key, info).first;
        }
        if (!it->second.matched) continue;
        std::string status = read_all(base + "/status");
        long hwm = status_kb(status, "VmHWM:"), rss = status_kb(status, "VmRSS:");
        if (hwm > it->second.peak_hwm) it->second.peak_hwm = hwm;
        sum_rss[it->second.group] += rss;
        // Pss shares each page among the processes mapping it, so a sum over
        // forked children does not count their shared pages twice.
        sum_pss[it->second.group] += status_kb(read_all(base + "/smaps_rollup"), "\nPss:");
      }
      ::closedir(d);
    }
    for (const auto& [g, kb] : sum_rss)
      if (kb > peak_sum_rss[g]) peak_sum_rss[g] = kb;
    for (const auto& [g, kb] : sum_pss)
      if (kb > peak_sum_pss[g]) peak_sum_pss[g] = kb;
    ++samples;
    timespec ts{interval_ms / 1000, static_cast<long>(interval_ms % 1000) * 1000000L};
    ::nanosleep(&ts, nullptr);
  }

  std::map<std::string, std::vector<const std::pair<const std::pair<int, std::string>, proc_info>*>> by_group;
  for (const auto& p : procs)
    if (p.second.matched && p.second.peak_hwm > 0) by_group[p.second.group].push_back(&p);
  FILE* f = std::fopen(out.c_str(), "w");
  if (!f) return 1;
  std::fprintf(f, "{\"samples\":%ld,\"interval_ms\":%d,\"groups\":{", samples, interval_ms);
  bool first_group = true;
  for (const auto& [g, list] : by_group) {
    long sum_peak = 0;
    for (auto* p : list) sum_peak += p->second.peak_hwm;
    std::fprintf(f, "%s\"%s\":{\"peak_sum_rss_kb\":%ld,\"peak_sum_pss_kb\":%ld,\"sum_peak_hwm_kb\":%ld,\"processes\":[",
                 first_group ? "" : ",", json_escape(g).c_str(), peak_sum_rss[g], peak_sum_pss[g], sum_peak);
    first_group = false;
    bool first = true;
    for (auto* p : list) {
      std::fprintf(f, "%s{\"pid\":%d,\"comm\":\"%s\",\"peak_hwm_kb\":%ld}", first ? "" : ",", p->first.first,
                   json_escape(p->second.comm).c_str(), p->second.peak_hwm);
      first = false;
    }
    std::fprintf(f, "]}");
  }
  std::fprintf(f, "}}\n");
  std::fclose(f);
  return 0;
}
