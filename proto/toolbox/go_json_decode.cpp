// DESIGN: two passes, as encoding/json does. The scanner below is a byte-at-
// a-time port of Go's scanner state machine, so a syntax error names the same
// byte and context Go names ("invalid character '}' after object key"); it
// also finds where the first value ends (Decoder) or checks the whole input
// (Unmarshal). The builder then walks the validated bytes with an explicit
// stack (no recursion: nesting may be 10000 deep) and applies the Go types:
// float64 numbers, U+FFFD for invalid text, last repeated key wins, and the
// first type error in document order.
#include <cmath>
#include <cstdlib>
#include <vector>

#include "proto/toolbox/go_json.hpp"
#include "proto/toolbox/go_text.hpp"
#include "proto/toolbox/utf8.hpp"

namespace multicad::proto::toolbox {

using nlohmann::json;

namespace {

constexpr std::size_t max_depth = 10000;  // encoding/json's maxNestingDepth

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

enum class op { cont, begin_literal, begin_compound, end_compound, end, error };
enum class frame { object_key, object_value, array_value };

// Go's scanner (encoding/json/scanner.go), states as an enum.
class scanner {
 public:
  op step(unsigned char c) {
    switch (state_) {
      case st::begin_value_or_empty:
        if (is_space(c)) return op::cont;
        if (c == ']') return end_value(c);
        return begin_value(c);
      case st::begin_value: return begin_value(c);
      case st::begin_string_or_empty:
        if (is_space(c)) return op::cont;
        if (c == '}') { stack_.back() = frame::object_value; return end_value(c); }
        return begin_string(c);
      case st::begin_string: return begin_string(c);
      case st::end_value: return end_value(c);
      case st::end_top: return end_top(c);
      case st::in_string:
        if (c == '"') { state_ = st::end_value; return op::cont; }
        if (c == '\\') { state_ = st::in_string_esc; return op::cont; }
        if (c < 0x20) return fail(c, "in string literal");
        return op::cont;
      case st::in_string_esc:
        if (c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't' || c == '\\' || c == '/' || c == '"') {
          state_ = st::in_string;
          return op::cont;
        }
        if (c == 'u') { state_ = st::in_string_esc_u; hex_left_ = 4; return op::cont; }
        return fail(c, "in string escape code");
      case st::in_string_esc_u:
        if (!is_hex(c)) return fail(c, "in \\u hexadecimal character escape");
        if (--hex_left_ == 0) state_ = st::in_string;
        return op::cont;
      case st::neg:
        if (c == '0') { state_ = st::zero; return op::cont; }
        if (c >= '1' && c <= '9') { state_ = st::one; return op::cont; }
        return fail(c, "in numeric literal");
      case st::one:
        if (is_digit(c)) return op::cont;
        [[fallthrough]];
      case st::zero:
        if (c == '.') { state_ = st::dot; return op::cont; }
        if (c == 'e' || c == 'E') { state_ = st::exp; return op::cont; }
        return end_value(c);
      case st::dot:
        if (is_digit(c)) { state_ = st::dot0; return op::cont; }
        return fail(c, "after decimal point in numeric literal");
      case st::dot0:
        if (is_digit(c)) return op::cont;
        if (c == 'e' || c == 'E') { state_ = st::exp; return op::cont; }
        return end_value(c);
      case st::exp:
        if (c == '+' || c == '-') { state_ = st::exp_sign; return op::cont; }
        [[fallthrough]];
      case st::exp_sign:
        if (is_digit(c)) { state_ = st::exp0; return op::cont; }
        return fail(c, "in exponent of numeric literal");
      case st::exp0:
        if (is_digit(c)) return op::cont;
        return end_value(c);
      case st::literal: {
        if (c != literal_[literal_pos_]) {
          return fail(c, std::string("in literal ") + literal_ + " (expecting " + go_quote_char(literal_[literal_pos_]) + ")");
        }
        if (literal_[++literal_pos_] == '\0') state_ = st::end_value;
        return op::cont;
      }
      case st::error: return op::error;
    }
    return op::error;
  }

  // encoding/json's scanner.eof() for Unmarshal.
  bool eof() {
    if (!error_.empty()) return false;
    if (end_top_) return true;
    step(' ');
    if (end_top_) return true;
    if (error_.empty()) error_ = "unexpected end of JSON input";
    return false;
  }

  bool end_top() const { return end_top_; }
  const std::string& error() const { return error_; }

 private:
  enum class st {
    begin_value_or_empty, begin_value, begin_string_or_empty, begin_string, end_value, end_top, in_string,
    in_string_esc, in_string_esc_u, neg, zero, one, dot, dot0, exp, exp_sign, exp0, literal, error,
  };

