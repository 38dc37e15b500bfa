// The daemon store's schema, as numbered migrations: migrations()[i] takes
// schema version i to i+1. Append only; never edit a released step.
//   1: running-task journal and the delivery outbox
//   2: the local mode's task queue, events and usage
#pragma once

#include <span>
#include <string_view>

namespace multicad::store {

std::span<const std::string_view> migrations();

// The store file inside the state folder.
inline constexpr std::string_view store_file_name = "multicad.sqlite3";

}  // namespace multicad::store
