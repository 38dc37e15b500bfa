#include "execenv/toml_layout.hpp"

#include <cctype>
#include <stdexcept>

namespace multicad::execenv {
namespace {

// A cursor over the document; every reader returns false on input it cannot
// place, which the caller turns into nullopt (the document was not valid TOML).
class scanner {
 public:
  explicit scanner(std::string_view text) : text_(text) {}

  std::optional<std::vector<toml_statement>> run() {
    std::vector<toml_statement> out;
    while (pos_ < text_.size()) {
      toml_statement st;
      st.begin = pos_;
      st.line = line_;
      if (!statement(st)) return std::nullopt;
      st.end = pos_;
      out.push_back(std::move(st));
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  bool starts(std::string_view s) const { return text_.substr(pos_).starts_with(s); }
  void advance(std::size_t n = 1) {
    for (std::size_t i = 0; i < n && pos_ < text_.size(); ++i)
      if (text_[pos_++] == '\n') ++line_;
  }
  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') advance();
  }
  // Spaces, newlines and comments, as allowed between array elements.
  void skip_array_gap() {
    for (;;) {
      skip_spaces();
      if (peek() == '#') { while (!at_end() && peek() != '\n') advance(); }
      else if (peek() == '\r' || peek() == '\n') advance();
      else return;
    }
  }
  // Optional spaces and comment, then the newline (or end of text).
  bool line_end() {
    skip_spaces();
    if (peek() == '#')
      while (!at_end() && peek() != '\n') advance();
    if (peek() == '\r') advance();
    if (at_end()) return true;
    if (peek() != '\n') return false;
    advance();
    return true;
  }

  bool statement(toml_statement& st) {
    skip_spaces();
    if (at_end() || peek() == '\n' || (peek() == '\r' && peek(1) == '\n')) {
      st.type = toml_statement::kind::blank;
      return line_end();
    }
    if (peek() == '#') {
      st.type = toml_statement::kind::comment;
      auto start = pos_;
      while (!at_end() && peek() != '\n') advance();
      auto c = text_.substr(start, pos_ - start);
      while (!c.empty() && (c.back() == '\r' || c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
      st.comment = c;
      return line_end();
    }
    if (peek() == '[') {
      bool array = peek(1) == '[';
      st.type = array ? toml_statement::kind::array_header : toml_statement::kind::table_header;
      advance(array ? 2 : 1);
      skip_spaces();
      if (!key(st.key, nullptr)) return false;
      skip_spaces();
      if (array ? !starts("]]") : peek() != ']') return false;
      advance(array ? 2 : 1);
      return line_end();
    }
    st.type = toml_statement::kind::key_value;
    return key_value(st.key, st.key_text, st.value_text, &st.inline_members) && line_end();
  }

  bool key_value(std::vector<std::string>& k, std::string_view& key_text, std::string_view& value_text,
                 std::vector<toml_member>* members) {
    if (!key(k, &key_text)) return false;
    skip_spaces();
    if (peek() != '=') return false;
    advance();
    skip_spaces();
    auto value_start = pos_;
    if (!value(members)) return false;
    value_text = text_.substr(value_start, pos_ - value_start);
    return true;
  }

  // A dotted key: parts separated by '.', spaces allowed around the dots.
  bool key(std::vector<std::string>& parts, std::string_view* written) {
    auto start = pos_, last = pos_;
    for (;;) {
      std::string part;
      if (peek() == '"') { if (!basic_string(&part)) return false; }
      else if (peek() == '\'') { if (!literal_string(&part)) return false; }
      else {
        while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '-') part += text_[pos_++];
        if (part.empty()) return false;
      }
      parts.push_back(std::move(part));
      last = pos_;
      skip_spaces();
      if (peek() != '.') break;
      advance();
      skip_spaces();
    }
    pos_ = last;  // trailing spaces belong to what follows
    if (written) *written = text_.substr(start, last - start);
    return true;
  }

  bool value(std::vector<toml_member>* members) {
    if (starts("\"\"\"")) return multiline('"');
    if (starts("'''")) return multiline('\'');
    if (peek() == '"') return basic_string(nullptr);
    if (peek() == '\'') return literal_string(nullptr);
    if (peek() == '[') return array();
    if (peek() == '{') return inline_table(members);
    return bare_scalar();
  }

  // Numbers, booleans, dates and times. A date and a time may be separated
  // by one space ("1979-05-27 07:32:00Z").
  bool bare_scalar() {
    auto start = pos_;
    auto stop = [this] {
      char c = peek();
      return at_end() || c == ' ' || c == '\t' || c == ',' || c == ']' || c == '}' || c == '#' || c == '\r' || c == '\n';
    };
    while (!stop()) advance();
    auto token = text_.substr(start, pos_ - start);
    bool date = token.size() == 10 && token[4] == '-' && token[7] == '-';
    if (date && peek() == ' ' && std::isdigit(static_cast<unsigned char>(peek(1))) &&
        std::isdigit(static_cast<unsigned char>(peek(2))) && peek(3) == ':') {
      advance();
      while (!stop()) advance();
    }
    return pos_ > start;
  }

  bool basic_string(std::string* decoded) {
    advance();  // opening quote
    while (!at_end() && peek() != '"') {
      if (peek() == '\n') return false;
      if (peek() == '\\') {
        advance();
        if (decoded) decode_escape(*decoded);
        else advance();
        continue;
      }
      if (decoded) *decoded += peek();
      advance();
    }
    if (at_end()) return false;
    advance();
    return true;
  }

  void decode_escape(std::string& out) {
    char c = peek();
    advance();
    switch (c) {
      case 'b': out += '\b'; return;
      case 't': out += '\t'; return;
      case 'n': out += '\n'; return;
      case 'f': out += '\f'; return;
      case 'r': out += '\r'; return;
      case 'u': case 'U': {
        std::size_t n = c == 'u' ? 4 : 8;
        unsigned long cp = std::stoul(std::string(text_.substr(pos_, n)), nullptr, 16);
        advance(n);
        append_utf8(out, cp);
        return;
      }
      default: out += c;
    }
  }

  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) { out += static_cast<char>(cp); return; }
    if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); }
    else if (cp < 0x10000) { out += static_cast<char>(0xE0 | (cp >> 12)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); }
    else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }

