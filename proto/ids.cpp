#include "proto/ids.hpp"

namespace multicad::proto {

namespace {
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!is_hex(c)) {
      return false;
    }
  }
  return true;
}

bool is_request_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!is_hex(c)) return false;
  return true;
}

}  // namespace multicad::proto
