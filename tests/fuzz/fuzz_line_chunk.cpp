// Fuzz target, differential: the one-pass chunk parser of the --once file
// path (daemon/input/lines/line_chunk.hpp) must hand over exactly the events, in
// the same order, and count exactly the rejected lines that the stream
// reader's LineSplitter + LinePump does, on any bytes. The first byte picks
// the format (plain, whose fast path is the point, or a field format).
#include <cstdint>
#include <cstring>
#include <string_view>
#include <tuple>
#include <vector>

#include "daemon/input/lines/line_chunk.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_pump.hpp"
#include "daemon/input/lines/line_splitter.hpp"

namespace {

using Event = std::tuple<std::uint8_t, std::uint32_t, std::uint64_t, std::uint64_t, std::uint32_t,
                         std::uint64_t, std::uint32_t>;

struct Run {
  std::vector<Event> events;
  std::uint64_t rejected = 0, oversized = 0, counted = 0;
};

asncounter::BatchSink collect(Run& run) {
  return [&run](const asncounter::EventBatch& b) {
    for (std::size_t i = 0; i < b.size; ++i) {
      const auto& a = b.addrs[i];
      run.events.emplace_back(static_cast<std::uint8_t>(a.family), a.v4, a.v6.hi, a.v6.lo, b.hits[i],
                              b.bytes[i], b.latency_us[i]);
    }
  };
}

void finish(Run& run, asncounter::LineStats& stats) {
  run.rejected = stats.rejected.load();
  run.oversized = stats.oversized.load();
  run.counted = stats.events.load();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const auto plain = asncounter::LineFormat::parse("plain").value();
  static const auto field = asncounter::LineFormat::parse("field:2,bytes:1,latency:3").value();
  const auto& format = data[0] & 1 ? field : plain;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  Run by_splitter, by_chunk;
  {
    asncounter::LineStats stats;
    asncounter::LinePump pump(format, collect(by_splitter), stats);
    asncounter::LineSplitter splitter;
    auto area = splitter.write_area();
    if (area.size() < text.size()) return 0;  // longer than one read: not this target's case
    std::memcpy(area.data(), text.data(), text.size());
    splitter.commit(text.size());
    pump.finish(splitter);
    pump.flush();
    finish(by_splitter, stats);
  }
  {
    asncounter::LineStats stats;
    asncounter::LinePump pump(format, collect(by_chunk), stats);
    asncounter::parse_lines(text.data(), text.data() + text.size(), text.data() + text.size(), true, pump);
    pump.flush();
    finish(by_chunk, stats);
  }
  if (by_splitter.events != by_chunk.events || by_splitter.rejected != by_chunk.rejected ||
      by_splitter.oversized != by_chunk.oversized || by_splitter.counted != by_chunk.counted)
    __builtin_trap();
  return 0;
}
