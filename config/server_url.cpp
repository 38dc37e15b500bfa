#include "config/server_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace multicad::config {

std::variant<std::string, url_error> normalize_server_url(std::string_view configured) {
  auto parsed = boost::urls::parse_uri(configured);
  if (!parsed) {
    return url_error{"not an absolute URL (" + parsed.error().message() +
                     "); expected e.g. https://multica.example.com or ws://localhost:8080/ws"};
  }
  boost::urls::url url = *parsed;
  std::string scheme = url.scheme();
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "ws") scheme = "http";
  else if (scheme == "wss") scheme = "https";
  else if (scheme != "http" && scheme != "https")
    return url_error{"unsupported scheme \"" + std::string(url.scheme()) + "\"; use http, https, ws or wss"};
  if (!url.has_authority() || url.host().empty()) return url_error{"the URL has no host"};
  if (url.has_userinfo()) return url_error{"credentials in the URL are not supported; use token or token_file"};

  std::string path(url.encoded_path());
  if (path == "/ws") path.clear();
  while (!path.empty() && path.back() == '/') path.pop_back();
  return scheme + "://" + std::string(url.encoded_authority()) + path;
}

}  // namespace multicad::config