  bool literal_string(std::string* decoded) {
    advance();
    auto start = pos_;
    while (!at_end() && peek() != '\'' && peek() != '\n') advance();
    if (peek() != '\'') return false;
    if (decoded) *decoded = std::string(text_.substr(start, pos_ - start));
    advance();
    return true;
  }

  // """...""" or '''...''': the closing run may carry up to two extra quotes
  // that belong to the content.
  bool multiline(char q) {
    advance(3);
    while (!at_end()) {
      if (q == '"' && peek() == '\\') { advance(2); continue; }
      if (peek() == q) {
        std::size_t run = 0;
        while (peek(run) == q) ++run;
        if (run >= 3) { advance(run > 5 ? 5 : run); return true; }
        advance(run);
        continue;
      }
      advance();
    }
    return false;
  }

  bool array() {
    advance();
    for (;;) {
      skip_array_gap();
      if (peek() == ']') { advance(); return true; }
      if (!value(nullptr)) return false;
      skip_array_gap();
      if (peek() == ',') { advance(); continue; }
      if (peek() == ']') { advance(); return true; }
      return false;
    }
  }

  bool inline_table(std::vector<toml_member>* members) {
    advance();
    skip_array_gap();
    if (peek() == '}') { advance(); return true; }
    for (;;) {
      skip_array_gap();
      toml_member m;
      if (!key_value(m.key, m.key_text, m.value_text, nullptr)) return false;
      if (members) members->push_back(std::move(m));
      skip_array_gap();
      if (peek() == ',') { advance(); continue; }
      if (peek() == '}') { advance(); return true; }
      return false;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

std::optional<std::vector<toml_statement>> scan_toml(std::string_view text) {
  try {
    return scanner(text).run();
  } catch (const std::exception&) {  // a malformed \u escape reaching std::stoul
    return std::nullopt;
  }
}

}  // namespace multicad::execenv
