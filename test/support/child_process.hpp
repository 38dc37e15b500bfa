// A child process for tests, in its own process group, with pipes to its
// stdin, stdout and stderr and every wait bounded by a deadline. The
// destructor kills the whole group and reaps the child, so a failing test
// leaves nothing running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace multicad::test {

struct child_options {
  std::vector<std::string> argv;                  // argv[0] is the executable path
  std::map<std::string, std::string> env_set;     // added to (or replacing in) this process's environment
  std::vector<std::string> env_unset;
  std::filesystem::path cwd;                      // empty: inherit
};

class child_process {
 public:
  explicit child_process(const child_options& options);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  void write(const std::string& bytes);
  void close_stdin();

  // The next stdout line without its newline; nullopt at EOF or when the deadline passes.
  std::optional<std::string> read_line(std::chrono::milliseconds limit);

  // Waits for exit; returns the exit status (128+signal when killed), or
  // nullopt if it is still running at the deadline.
  std::optional<int> wait(std::chrono::milliseconds limit);

  // Everything the child wrote to stderr so far (drained by read_line/wait).
  const std::string& stderr_text() const { return err_; }
  // Everything left on stdout after the last line read, once the child exited.
  std::string rest_of_stdout();

 private:
  void pump(int timeout_ms);
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_fd_ = -1;
  std::string out_buf_, err_;
  std::optional<int> status_;
};

struct command_result {
  int status = -1;  // -1: timed out (and killed)
  std::string out, err;
};

// Runs a command to completion with a time limit.
command_result run_command(const child_options& options, std::chrono::milliseconds limit = std::chrono::seconds(60));

}  // namespace multicad::test
