// Linked into every fuzz target: undefined behaviour stops the run (the
// preset compiles with -fsanitize=undefined in its default recover mode,
// where UBSan would only print and libFuzzer would never save the input).
// Options given in UBSAN_OPTIONS on the command line still take precedence.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }
