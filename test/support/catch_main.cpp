// The one translation unit that holds Catch2's runner (slow to compile, so built once).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
