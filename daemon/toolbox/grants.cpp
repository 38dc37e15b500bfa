#include "daemon/toolbox/grants.hpp"

#include <sys/random.h>

#include <algorithm>
#include <stdexcept>

namespace multicad::toolbox {

namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    auto n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed: no randomness for a task capability");
    got += static_cast<std::size_t>(n);
  }
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// Whole-length comparison whatever the first difference, so a local process
// cannot find a capability byte by byte from answer times.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string grants::issue(task_grant g) {
  auto capability = "mct_" + random_hex(20);
  entries_.push_back({capability, std::move(g)});
  return capability;
}

void grants::revoke(std::string_view capability) {
  std::erase_if(entries_, [&](const entry& e) { return same(e.capability, capability); });
}

const task_grant* grants::find(std::string_view capability) const {
  const task_grant* found = nullptr;
  for (const auto& e : entries_)
    if (same(e.capability, capability)) found = &e.grant;
  return found;
}

}  // namespace multicad::toolbox
