// HTTPS against a test server whose certificate is made at test time: a
// trusted CA works (by IP and by name), while an untrusted certificate and a
// host-name mismatch are refused.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"
#include "test/support/temp_dir.hpp"
#include "test_certs.hpp"

using namespace multicad;
using namespace multicad::test;
using Catch::Contains;

namespace {

struct tls_fixture {
  explicit tls_fixture(const std::vector<std::string>& san = {"IP:127.0.0.1", "DNS:localhost"})
      : pki(make_test_pki(san)), server(ioc, test_server::tls_identity{pki.cert_pem, pki.key_pem}) {
    write_file(dir / "ca.pem", pki.ca_pem);
  }

  net::server_client client(const std::string& base_url, bool trust_ca) {
    net::client_options o;
    o.request_timeout = std::chrono::seconds(2);
    o.retries = net::retry_policy::none();
    if (trust_ca) o.ca_file = (dir / "ca.pem").string();
    return net::server_client(ioc.get_executor(), base_url, test_token, o);
  }

  temp_dir dir;
  test_pki pki;
  boost::asio::io_context ioc;
  test_server server;
};

}  // namespace

TEST_CASE("https with a trusted CA works and keeps the connection alive", "[net][tls]") {
  tls_fixture f;
  auto c = f.client(f.server.base_url(), true);
  for (int i = 0; i < 3; ++i) REQUIRE(run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(f.server.connections() == 1);
  CHECK(f.server.requests().at(0).header("authorization") == "Bearer " + test_token);
}

TEST_CASE("https by host name is verified against the DNS name", "[net][tls]") {
  tls_fixture f;
  auto c = f.client("https://localhost:" + std::to_string(f.server.port()), true);
  REQUIRE(run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"})).has_value());
  CHECK(f.server.requests().at(0).header("host") == "localhost:" + std::to_string(f.server.port()));
}

TEST_CASE("an untrusted certificate is refused", "[net][tls]") {
  tls_fixture f;
  auto c = f.client(f.server.base_url(), false);
  auto beat = run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK_THAT(beat.error().message, Contains("TLS handshake with 127.0.0.1:"));
  CHECK_THAT(beat.error().message, Contains("certificate verification failed"));
  CHECK(f.server.requests().empty());
}

TEST_CASE("a certificate for another IP address is refused", "[net][tls]") {
  tls_fixture f({"DNS:other.example"});
  auto c = f.client(f.server.base_url(), true);
  auto beat = run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK_THAT(beat.error().message, Contains("certificate verification failed: IP address mismatch"));
  CHECK(f.server.requests().empty());
}

TEST_CASE("a certificate for another host name is refused", "[net][tls]") {
  tls_fixture f({"IP:127.0.0.1"});
  auto c = f.client("https://localhost:" + std::to_string(f.server.port()), true);
  auto beat = run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}));
  REQUIRE_FALSE(beat.has_value());
  CHECK(beat.error().kind == net::failure_kind::transport);
  CHECK_THAT(beat.error().message, Contains("certificate verification failed: hostname mismatch"));
}

TEST_CASE("an unreadable CA file fails every https call with the reason", "[net][tls]") {
  tls_fixture f;
  net::client_options o;
  o.ca_file = (f.dir / "missing.pem").string();
  net::server_client c(f.ioc.get_executor(), f.server.base_url(), test_token, o);
  auto beat = run(f.ioc, c.heartbeat({"5e6f7a8b-0000-4000-8000-000000000002"}, net::retry_policy::none()));
  REQUIRE_FALSE(beat.has_value());
  CHECK_THAT(beat.error().message, Contains("cannot load CA file"));
  CHECK(f.server.connections() == 0);
}
