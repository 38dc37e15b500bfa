// Throwaway X.509 material for TLS tests, made with the OpenSSL C API at test
// time (no files in the repository, nothing that expires in CI): a CA, and a
// server certificate it signs for the given subject alternative names.
#pragma once

#include <string>
#include <vector>

namespace multicad::test {

struct test_pki {
  std::string ca_pem;    // the CA certificate, for client_options::ca_file
  std::string cert_pem;  // the server certificate
  std::string key_pem;   // the server's private key
};

// `san` entries in OpenSSL's config syntax: "IP:127.0.0.1", "DNS:localhost".
// Throws std::runtime_error if OpenSSL fails (a broken test environment).
test_pki make_test_pki(const std::vector<std::string>& san = {"IP:127.0.0.1", "DNS:localhost"});

}  // namespace multicad::test
