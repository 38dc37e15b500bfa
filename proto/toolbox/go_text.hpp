// Go standard-library text behaviour the `multica` command reproduces byte for
// byte (agent-toolbox.md §2.4, §5): strconv.Quote (%q), strings.TrimSpace,
// strings.ToLower, rune counting and cutting, url.Values.Encode, and the
// path/filepath functions attachment download uses. Pure; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace multicad::proto::toolbox {

// strconv.Quote: "…" with Go's escapes; printable Unicode kept as is.
std::string go_quote(std::string_view s);
// The form Go's JSON scanner uses for a byte in its syntax errors: 'x', '\'', '"', '\x80'.
std::string go_quote_char(unsigned char c);

// strings.TrimSpace (unicode.IsSpace at both ends).
std::string trim_space(std::string_view s);
// strings.ToLower for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// capitals (names in a workspace); other runes are kept.
std::string to_lower(std::string_view s);

// utf8.RuneCountInString: an invalid byte counts as one rune.
std::size_t rune_count(std::string_view s);
// The first n runes of s (all of s when it has fewer).
std::string first_runes(std::string_view s, std::size_t n);
// truncateID: the first 8 runes when s has more than 8.
std::string truncate_id(std::string_view s);
// The CLI's cell cut: when s has more than `limit` runes, its first `keep`
// runes followed by "...".
std::string cut_runes(std::string_view s, std::size_t limit, std::size_t keep);
// s[:n] when len(s) >= n (bytes, as the CLI slices timestamps), else s.
std::string first_bytes(std::string_view s, std::size_t n);

// url.QueryEscape and url.Values.Encode (keys sorted, one value each).
std::string query_escape(std::string_view s);
std::string encode_query(std::vector<std::pair<std::string, std::string>> params);

// filepath.Clean, Base, Join and Abs (Abs against `cwd`, which must be absolute).
std::string path_clean(std::string_view p);
std::string path_base(std::string_view p);
std::string path_join(std::string_view a, std::string_view b);
std::string path_abs(std::string_view cwd, std::string_view p);

}  // namespace multicad::proto::toolbox
