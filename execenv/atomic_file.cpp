#include "execenv/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace multicad::execenv {
namespace fs = std::filesystem;

void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw std::runtime_error(e.to_string());
}

namespace {
error os_error(std::string what, const fs::path& p) {
  return error{std::move(what) + ": " + std::strerror(errno), p.string()};
}
}  // namespace

result<void> write_file_atomically(const fs::path& target, std::string_view bytes, fs::perms mode, durability d) {
  std::string tmpl = (target.parent_path() / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return os_error("cannot create a temporary file beside the target", target);
  auto fail = [&](const char* what) {
    auto e = os_error(what, target);
    ::close(fd);
    ::unlink(tmpl.c_str());
    return e;
  };
  for (std::size_t done = 0; done < bytes.size();) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("cannot set permissions");
  if (d == durability::flushed && ::fsync(fd) != 0) return fail("cannot flush to disk");
  if (::close(fd) != 0) { ::unlink(tmpl.c_str()); return os_error("cannot close", target); }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    auto e = os_error("cannot rename the temporary file into place", target);
    ::unlink(tmpl.c_str());
    return e;
  }
  return {};
}

result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return os_error("cannot open", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return os_error("cannot read", path);
  return bytes.str();
}

}  // namespace multicad::execenv
