// Runs a `multica` command line through proto/toolbox exactly as the I/O
// shell does, with every action answered by the test: a scripted server
// (responses keyed by "METHOD URL"), an in-memory file system and stdin.
// Records what the command asked for.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "proto/toolbox/command_run.hpp"

namespace multicad::test::toolbox {

namespace pt = proto::toolbox;

struct cli_result {
  std::string out, err;
  int code = -1;
  std::vector<pt::http_request> requests;  // in order
  std::map<std::string, std::string> written;  // write_file path -> bytes
};

struct scripted {
  std::map<std::string, std::string> env = {{"MULTICA_SERVER_URL", "http://srv.test"},
                                            {"MULTICA_TOKEN", "mul_tok"},
                                            {"MULTICA_WORKSPACE_ID", "ws-1"}};
  pt::cli_config config;
  std::map<std::string, pt::http_response> responses;  // "GET http://srv.test/api/issues/x"
  std::map<std::string, std::string> files;            // read_file contents
  std::map<std::string, std::string> file_errors;      // read_file / write_file errors
  std::string stdin_text;
  std::string cwd = "/work/task";

  // A 200 with a JSON body (or another status).
  void reply(const std::string& key, const std::string& body, int status = 200,
             std::vector<pt::header> headers = {}) {
    responses[key] = pt::http_response{status, std::move(headers), body, "", ""};
  }

  cli_result run(const std::vector<std::string>& argv) const {
    cli_result r;
    auto parsed = pt::parse_command_line(argv, "1.2.3 (test)\n");
    if (!parsed.run) return {parsed.out, parsed.err, parsed.exit_code, {}, {}};
    pt::run_context ctx;
    ctx.env.vars = env;
    ctx.config = config;
    ctx.cwd = cwd;
    ctx.multipart_boundary = "BOUNDARY";
    ctx.version_text = "1.2.3 (test)\n";
    pt::command_run run(std::move(parsed.inv), std::move(ctx));
    for (int guard = 0; !run.finished() && guard < 100; ++guard) {
      const auto& a = run.next();
      pt::io_result res;
      if (a.type == pt::action::kind::http) {
        r.requests.push_back(a.request);
        auto it = responses.find(a.request.method + " " + a.request.url);
        if (it != responses.end()) res.response = it->second;
        else res.response = pt::http_response{404, {}, "{\"error\":\"not scripted\"}\n", "", ""};
      } else if (a.type == pt::action::kind::read_stdin) {
        res.data = stdin_text;
      } else if (a.type == pt::action::kind::read_file) {
        if (file_errors.count(a.path)) res.error = file_errors.at(a.path);
        else if (files.count(a.path)) res.data = files.at(a.path);
        else res.error = "open " + a.path + ": no such file or directory";
      } else {
        if (file_errors.count(a.path)) res.error = file_errors.at(a.path);
        else r.written[a.path] = a.data;
      }
      r.out += run.take_stdout();
      r.err += run.take_stderr();
      run.done(std::move(res));
    }
    r.out += run.take_stdout();
    r.err += run.take_stderr();
    r.code = run.finished() ? run.exit_code() : -2;
    return r;
  }
};

inline std::string header_of(const pt::http_request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "";
}

inline bool has_header(const pt::http_request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return true;
  return false;
}

}  // namespace multicad::test::toolbox
