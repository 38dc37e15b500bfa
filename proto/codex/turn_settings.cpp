#include "proto/codex/turn_settings.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace multicad::proto::codex {
namespace {

// Up to 0.130 (tier) and 0.140 (effort) Codex's schema has these enums;
// later releases take any value the model advertises.
constexpr std::array<std::string_view, 6> known_efforts{"none", "minimal", "low", "medium", "high", "xhigh"};
constexpr std::array<std::string_view, 2> known_tiers{"fast", "flex"};

// A bounded printable token: what a model slug or an enum value looks like,
// and nothing that could smuggle a TOML or JSON fragment or a control byte.
bool is_token(std::string_view v, std::size_t max) {
  return !v.empty() && v.size() <= max && std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':' || c == '/';
  });
}

template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// At most 40 bytes of a refused value, printable only, for the error text.
std::string shown(const std::string& v) {
  std::string out;
  for (char c : v.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "\"" + out + (v.size() > 40 ? "...\"" : "\"");
}

std::string on(const std::optional<release>& codex) {
  return codex ? " (codex " + codex->to_string() + ")" : "";
}

}  // namespace

std::string check_turn_settings(const turn_settings& s, const std::optional<release>& codex) {
  if (!s.model.empty() && !is_token(s.model, 128))
    return "agent.model " + shown(s.model) + " is not a model name (letters, digits and - _ . : / only, at most 128)";
  if (!s.effort.empty()) {
    bool free_form = codex && *codex >= free_effort_release;
    if (free_form && !is_token(s.effort, 32))
      return "agent.thinking_level " + shown(s.effort) + " is not a reasoning effort name" + on(codex);
    if (!free_form && !one_of(known_efforts, s.effort))
      return "agent.thinking_level " + shown(s.effort) + " is not one of " + listed(known_efforts) + on(codex);
  }
  if (!s.service_tier.empty()) {
    if (codex && *codex < service_tier_release)
      return "agent.service_tier " + shown(s.service_tier) + " needs codex " + service_tier_release.to_string() +
             " or later" + on(codex) + "; upgrade codex or clear the agent's service tier";
    bool free_form = codex && *codex >= free_service_tier_release;
    if (free_form && !is_token(s.service_tier, 32))
      return "agent.service_tier " + shown(s.service_tier) + " is not a service tier name" + on(codex);
    if (!free_form && !one_of(known_tiers, s.service_tier))
      return "agent.service_tier " + shown(s.service_tier) + " is not one of " + listed(known_tiers) + on(codex);
  }
  return {};
}

}  // namespace multicad::proto::codex