  op fail(unsigned char c, const std::string& context) {
    state_ = st::error;
    error_ = "invalid character " + go_quote_char(c) + " " + context;
    return op::error;
  }

  op push(unsigned char c, frame f, st next) {
    stack_.push_back(f);
    if (stack_.size() > max_depth) return fail(c, "exceeded max depth");
    state_ = next;
    return op::begin_compound;
  }

  op begin_value(unsigned char c) {
    if (is_space(c)) return op::cont;
    switch (c) {
      case '{': return push(c, frame::object_key, st::begin_string_or_empty);
      case '[': return push(c, frame::array_value, st::begin_value_or_empty);
      case '"': state_ = st::in_string; return op::begin_literal;
      case '-': state_ = st::neg; return op::begin_literal;
      case '0': state_ = st::zero; return op::begin_literal;
      case 't': return start_literal("true");
      case 'f': return start_literal("false");
      case 'n': return start_literal("null");
      default:
        if (c >= '1' && c <= '9') { state_ = st::one; return op::begin_literal; }
        return fail(c, "looking for beginning of value");
    }
  }

  op start_literal(const char* word) {
    literal_ = word;
    literal_pos_ = 1;
    state_ = st::literal;
    return op::begin_literal;
  }

  op begin_string(unsigned char c) {
    if (is_space(c)) return op::cont;
    if (c == '"') { state_ = st::in_string; return op::begin_literal; }
    return fail(c, "looking for beginning of object key string");
  }

  op end_value(unsigned char c) {
    if (stack_.empty()) {
      state_ = st::end_top;
      end_top_ = true;
      return end_top(c);
    }
    if (is_space(c)) { state_ = st::end_value; return op::cont; }
    switch (stack_.back()) {
      case frame::object_key:
        if (c == ':') { stack_.back() = frame::object_value; state_ = st::begin_value; return op::cont; }
        return fail(c, "after object key");
      case frame::object_value:
        if (c == ',') { stack_.back() = frame::object_key; state_ = st::begin_string; return op::cont; }
        if (c == '}') return pop();
        return fail(c, "after object key:value pair");
      case frame::array_value:
        if (c == ',') { state_ = st::begin_value; return op::cont; }
        if (c == ']') return pop();
        return fail(c, "after array element");
    }
    return op::error;
  }

  op pop() {
    stack_.pop_back();
    if (stack_.empty()) { state_ = st::end_top; end_top_ = true; } else { state_ = st::end_value; }
    return op::end_compound;
  }

  op end_top(unsigned char c) {
    // The error is recorded for the next step, as Go does; this byte still ends the value.
    if (!is_space(c)) fail(c, "after top-level value");
    return op::end;
  }

  st state_ = st::begin_value;
  std::vector<frame> stack_;
  std::string error_;
  bool end_top_ = false;
  int hex_left_ = 0;
  const char* literal_ = "";
  std::size_t literal_pos_ = 0;
};

// encoding/json's unquote: escapes, surrogate pairs, U+FFFD for the rest.
std::string unquote(std::string_view s) {  // s without its quotes
  std::string out;
  out.reserve(s.size());
  auto u4 = [&](std::size_t at) -> long {
    if (at + 6 > s.size() || s[at] != '\\' || s[at + 1] != 'u') return -1;
    return std::strtol(std::string(s.substr(at + 2, 4)).c_str(), nullptr, 16);
  };
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c == '\\') {
      char e = s[i + 1];
      if (e != 'u') {
        out += e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        i += 2;
        continue;
      }
      char32_t r = static_cast<char32_t>(u4(i));
      i += 6;
      if (r >= 0xd800 && r < 0xe000) {
        long r2 = u4(i);
        if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
          r = 0x10000 + ((r - 0xd800) << 10) + (static_cast<char32_t>(r2) - 0xdc00);
          i += 6;
        } else {
          r = 0xfffd;
        }
      }
      append_rune(out, r);
      continue;
    }
    auto d = decode_rune(s, i);
    if (d.invalid) append_rune(out, 0xfffd); else out.append(s.substr(i, d.width));
    i += d.width;
  }
  return out;
}

const char* kind_of(char c) {
  switch (c) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't': case 'f': return "bool";
    default: return "number";
  }
}

// Walks validated JSON text and builds the value with Go's types.
class builder {
 public:
  builder(std::string_view text, go_shape shape) : text_(text), shape_(shape) {}

