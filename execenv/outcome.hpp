// How execenv reports: expected failures as `error` values, and things worth
// telling an operator as `notice`s the caller logs (execenv itself does not
// log, so tests can assert exactly what would be said). Plain data.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <utility>
#include <vector>

namespace multicad::execenv {

struct error {
  // Both parts are required: a one-argument constructor would make a string
  // ambiguous between result<std::string>'s value and its error.
  error() = default;
  error(std::string what, std::string where) : message(std::move(what)), path(std::move(where)) {}
  std::string message;  // what failed and what to do
  std::string path;     // the file or directory involved, if any
  std::string to_string() const { return path.empty() ? message : message + " (" + path + ")"; }
};

[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, error>;

enum class severity { debug, info, warn, error };

struct notice {
  severity level = severity::info;
  std::string message;                                      // stable text; docs/logs.md catalogues it
  std::vector<std::pair<std::string, std::string>> fields;  // key=value, in order
};

}  // namespace multicad::execenv
