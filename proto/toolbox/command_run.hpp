// One run of a parsed `multica` command, sans I/O (agent-toolbox.md §5, §7.1):
// it asks for the I/O it needs one action at a time (an HTTP exchange,
// stdin, a file to read or write), takes each result, and produces stdout,
// stderr and an exit code exactly as the Go CLI does. The caller
// (daemon/toolbox) performs the actions. Single-threaded: one caller.
//
// Every command is a short sequence; the one pending action is its state:
//   created --> [read stdin] --> [members, agents: name resolution]
//           --> [read file, upload]* --> request(s) --> [write file] --> finished
// Redirects (301/302/303/307/308) are followed inside: the caller sees only
// the next request. Any error finishes at once: "Error: <message>" on stderr,
// exit code 1, nothing pending.
#pragma once

#include <memory>
#include <string>

#include "proto/toolbox/command_line.hpp"
#include "proto/toolbox/http.hpp"
#include "proto/toolbox/settings.hpp"

namespace multicad::proto::toolbox {

struct action {
  enum class kind { http, read_stdin, read_file, write_file };
  kind type = kind::http;
  http_request request;  // http
  std::string path;      // read_file, write_file (as the user gave it)
  std::string data;      // write_file: the bytes, mode 0644, replacing the file
};

// The result of an action. File and stdin errors are Go's texts
// ("open a.txt: no such file or directory", "read x: is a directory").
struct io_result {
  http_response response;  // http
  std::string data;        // read_stdin, read_file
  std::string error;       // read_stdin, read_file, write_file
};

struct run_context {
  environment env;
  cli_config config;               // the parsed config file, when config_needed() said to read it
  std::string cwd;                 // absolute; os.Getwd's answer ($PWD when it names the same directory)
  std::string multipart_boundary;  // random (mime/multipart uses 30 random bytes in hex)
  std::string version_text;        // after "multica " in `multica version`
};

class command_run {
 public:
  // Requires: parse_command_line(...).run was true for `inv`.
  command_run(invocation inv, run_context ctx);
  ~command_run();
  command_run(const command_run&) = delete;
  command_run& operator=(const command_run&) = delete;

  bool finished() const;
  // Requires: !finished(). Stays valid until done() is called.
  const action& next() const;
  // The result of next().
  void done(io_result result);

  // Drain after every call above; print as they come.
  std::string take_stdout();
  std::string take_stderr();
  // Requires: finished().
  int exit_code() const;

  // The whole command's time budget (Go's context.WithTimeout): 15 s; 60 s for
  // attachment download and for uploads; 5 min for repo checkout. Each
  // request also has its own http_request::timeout_ms.
  int budget_ms() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace multicad::proto::toolbox
