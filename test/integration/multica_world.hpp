// The fixtures of multica_cli_test.cpp: a fake Multica server with a
// workspace and its owner's token, the multicad binary behind a link named
// multica, and a one-shot loopback listener standing in for the daemon's
// /repo/checkout. Every wait is bounded.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "test/support/child_process.hpp"
#include "test/support/fake_server.hpp"
#include "test/support/temp_dir.hpp"

namespace multicad::test::multica {

using nlohmann::json;
namespace fs = std::filesystem;

inline const std::string owner_token = "mul_00000000000000000000000000000000000000aa";

struct world {
  fake_server server;
  temp_dir dir;
  fs::path multica;
  std::string ws, owner_id;
  std::map<std::string, std::string> env;

  world() {
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "home");
    fs::create_directories(dir / "work");
    multica = dir / "bin" / "multica";
    fs::create_symlink(MULTICAD_BINARY, multica);
    ws = server.control("POST", "/_fake/workspaces", {{"name", "Multica"}, {"slug", "multica"}}).at("id");
    owner_id = server.control("POST", "/_fake/tokens", {{"token", owner_token}, {"workspace_ids", {ws}},
                                                         {"user", {{"name", "Olivia Owner"}, {"email", "olivia@example.test"}}}})
                   .at("user_id");
    env = {{"MULTICA_SERVER_URL", server.url()}, {"MULTICA_TOKEN", owner_token}, {"MULTICA_WORKSPACE_ID", ws}};
  }

  json issue(const json& fields = json::object()) {
    json body = fields;
    body["workspace_id"] = ws;
    if (!body.contains("title")) body["title"] = "Fix the <login> & signup";
    return server.control("POST", "/_fake/issues", body);
  }

  json agent(const std::string& name) { return server.control("POST", "/_fake/agents", {{"workspace_id", ws}, {"name", name}}); }

  command_result run(std::vector<std::string> args, const std::string& input = "",
                     const std::map<std::string, std::string>& more = {}) {
    args.insert(args.begin(), multica.string());
    std::map<std::string, std::string> e{{"HOME", (dir / "home").string()}, {"PATH", "/usr/bin:/bin"}};
    for (const auto& [k, v] : env) e[k] = v;
    for (const auto& [k, v] : more) e[k] = v;
    std::vector<std::string> unset;
    for (char** p = environ; *p; ++p) {
      std::string kv(*p);
      if (kv.starts_with("MULTICA_") && !e.count(kv.substr(0, kv.find('=')))) unset.push_back(kv.substr(0, kv.find('=')));
    }
    child_process p({args, e, unset, dir / "work"});
    if (!input.empty()) p.write(input);
    p.close_stdin();
    command_result r;
    auto st = p.wait(std::chrono::seconds(60));
    r.status = st ? *st : -1;
    r.out = p.rest_of_stdout();
    r.err = p.stderr_text();
    return r;
  }

  // The user-API calls recorded after `from` (an earlier calls().size()).
  json calls_after(std::size_t from) {
    json all = server.calls(), out = json::array();
    for (std::size_t i = from; i < all.size(); ++i) out.push_back(all[i]);
    return out;
  }
};

// A loopback listener that answers one request with a fixed reply and keeps
// what it received; stands in for the daemon's /repo/checkout.
class one_shot_server {
 public:
  one_shot_server(int status, std::string body) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this, status, body] { serve(status, body); });
  }
  ~one_shot_server() {
    thread_.join();  // serve() gives up after its own bound
    ::close(fd_);
  }
  int port() const { return port_; }
  // Requires: the client finished (its exit is the event that the request was served).
  const std::string& request() const { return request_; }

 private:
  void serve(int status, const std::string& body) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return;
    int c = ::accept(fd_, nullptr, nullptr);
    std::string raw;
    char buf[4096];
    while (true) {
      auto head = raw.find("\r\n\r\n");
      if (head != std::string::npos) {
        auto cl = raw.find("Content-Length: ");
        std::size_t want = cl == std::string::npos ? 0 : std::stoul(raw.substr(cl + 16));
        if (raw.size() >= head + 4 + want) break;
      }
      pollfd q{c, POLLIN, 0};
      if (::poll(&q, 1, 30000) <= 0) break;
      auto n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
    }
    request_ = raw;
    std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/plain\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  }

  int fd_ = -1, port_ = 0;
  std::string request_;
  std::thread thread_;
};

}  // namespace multicad::test::multica
