// Fuzz target: the line formats (every log line reaches one). The first byte
// picks the format; the rest is the line. Parsing must never crash, and an
// accepted event must hold an address that prints and parses back.
#include <array>
#include <cstdint>
#include <string_view>

#include "common/ip.hpp"
#include "daemon/input/line_format.hpp"

namespace {

const asncounter::LineFormat& format(std::uint8_t pick) {
  static const auto formats = [] {
    std::array<const char*, 7> specs = {"plain",
                                        "tuple",
                                        "field:2,bytes:3,latency:4",
                                        "tcpdump",
                                        "json:remote_addr,bytes:body_bytes_sent,latency:request_time",
                                        "json:a.b",
                                        "field:1"};
    std::array<asncounter::LineFormat, 7> out;
    for (std::size_t i = 0; i < specs.size(); ++i) out[i] = asncounter::LineFormat::parse(specs[i]).value();
    return out;
  }();
  return formats[pick % formats.size()];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
  asncounter::LineEvent ev;
  if (format(data[0]).parse_line(line, ev) == asncounter::LineOutcome::event) {
    auto again = asncounter::parse_address(asncounter::to_string(ev.addr));
    if (!again || *again != ev.addr || ev.hits == 0) __builtin_trap();
  }
  // The spec parser reads operator input: it must not crash either.
  (void)asncounter::LineFormat::parse(line);
  return 0;
}
