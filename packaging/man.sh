#!/usr/bin/env bash
# Writes multicad(1), a man page made of the binary's own --help texts: the
# program's, then every subcommand's, found by walking the "Subcommands:"
# lists. Run by the build (CMakeLists.txt), so the page never drifts from the
# binary.   packaging/man.sh BINARY OUTPUT
set -euo pipefail
bin=$1
out=$2

# Text for roff's no-fill mode: backslashes doubled as \e, a leading . or '
# protected by \&.
roff_text() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

# The subcommand names listed in a --help text.
subcommands() {
  awk '/^Subcommands:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }'
}

section() {  # section "config show": the help of `multicad config show`
  local path=$1 help
  # shellcheck disable=SC2086  # the words of the path are the arguments
  help=$("$bin" $path --help)
  printf '.SS "multicad %s"\n.nf\n' "$path"
  roff_text <<<"$help"
  printf '.fi\n'
  local sub
  for sub in $(subcommands <<<"$help"); do section "$path $sub"; done
}

top=$("$bin" --help)
version=$("$bin" --version)
{
  printf '.TH MULTICAD 1 "" "%s" "User Commands"\n' "$version"
  printf '.SH NAME\nmulticad \\- runs Multica tasks with the Codex CLI on this machine\n'
  printf '.SH SYNOPSIS\n.B multicad\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n'
  printf '.SH DESCRIPTION\n'
  printf 'multicad turns this machine into a worker for a Multica task server: it registers with the server,\n'
  printf 'claims tasks and runs each with the Codex CLI in a private, sandboxed environment.\n'
  printf 'Without a server it serves a local task queue (\\fBmulticad submit\\fR).\n'
  printf 'This page is the program'"'"'s own \\fB\\-\\-help\\fR text, command by command.\n'
  printf '.SH OPTIONS\n.nf\n'
  roff_text <<<"$top"
  printf '.fi\n.SH COMMANDS\n'
  for sub in $(subcommands <<<"$top"); do section "$sub"; done
  printf '.SH FILES\n'
  printf '.TP\n.I /etc/multicad/config.toml\nthe configuration of the system service\n'
  printf '.TP\n.I /var/lib/multicad\nthe system service'"'"'s home and state (store, Codex login, task workspaces)\n'
  printf '.SH SEE ALSO\n'
  printf '.BR systemctl (1),\n.BR journalctl (1);\n'
  printf '/usr/share/doc/multicad/operations.md, configuration.md, logs.md and troubleshooting.md\n'
} >"$out"
