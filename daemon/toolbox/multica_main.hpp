// The `multica` command for agents: what the multicad binary runs when it is
// invoked under the name "multica" (a link the daemon puts on the agent's
// PATH). It speaks the Multica server's user API to MULTICA_SERVER_URL like
// the Go CLI (agent-toolbox.md §2-§5, §7.1); the logic is in proto/toolbox,
// this is its I/O shell. Call from main() only, before anything else starts.
#pragma once

namespace multicad::toolbox {

// True when argv[0]'s base name is "multica".
bool invoked_as_multica(const char* argv0);

// Runs the command and returns the process exit code.
int multica_main(int argc, char** argv);

}  // namespace multicad::toolbox
