// Backoff arithmetic for retry_policy (server_client.hpp). Pure, so tests pin
// it with a seeded generator; the client draws from its own. Any thread.
#pragma once

#include <chrono>
#include <random>

#include "daemon/net/server_client.hpp"

namespace multicad::net {

// The wait before resend number `retry` + 1 (retry 0 follows the first failed
// send): initial_backoff * 2^retry, capped at max_backoff, then scaled by a
// jitter factor. `unit` in [0, 1] picks that factor linearly from
// [1 - jitter, 1 + jitter]; jitter is clamped to [0, 1]. Never negative.
std::chrono::milliseconds backoff_delay(const retry_policy& p, int retry, double unit);

// The same with `unit` drawn uniformly from `rng`.
std::chrono::milliseconds backoff_delay(const retry_policy& p, int retry, std::mt19937_64& rng);

}  // namespace multicad::net
