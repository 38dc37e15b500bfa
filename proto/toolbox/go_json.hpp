// JSON exactly as the Go `multica` CLI reads and writes it (agent-toolbox.md
// §2.4): encoding/json decoding into map[string]any / []map[string]any / any
// (numbers become float64, invalid UTF-8 and lone surrogates become U+FFFD,
// a repeated key keeps its last value, errors in Go's words), and the
// encoder (keys sorted at every level, `<>&` escaped as \u003c \u003e \u0026,
// float64 printed as Go prints it, two-space indentation). Values live in
// nlohmann::json; a number decoded from the wire is always a double, an
// integer the CLI makes itself (limit, offset, total) an int64.
// Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace multicad::proto::toolbox {

// The Go type a response is decoded into; it decides the type errors.
enum class go_shape {
  any,           // any (json.RawMessage re-decoded)
  object,        // map[string]any
  object_array,  // []map[string]any
};

struct go_decoded {
  nlohmann::json value;  // null when error is set
  std::string error;     // Go's message ("EOF", "unexpected EOF", "invalid character …", "json: cannot unmarshal …")
  bool ok() const { return error.empty(); }
};

// json.NewDecoder(body).Decode(&v): the first JSON value of `body`; anything
// after it is ignored. Empty or blank input fails with "EOF", a value cut
// short with "unexpected EOF".
go_decoded go_decode(std::string_view body, go_shape shape);
// json.Unmarshal(body, &v): the whole input must be one value ("unexpected
// end of JSON input", "invalid character 'x' after top-level value").
go_decoded go_unmarshal(std::string_view body, go_shape shape);

// json.Encoder with SetIndent("", "  "): the value, indented, plus "\n".
std::string go_encode_indent(const nlohmann::json& v);
// json.Marshal: compact, HTML-escaped (request bodies).
std::string go_marshal(const nlohmann::json& v);

// A float64 as encoding/json writes it ("1e+21", "0.000001", "-0", "12").
std::string go_float_json(double d);
// fmt's %v of a float64 ("1e+06", "1.234567e+06", "12345", "0.5").
std::string go_float_v(double d);
// fmt's %v of a decoded value: <nil>, true, 12, text, [a b], map[k:v].
std::string go_format_v(const nlohmann::json& v);

// The CLI's strVal(m, key): "" when m is not an object, the key is missing
// or null; otherwise %v of the value.
std::string str_val(const nlohmann::json& m, const std::string& key);

}  // namespace multicad::proto::toolbox
