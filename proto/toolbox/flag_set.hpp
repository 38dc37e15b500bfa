// The flags one command accepts, as a pflag FlagSet after cobra merged them:
// the command's own, the root's persistent --server-url, --workspace-id and
// --profile, and (once cobra adds them before parsing) -h/--help and, on the
// root only, -v/--version. Parses pflag-style and formats FlagUsages.
// Internal to proto/toolbox. Pure; any thread.
#pragma once

#include <string>
#include <vector>

#include "proto/toolbox/command_line.hpp"

namespace multicad::proto::toolbox {

class flag_set {
 public:
  // `with_help`: include the flags cobra adds just before parsing (lookup runs without them).
  static flag_set for_path(const std::vector<const command_spec*>& path, bool with_help);

  bool long_is_bool(const std::string& name) const;
  bool short_is_bool(char c) const;

  // pflag's FlagSet.Parse (interspersed): fills `values` (defaults first)
  // and `positionals`; returns the error text ("unknown flag: --x"), or "".
  std::string parse(const std::vector<std::string>& args, flag_values& values,
                    std::vector<std::string>& positionals) const;

  // LocalFlags().FlagUsages(): one line per local flag, sorted by name.
  std::string local_usages() const;

 private:
  const flag_spec* by_name(const std::string& name) const;
  const flag_spec* by_short(char c) const;
  std::string parse_long(const std::string& s, const std::vector<std::string>& args, std::size_t& i,
                         flag_values& values) const;
  std::string parse_short(const std::string& s, const std::vector<std::string>& args, std::size_t& i,
                          flag_values& values) const;

  std::vector<flag_spec> local_;      // shown under FLAGS
  std::vector<flag_spec> inherited_;  // the root's persistent flags, for subcommands
};

}  // namespace multicad::proto::toolbox
