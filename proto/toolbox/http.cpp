#include "proto/toolbox/http.hpp"

#include "proto/toolbox/go_text.hpp"

namespace multicad::proto::toolbox {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string parse_error(const std::string& url, const std::string& what) { return "parse " + go_quote(url) + ": " + what; }

std::string lower_ascii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string host_of(const std::string& url) {
  auto c = check_url("GET", url);
  return c.parts ? lower_ascii(c.parts->host) : "";
}

// Resolves a Location header against the URL it answered.
std::string resolve_location(const std::string& base, const std::string& loc) {
  auto scheme_end = base.find("://");
  if (loc.find("://") != std::string::npos) return loc;
  if (loc.starts_with("//")) return base.substr(0, scheme_end + 1) + loc;
  auto authority_end = base.find('/', scheme_end + 3);
  std::string origin = base.substr(0, authority_end);
  if (loc.starts_with("/")) return origin + loc;
  std::string path = authority_end == std::string::npos ? "/" : base.substr(authority_end);
  path = path.substr(0, path.find_first_of("?#"));
  return origin + path.substr(0, path.rfind('/') + 1) + loc;
}

}  // namespace

std::string http_response::header_value(std::string_view name) const {
  std::string want = lower_ascii(std::string(name));
  for (const auto& h : headers)
    if (lower_ascii(h.name) == want) return h.value;
  return "";
}

url_check check_url(const std::string& method, const std::string& url) {
  for (unsigned char c : url)
    if (c < 0x20 || c == 0x7f) return {std::nullopt, parse_error(url, "net/url: invalid control character in URL")};
  // url.getScheme
  std::string scheme, rest = url;
  for (std::size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (is_letter(c)) continue;
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return {std::nullopt, parse_error(url, "missing protocol scheme")};
      scheme = lower_ascii(url.substr(0, i));
      rest = url.substr(i + 1);
    }
    break;
  }
  if (scheme.empty() && rest.substr(0, rest.find('/')).find(':') != std::string::npos)
    return {std::nullopt, parse_error(url, "first path segment in URL cannot contain colon")};
  rest = rest.substr(0, rest.find('#'));
  std::string authority, target = rest;
  if (rest.starts_with("//")) {
    auto end = rest.find_first_of("/?", 2);
    authority = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    target = end == std::string::npos ? "" : rest.substr(end);
  }
  std::string host_port = authority.substr(authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1);
  url_parts p;
  std::string port;
  if (host_port.starts_with("[")) {
    auto close = host_port.find(']');
    if (close == std::string::npos) return {std::nullopt, parse_error(url, "missing ']' in host")};
    p.host = host_port.substr(1, close - 1);
    port = host_port.substr(close + 1);
  } else {
    auto colon = host_port.find(':');
    p.host = host_port.substr(0, colon);
    port = colon == std::string::npos ? "" : host_port.substr(colon);
  }
  if (!port.empty()) {
    bool digits = port.size() > 1 && port[0] == ':';
    for (std::size_t i = 1; i < port.size(); ++i) digits = digits && port[i] >= '0' && port[i] <= '9';
    if (!digits && port != ":") return {std::nullopt, parse_error(url, "invalid port " + go_quote(port) + " after host")};
  }
  std::string op_url = method.substr(0, 1) + lower_ascii(method.substr(1));
  if (scheme != "http" && scheme != "https")
    return {std::nullopt, op_url + " " + go_quote(url) + ": unsupported protocol scheme " + go_quote(scheme)};
  if (p.host.empty()) return {std::nullopt, op_url + " " + go_quote(url) + ": http: no Host in request URL"};
  p.tls = scheme == "https";
  p.port = port.size() > 1 ? port.substr(1) : (p.tls ? "443" : "80");
  p.host_header = host_port;
  if (p.host_header.ends_with(":")) p.host_header.pop_back();
  p.target = target.empty() || target[0] != '/' ? "/" + target : target;
  return {p, ""};
}

std::string url_error(const std::string& method, const std::string& url, const std::string& inner) {
  return method.substr(0, 1) + lower_ascii(method.substr(1)) + " " + go_quote(url) + ": " + inner;
}

std::string status_error(const std::string& method, const std::string& path, const http_response& r) {
  return method + " " + path + " returned " + std::to_string(r.status) + ": " + trim_space(r.body.substr(0, 4096));
}

std::string plain_status_error(const std::string& what, const http_response& r) {
  return what + " returned " + std::to_string(r.status) + ": " + trim_space(r.body.substr(0, 4096));
}

std::optional<http_request> follow_redirect(const http_request& req, const http_response& r, int sent,
                                            std::string& error, std::string& error_url) {
  const int s = r.status;
  if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) return std::nullopt;
  std::string location = r.header_value("Location");
  if (location.empty()) return std::nullopt;
  if (sent >= 10) {  // defaultCheckRedirect: len(via) >= 10
    error = "stopped after 10 redirects";
    error_url = location;
    return std::nullopt;
  }
  http_request next = req;
  next.url = resolve_location(req.url, location);
  if (s != 307 && s != 308) {
    if (req.method != "GET" && req.method != "HEAD") next.method = "GET";
    next.body.clear();
    std::erase_if(next.headers, [](const header& h) { return lower_ascii(h.name) == "content-type"; });
  }
  std::string from = host_of(req.url), to = host_of(next.url);
  if (to != from && !to.ends_with("." + from))  // http.Client keeps credentials for the same host or a subdomain only
    std::erase_if(next.headers, [](const header& h) { return lower_ascii(h.name) == "authorization"; });
  return next;
}

multipart multipart_upload(const std::string& boundary, const std::string& path, const std::string& data,
                           const std::string& issue_id) {
  auto escape_quotes = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    return out;
  };
  multipart m;
  m.content_type = "multipart/form-data; boundary=" + boundary;
  m.body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
           escape_quotes(path_base(path)) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data;
  if (!issue_id.empty())
    m.body += "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"issue_id\"\r\n\r\n" + issue_id;
  m.body += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace multicad::proto::toolbox
