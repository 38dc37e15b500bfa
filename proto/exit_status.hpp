// How a child process ended: an exit code, a signal, or unknown (the wait
// itself failed), each with the words an operator reads in a failure
// ("exited with code 1", "killed by SIGKILL"). A plain int cannot tell
// "exit 9" from "killed by signal 9". Pure; any thread.
#pragma once

#include <optional>
#include <string>

namespace multicad::proto {

struct exit_status {
  std::optional<int> code;    // set when the process exited
  std::optional<int> signal;  // set when a signal ended it
  std::string reason;         // "exited with code 1", "killed by SIGKILL", "unknown: <why>"

  static exit_status exited(int code) { return {code, std::nullopt, "exited with code " + std::to_string(code)}; }
  static exit_status killed(int sig) { return {std::nullopt, sig, "killed by " + signal_name(sig)}; }
  static exit_status unknown(std::string why) { return {std::nullopt, std::nullopt, "unknown: " + why}; }
  bool operator==(const exit_status&) const = default;

  // "SIGKILL" for the signals a task's process meets; "signal 42" otherwise.
  // The numbers are Linux's and macOS's (they agree on these).
  static std::string signal_name(int sig) {
    switch (sig) {
      case 1: return "SIGHUP";
      case 2: return "SIGINT";
      case 3: return "SIGQUIT";
      case 4: return "SIGILL";
      case 6: return "SIGABRT";
      case 8: return "SIGFPE";
      case 9: return "SIGKILL";
      case 11: return "SIGSEGV";
      case 13: return "SIGPIPE";
      case 14: return "SIGALRM";
      case 15: return "SIGTERM";
      default: return "signal " + std::to_string(sig);
    }
  }
};

}  // namespace multicad::proto
