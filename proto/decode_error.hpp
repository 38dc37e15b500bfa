// The error value of every proto decoder: which field was wrong and how,
// plus the start of the offending text for logs. Plain data.
#pragma once

#include <boost/system/result.hpp>

#include <string>

namespace multicad::proto {

struct decode_error {
  std::string message;  // e.g. "task.agent.skills[1].name: expected a string, got number"
  std::string to_string() const { return message; }
};

[[noreturn]] void throw_exception_from_error(const decode_error& e, const boost::source_location& loc);

template <class T>
using decode_result = boost::system::result<T, decode_error>;

}  // namespace multicad::proto
