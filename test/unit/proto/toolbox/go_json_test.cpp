// proto/toolbox/go_json.hpp: what Go's encoding/json and fmt print, byte for
// byte (agent-toolbox.md §2.4). Expected texts are Go's own outputs.
#include <catch2/catch.hpp>

#include <cmath>

#include "proto/toolbox/go_json.hpp"

using namespace multicad::proto::toolbox;
using nlohmann::json;

namespace {

std::string reencode(const std::string& body, go_shape shape = go_shape::any) {
  auto d = go_decode(body, shape);
  REQUIRE(d.error == "");
  return go_encode_indent(d.value);
}

std::string decode_error(const std::string& body, go_shape shape = go_shape::any) { return go_decode(body, shape).error; }

}  // namespace

TEST_CASE("go_json re-sorts keys at every level and indents with two spaces", "[toolbox][go_json]") {
  CHECK(reencode(R"({"b":1,"a":{"z":[3,{"y":1,"x":2}],"c":null}})") ==
        "{\n  \"a\": {\n    \"c\": null,\n    \"z\": [\n      3,\n      {\n        \"x\": 2,\n        \"y\": 1\n      }\n"
        "    ]\n  },\n  \"b\": 1\n}\n");
  CHECK(reencode("{}") == "{}\n");
  CHECK(reencode(R"({"a":[],"b":{}})") == "{\n  \"a\": [],\n  \"b\": {}\n}\n");
  CHECK(reencode("null") == "null\n");
  CHECK(go_marshal(json{{"b", true}, {"a", "x"}}) == R"({"a":"x","b":true})");
}

TEST_CASE("go_json sorts keys bytewise so upper case comes before lower case and UTF-8 last", "[toolbox][go_json]") {
  CHECK(go_marshal(go_decode(R"({"é":1,"b":2,"B":3,"_":4})", go_shape::any).value) == R"({"B":3,"_":4,"b":2,"é":1})");
}

TEST_CASE("go_json escapes HTML characters line separators and controls as Go does", "[toolbox][go_json]") {
  CHECK(go_marshal("<a href=\"x\">&</a>") == R"("\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e")");
  CHECK(go_marshal("tab\there\nnew\rret\bbs\fff\x01\x1f\x7f") == R"("tab\there\nnew\rret\bbs\fff\u0001\u001f)" "\x7f\"");
  CHECK(go_marshal("line\xe2\x80\xa8sep\xe2\x80\xa9") == R"("line\u2028sep\u2029")");
  CHECK(go_marshal("back\\slash") == R"("back\\slash")");
  CHECK(go_marshal("bad\xff byte") == R"("bad\ufffd byte")");
  CHECK(go_marshal("caf\xc3\xa9 \xe6\x97\xa5") == "\"caf\xc3\xa9 \xe6\x97\xa5\"");
}

TEST_CASE("go_json prints float64 as encoding/json does", "[toolbox][go_json]") {
  CHECK(go_float_json(12) == "12");
  CHECK(go_float_json(-0.0) == "-0");
  CHECK(go_float_json(0) == "0");
  CHECK(go_float_json(3.14) == "3.14");
  CHECK(go_float_json(1e20) == "100000000000000000000");
  CHECK(go_float_json(1e21) == "1e+21");
  CHECK(go_float_json(1.5e300) == "1.5e+300");
  CHECK(go_float_json(0.000001) == "0.000001");
  CHECK(go_float_json(1e-7) == "1e-7");
  CHECK(go_float_json(1.5e-7) == "1.5e-7");
  CHECK(go_float_json(1.5e-10) == "1.5e-10");
  CHECK(go_float_json(std::ldexp(1.0, 60)) == "1152921504606847000");  // shortest digits, then zeros
  CHECK(reencode("9007199254740993") == "9007199254740992\n");          // through a float64
  CHECK(reencode("[1.0, 1e2, -5E-1, 123456789012]") == "[\n  1,\n  100,\n  -0.5,\n  123456789012\n]\n");
}

TEST_CASE("go_json formats %v of numbers with the shortest g and precision 6", "[toolbox][go_json]") {
  CHECK(go_float_v(12345) == "12345");
  CHECK(go_float_v(123456) == "123456");
  CHECK(go_float_v(1e6) == "1e+06");
  CHECK(go_float_v(1234567) == "1.234567e+06");
  CHECK(go_float_v(1.5e6) == "1.5e+06");
  CHECK(go_float_v(0.5) == "0.5");
  CHECK(go_float_v(0.0001) == "0.0001");
  CHECK(go_float_v(0.00001) == "1e-05");
  CHECK(go_float_v(1e21) == "1e+21");
  CHECK(go_float_v(-2) == "-2");
}

TEST_CASE("go_json formats %v of maps arrays and nil like fmt", "[toolbox][go_json]") {
  auto v = go_decode(R"({"b":[1,"x",null,true],"a":{"k":2.5}})", go_shape::any).value;
  CHECK(go_format_v(v) == "map[a:map[k:2.5] b:[1 x <nil> true]]");
  CHECK(str_val(v, "missing") == "");
  CHECK(str_val(json{{"n", nullptr}}, "n") == "");
  CHECK(str_val(json{{"n", 1500000.0}}, "n") == "1.5e+06");
  CHECK(str_val(json::array(), "n") == "");
}

