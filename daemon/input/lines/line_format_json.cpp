// json:KEY: a string at a dotted path of a one-object-per-line log; a file
// of its own like every format, and the only one that pays for nlohmann/json.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/saturating.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_text.hpp"

namespace asncounter {
namespace {

using json = nlohmann::json;

// A dotted path; a key that itself holds dots ("remote.addr") is tried
// whole before the path is split at each dot in turn.
const json* find_path(const json& obj, std::string_view path, int depth = 0) {
  if (!obj.is_object() || depth > 32) return nullptr;
  auto it = obj.find(std::string(path));
  if (it != obj.end()) return &*it;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1)) {
    auto head = obj.find(std::string(path.substr(0, dot)));
    if (head == obj.end()) continue;
    if (const json* found = find_path(*head, path.substr(dot + 1), depth + 1)) return found;
  }
  return nullptr;
}

std::optional<std::uint64_t> json_bytes(const json* v) {
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer()) {
    auto n = v->get<std::int64_t>();
    if (n >= 0) return static_cast<std::uint64_t>(n);
    return std::nullopt;
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d >= 0 && d < 1.8e19) return static_cast<std::uint64_t>(d);
    return std::nullopt;
  }
  if (v->is_string()) return parse_bytes_field(text::trim(v->get_ref<const std::string&>()));
  return std::nullopt;
}

std::optional<std::uint32_t> json_latency(const json* v) {
  if (!v) return std::nullopt;
  if (v->is_number()) {
    double secs = v->get<double>();
    if (!(secs >= 0) || secs * 1e6 >= static_cast<double>(LineEvent::kNoLatency)) return std::nullopt;
    return static_cast<std::uint32_t>(std::llround(secs * 1e6));
  }
  if (v->is_string()) return parse_latency_field(text::trim(v->get_ref<const std::string&>()));
  return std::nullopt;
}

}  // namespace

LineOutcome parse_json_line(const LineSpec& spec, std::string_view line, LineEvent& out) noexcept {
  if (text::trim(line).empty()) return LineOutcome::skip;
  try {
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded()) return LineOutcome::reject;
    const json* addr = find_path(doc, spec.key);
    if (!addr || !addr->is_string()) return LineOutcome::reject;
    auto a = parse_host(text::trim(addr->get_ref<const std::string&>()));
    if (!a) return LineOutcome::reject;
    out.addr = *a;
    if (spec.has_bytes) {
      out.bytes = json_bytes(find_path(doc, spec.bytes_key)).value_or(0);
      if (out.bytes > kMaxEventBytes) return LineOutcome::reject;  // absurd: a forged line
    }
    if (spec.has_latency)
      out.latency_us = json_latency(find_path(doc, spec.latency_key)).value_or(LineEvent::kNoLatency);
    return LineOutcome::event;
  } catch (...) {
    // parse() without exceptions can still run out of memory; a line must
    // never take the input down.
    return LineOutcome::reject;
  }
}

}  // namespace asncounter
