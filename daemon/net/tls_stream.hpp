// What the HTTP connection (connection.cpp) and the daemon WebSocket
// (ws_link.cpp) share of TLS: the context behind tls_context, SNI and
// host-name verification before a handshake, and a handshake failure in
// words. Includes Asio's SSL and Beast's ssl_stream: include it from those
// two .cpp files only. Internal to daemon/net. Thread rule: the caller's.
#pragma once

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "daemon/net/connection.hpp"
#include "daemon/net/origin.hpp"

namespace multicad::net {

struct tls_context::impl {
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tls_client};
};

namespace tls_detail {
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using boost::system::error_code;

// The handshake failure in words; for a verification failure, OpenSSL's
// reason ("self-signed certificate", "IP address mismatch").
inline std::string handshake_error(const error_code& ec, SSL* ssl) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
  return ec.message();
}

// SNI (for names only, RFC 6066 §3) and host-name verification of the leaf
// certificate; peer verification itself is on in the context. A mismatch is
// recorded as the verification error, so the failure says what it was.
inline void prepare_handshake(beast::ssl_stream<beast::tcp_stream>& stream, const std::string& host) {
  const bool ip = is_ip_literal(host);
  if (!ip) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_callback([check = ssl::host_name_verification(host), ip](bool preverified, ssl::verify_context& ctx) {
    bool ok = check(preverified, ctx);
    if (preverified && !ok)
      X509_STORE_CTX_set_error(ctx.native_handle(), ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
    return ok;
  });
}

}  // namespace tls_detail
}  // namespace multicad::net
