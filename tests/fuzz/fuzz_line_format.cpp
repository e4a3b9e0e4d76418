// Fuzz target: every row of the line-format registry (every log line reaches
// one). The first byte picks the format; the rest is the line. Parsing must
// never crash, and an accepted event must hold an address that prints and
// parses back.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "daemon/input/lines/line_format.hpp"

namespace {

using asncounter::LineFormatArg;

// A sample argument and extras for each kind of argument, so that every row
// of the registry is fuzzed bare and, when it takes them, with extras.
std::string sample_argument(LineFormatArg arg, bool extras) {
  switch (arg) {
    case LineFormatArg::none:
      return "";
    case LineFormatArg::field:
      return extras ? ":2,bytes:3,latency:4" : ":1";
    case LineFormatArg::key:
      return extras ? ":remote_addr,bytes:body_bytes_sent,latency:request_time" : ":a.b";
  }
  return "";
}

const asncounter::LineFormat& format(std::uint8_t pick) {
  static const auto formats = [] {
    std::vector<asncounter::LineFormat> out;
    for (const auto& row : asncounter::line_formats()) {
      out.push_back(
          asncounter::LineFormat::parse(std::string(row.name) + sample_argument(row.argument, false))
              .value());
      if (row.extras)
        out.push_back(
            asncounter::LineFormat::parse(std::string(row.name) + sample_argument(row.argument, true))
                .value());
    }
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