TEST_CASE("go_json decoding reports Go's syntax errors", "[toolbox][go_json]") {
  CHECK(decode_error("") == "EOF");
  CHECK(decode_error(" \n\t ") == "EOF");
  CHECK(decode_error("{") == "unexpected EOF");
  CHECK(decode_error("{\"a\":tr") == "unexpected EOF");
  CHECK(decode_error("[1,]") == "invalid character ']' looking for beginning of value");
  CHECK(decode_error("{\"a\" 1}") == "invalid character '1' after object key");
  CHECK(decode_error("{\"a\":1 \"b\":2}") == "invalid character '\"' after object key:value pair");
  CHECK(decode_error("[1 2]") == "invalid character '2' after array element");
  CHECK(decode_error("{1:2}") == "invalid character '1' looking for beginning of object key string");
  CHECK(decode_error("trx") == "invalid character 'x' in literal true (expecting 'u')");
  CHECK(decode_error("nul!") == "invalid character '!' in literal null (expecting 'l')");
  CHECK(decode_error("\"a\\x\"") == "invalid character 'x' in string escape code");
  CHECK(decode_error("\"\\u12g4\"") == "invalid character 'g' in \\u hexadecimal character escape");
  CHECK(decode_error("\"a\nb\"") == "invalid character '\\n' in string literal");
  CHECK(decode_error("-x") == "invalid character 'x' in numeric literal");
  CHECK(decode_error("1.x") == "invalid character 'x' after decimal point in numeric literal");
  CHECK(decode_error("1ex") == "invalid character 'x' in exponent of numeric literal");
  CHECK(decode_error("'a'") == "invalid character '\\'' looking for beginning of value");
  CHECK(decode_error("<html>") == "invalid character '<' looking for beginning of value");
  CHECK(decode_error("\xff") == "invalid character '\\xff' looking for beginning of value");
}

TEST_CASE("go_json Decoder reads only the first value while Unmarshal wants exactly one", "[toolbox][go_json]") {
  CHECK(reencode("{\"a\":1} trailing junk") == "{\n  \"a\": 1\n}\n");
  CHECK(reencode("0123") == "0\n");
  CHECK(go_unmarshal("{\"a\":1} x", go_shape::any).error == "invalid character 'x' after top-level value");
  CHECK(go_unmarshal("", go_shape::any).error == "unexpected end of JSON input");
  CHECK(go_unmarshal("[1", go_shape::any).error == "unexpected end of JSON input");
  CHECK(go_unmarshal(" {\"path\":\"/x\"}\n", go_shape::object).ok());
}

TEST_CASE("go_json reports the type errors of map and slice targets", "[toolbox][go_json]") {
  CHECK(decode_error("[]", go_shape::object) == "json: cannot unmarshal array into Go value of type map[string]interface {}");
  CHECK(decode_error("\"s\"", go_shape::object) == "json: cannot unmarshal string into Go value of type map[string]interface {}");
  CHECK(decode_error("{}", go_shape::object_array) ==
        "json: cannot unmarshal object into Go value of type []map[string]interface {}");
  CHECK(decode_error("[{},1]", go_shape::object_array) ==
        "json: cannot unmarshal number into Go value of type map[string]interface {}");
  CHECK(decode_error("{\"a\":1e400}", go_shape::object) == "json: cannot unmarshal number 1e400 into Go value of type float64");
  CHECK(reencode("[null,{}]", go_shape::object_array) == "[\n  null,\n  {}\n]\n");
  CHECK(reencode("null", go_shape::object) == "null\n");
  CHECK(reencode("1e-400") == "0\n");  // underflow is not an error in strconv
}

TEST_CASE("go_json decodes text as Go does with U+FFFD for what is not UTF-8", "[toolbox][go_json]") {
  CHECK(go_decode(R"("\ud83d\ude00")", go_shape::any).value == "\xf0\x9f\x98\x80");
  CHECK(go_decode(R"("\ud800x")", go_shape::any).value == "\xef\xbf\xbdx");
  CHECK(go_decode(R"("\ud800\u0041")", go_shape::any).value == "\xef\xbf\xbd" "A");
  CHECK(go_decode("\"a\xffz\"", go_shape::any).value == "a\xef\xbf\xbdz");
  CHECK(go_decode(R"("\/\"\\\b\f\n\r\t")", go_shape::any).value == "/\"\\\b\f\n\r\t");
  CHECK(go_decode(R"({"k":1,"k":2})", go_shape::object).value == json{{"k", 2.0}});
  CHECK(go_decode(R"({"":"empty key"})", go_shape::object).value == json{{"", "empty key"}});
}

TEST_CASE("go_json refuses nesting deeper than encoding/json allows", "[toolbox][go_json]") {
  std::string ok(10000, '[');
  ok += std::string(10000, ']');
  CHECK(go_decode(ok, go_shape::any).ok());
  std::string deep(10001, '[');
  deep += std::string(10001, ']');
  CHECK(go_decode(deep, go_shape::any).error == "invalid character '[' exceeded max depth");
}
