// The `multica` command's pure core (proto/toolbox): Go-compatible JSON and
// the cobra/pflag command line, with a command run on top. Input: byte 0
// picks the mode ((byte - '0') % 3), the rest is:
//   0  a response body: go_decode / go_unmarshal (every shape), re-encoded
//   1  a command line: words separated by NUL bytes, parsed; when it runs, the
//      command is driven to the end with every request answered 200 "{}"
//   2  text for the tabwriter (tabs and newlines as they come)
// Properties:
//  - nothing throws or crashes, whatever the input;
//  - a failed decode has a message in one of Go's forms ("EOF", "unexpected
//    EOF", "unexpected end of JSON input", "invalid character …", "json:
//    cannot unmarshal …"); whatever Unmarshal accepts, Decode accepts too,
//    with the same value;
//  - a decoded value re-encodes as strict JSON (so valid UTF-8) with no raw
//    '<', '>' or '&', keys in bytewise order at every level, a final newline,
//    and encoding is a fixed point: decode(encode(v)) encodes to the same text;
//  - a parsed command line either runs a runnable command or prints and exits
//    0 or 1, and an exit 1 always says something on stderr; a run finishes
//    within 64 actions with exit 0 or 1, and exit 1 prints "Error: " or the
//    missing-server line;
//  - the tabwriter keeps every non-whitespace byte, in order, and the count
//    of newlines.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/common/fuzz_check.hpp"
#include "proto/toolbox/command_run.hpp"
#include "proto/toolbox/go_json.hpp"
#include "proto/toolbox/tabwriter.hpp"

using namespace multicad::proto::toolbox;
using multicad::fuzz::escaped;
using nlohmann::json;

namespace {

bool known_error(const std::string& e) {
  return e == "EOF" || e == "unexpected EOF" || e == "unexpected end of JSON input" || e.starts_with("invalid character ") ||
         e.starts_with("json: cannot unmarshal ");
}

// On the order-preserving parse of the output: keys as the encoder wrote them.
void check_sorted(const nlohmann::ordered_json& v, const std::string& ctx) {
  if (v.is_object()) {
    std::string prev;
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      FUZZ_CHECK(first || prev < it.key(), "keys out of order; " + ctx);
      prev = it.key();
      first = false;
      check_sorted(*it, ctx);
    }
  } else if (v.is_array()) {
    for (const auto& e : v) check_sorted(e, ctx);
  }
}

void fuzz_json(std::string_view body) {
  auto ctx = [&] { return "body \"" + escaped(body) + "\""; };
  for (go_shape shape : {go_shape::any, go_shape::object, go_shape::object_array}) {
    auto d = go_decode(body, shape);
    auto u = go_unmarshal(body, shape);
    if (!d.ok()) FUZZ_CHECK(known_error(d.error), "decode error \"" + escaped(d.error) + "\"; " + ctx());
    if (!u.ok()) FUZZ_CHECK(known_error(u.error), "unmarshal error \"" + escaped(u.error) + "\"; " + ctx());
    if (u.ok()) FUZZ_CHECK(d.ok() && go_marshal(d.value) == go_marshal(u.value), "Unmarshal accepted what Decode did not; " + ctx());
    if (!d.ok()) continue;
    std::string text = go_encode_indent(d.value);
    FUZZ_CHECK(!text.empty() && text.back() == '\n', "no final newline; " + ctx());
    FUZZ_CHECK(text.find_first_of("<>&") == std::string::npos, "raw HTML character in \"" + escaped(text) + "\"; " + ctx());
    nlohmann::ordered_json strict;
    try {
      strict = nlohmann::ordered_json::parse(text);
    } catch (const std::exception& e) {
      FUZZ_CHECK(false, std::string("not strict JSON (") + e.what() + "): \"" + escaped(text) + "\"; " + ctx());
    }
    check_sorted(strict, ctx());
    auto again = go_decode(text, go_shape::any);
    FUZZ_CHECK(again.ok() && go_encode_indent(again.value) == text, "encoding is not a fixed point: \"" + escaped(text) + "\"; " + ctx());
    (void)go_format_v(d.value);
  }
}

void fuzz_command_line(std::string_view input) {
  std::vector<std::string> argv;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i)
    if (i == input.size() || input[i] == '\0') {
      argv.emplace_back(input.substr(start, i - start));
      start = i + 1;
    }
  if (input.empty()) argv.clear();
  auto ctx = [&] { return "argv \"" + escaped(input) + "\""; };
  auto p = parse_command_line(argv, "0.0.0 (fuzz)\n");
  if (!p.run) {
    FUZZ_CHECK(p.exit_code == 0 || p.exit_code == 1, "exit code " + std::to_string(p.exit_code) + "; " + ctx());
    FUZZ_CHECK(p.exit_code == 0 || !p.err.empty(), "a silent failure; " + ctx());
    return;
  }
  FUZZ_CHECK(p.inv.command().id != command_id::group, "ran a group; " + ctx());
  run_context rc;
  rc.env.vars = {{"MULTICA_SERVER_URL", "http://srv.test"}, {"MULTICA_WORKSPACE_ID", "ws"}, {"MULTICA_DAEMON_PORT", "1"}};
  rc.cwd = "/w";
  rc.multipart_boundary = "B";
  command_run run(std::move(p.inv), std::move(rc));
  std::string err;
  int steps = 0;
  for (; !run.finished() && steps < 64; ++steps) {
    io_result r;
    if (run.next().type == action::kind::http) r.response = http_response{200, {}, "{}", "", ""};
    else r.data = "x";
    err += run.take_stderr();
    run.done(std::move(r));
  }
  err += run.take_stderr();
  FUZZ_CHECK(run.finished(), "no end after 64 actions; " + ctx());
  FUZZ_CHECK(run.exit_code() == 0 || run.exit_code() == 1, "exit code " + std::to_string(run.exit_code()) + "; " + ctx());
  if (run.exit_code() == 1)
    FUZZ_CHECK(err.find("Error: ") != std::string::npos || err.starts_with("No server configured"),
               "exit 1 with stderr \"" + escaped(err) + "\"; " + ctx());
}

void fuzz_tabwriter(std::string_view text) {
  std::string out = tabwrite(text);
  auto visible = [](std::string_view s) {
    std::string v;
    for (char c : s)
      if (c != ' ' && c != '\t' && c != '\v' && c != '\f' && c != '\n') v += c;
    return v;
  };
  auto newlines = [](std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (c == '\n' || c == '\f');
    return n;
  };
  FUZZ_CHECK(visible(out) == visible(text), "tabwriter lost or reordered text: \"" + escaped(out) + "\" from \"" + escaped(text) + "\"");
  FUZZ_CHECK(newlines(out) == newlines(text), "tabwriter changed the line count: \"" + escaped(out) + "\"");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (static_cast<unsigned>(static_cast<unsigned char>(data[0]) - '0') % 3) {
    case 0: fuzz_json(input); break;
    case 1: fuzz_command_line(input); break;
    default: fuzz_tabwriter(input); break;
  }
  return 0;
}