  go_decoded run() {
    json root;
    struct level { json* container; std::string key; bool have_key = false; };
    std::vector<level> stack;
    std::size_t i = 0;
    while (true) {
      while (is_space(text_[i]) || text_[i] == ',' || text_[i] == ':') ++i;
      char c = text_[i];
      if (c == '}' || c == ']') {
        ++i;
        stack.pop_back();
        if (stack.empty()) break;
        continue;
      }
      if (!stack.empty() && stack.back().container->is_object() && !stack.back().have_key) {
        stack.back().key = read_string(i);
        stack.back().have_key = true;
        continue;
      }
      std::size_t depth = stack.size();
      if (!type_fits(c, depth)) {
        record("json: cannot unmarshal " + std::string(kind_of(c)) + " into Go value of type " + type_name(depth));
        skip_value(i);
        if (depth == 0) break;
        place(stack.back(), json());
        continue;
      }
      bool compound = c == '{' || c == '[';
      json v = c == '{' ? json::object() : c == '[' ? json::array() : scalar(i);
      if (compound) ++i;
      json* slot = depth == 0 ? &(root = std::move(v)) : place(stack.back(), std::move(v));
      if (compound) stack.push_back({slot, "", false});
      else if (depth == 0) break;
    }
    if (!error_.empty()) return {json(), error_};
    return {std::move(root), ""};
  }

 private:
  template <class Level>
  static json* place(Level& at, json v) {
    if (at.container->is_array()) {
      at.container->push_back(std::move(v));
      return &at.container->back();
    }
    json* slot = &(*at.container)[at.key];
    *slot = std::move(v);
    at.have_key = false;
    return slot;
  }

  bool type_fits(char c, std::size_t depth) const {
    if (c == 'n') return true;  // null fits every Go type here
    if (shape_ == go_shape::object && depth == 0) return c == '{';
    if (shape_ == go_shape::object_array && depth == 0) return c == '[';
    if (shape_ == go_shape::object_array && depth == 1) return c == '{';
    return true;
  }

  std::string type_name(std::size_t depth) const {
    if (shape_ == go_shape::object_array && depth == 0) return "[]map[string]interface {}";
    return "map[string]interface {}";
  }

  void record(std::string e) { if (error_.empty()) error_ = std::move(e); }

  std::string read_string(std::size_t& i) {
    std::size_t start = ++i;
    while (text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
    return unquote(text_.substr(start, i++ - start));
  }

  json scalar(std::size_t& i) {
    char c = text_[i];
    if (c == '"') return read_string(i);
    if (c == 't') { i += 4; return true; }
    if (c == 'f') { i += 5; return false; }
    if (c == 'n') { i += 4; return nullptr; }
    std::size_t start = i;
    while (i < text_.size() && (is_digit(text_[i]) || text_[i] == '-' || text_[i] == '+' || text_[i] == '.' ||
                                text_[i] == 'e' || text_[i] == 'E'))
      ++i;
    std::string number(text_.substr(start, i - start));
    double d = std::strtod(number.c_str(), nullptr);  // glibc rounds correctly; underflow gives 0 as Go does
    if (std::isinf(d)) {
      record("json: cannot unmarshal number " + number + " into Go value of type float64");
      return nullptr;
    }
    return d;
  }

  // Skips one validated value starting at text_[i].
  void skip_value(std::size_t& i) {
    std::size_t depth = 0;
    do {
      while (is_space(text_[i]) || text_[i] == ',' || text_[i] == ':') ++i;
      char c = text_[i];
      if (c == '{' || c == '[') { ++depth; ++i; }
      else if (c == '}' || c == ']') { --depth; ++i; }
      else if (c == '"') read_string(i);
      else { std::size_t j = i; (void)scalar(j); i = j; }  // skipped: only its length matters
    } while (depth > 0);
  }

  std::string_view text_;
  go_shape shape_;
  std::string error_;
};

}  // namespace

go_decoded go_decode(std::string_view body, go_shape shape) {
  scanner s;
  std::size_t end = 0;
  bool complete = false;
  for (; end < body.size(); ++end) {
    op o = s.step(static_cast<unsigned char>(body[end]));
    if (o == op::error) return {json(), s.error()};
    if (o == op::end) { complete = true; break; }
    if (o == op::end_compound && s.end_top()) { ++end; complete = true; break; }
  }
  if (!complete) {
    // Decoder at EOF: one more (space) byte may end a number or literal.
    if (s.step(' ') != op::end) {
      bool blank = true;
      for (char c : body) blank = blank && is_space(static_cast<unsigned char>(c));
      return {json(), blank ? "EOF" : "unexpected EOF"};
    }
  }
  return builder(body.substr(0, end), shape).run();
}

go_decoded go_unmarshal(std::string_view body, go_shape shape) {
  scanner s;
  for (char c : body) {
    if (s.step(static_cast<unsigned char>(c)) == op::error) return {json(), s.error()};
  }
  if (!s.eof()) return {json(), s.error()};
  return builder(body, shape).run();
}

}  // namespace multicad::proto::toolbox
