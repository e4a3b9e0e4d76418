// ns per line for each line format on generated lines: parsing alone, and
// splitting plus parsing (what an input's thread does per chunk). Run by
// hand: build-*/tests/bench/bench_line_parse [lines]. See docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/input/line_format.hpp"
#include "daemon/input/line_splitter.hpp"

namespace {

// Thread CPU time, not wall time: the build machines are shared, and time
// spent descheduled says nothing about the parser.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
  }
};

std::string v4(std::mt19937& rng) {
  auto a = static_cast<std::uint32_t>(rng());
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

std::string v6(std::mt19937& rng) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2001:db8:%x:%x::%x", static_cast<unsigned>(rng() & 0xffff),
                static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xffff));
  return buf;
}

// One line of the given format; one in eight addresses is IPv6.
std::string make_line(const std::string& spec, std::mt19937& rng) {
  std::string a = rng() % 8 == 0 ? v6(rng) : v4(rng);
  if (spec == "plain") return a;
  if (spec == "tuple") return a + " " + std::to_string(rng() % 100 + 1);
  if (spec == "tcpdump")
    return "12:00:00.000000 " + std::string(a.find(':') != std::string::npos ? "IP6 " : "IP ") + a +
           ".51234 > " + (a.find(':') != std::string::npos ? "2001:db8::1" : "198.51.100.1") + ".443: tcp 0";
  if (spec.starts_with("json"))
    return R"({"time":"2024-10-10T13:55:36+00:00","remote_addr":")" + a +
           R"(","request":"GET / HTTP/1.1","status":200,"body_bytes_sent":)" +
           std::to_string(rng() % 100000) + R"(,"request_time":0.)" + std::to_string(rng() % 1000) + "}";
  return a + " - - [10/Oct/2024:13:55:36 +0000] \"GET /index.html HTTP/1.1\" 200 " +
         std::to_string(rng() % 100000) + " \"-\" \"Mozilla/5.0\" 0." + std::to_string(rng() % 1000);
}

void bench(const std::string& spec, std::size_t count) {
  auto format = asncounter::LineFormat::parse(spec).value();
  std::mt19937 rng(7);
  std::string text;
  std::vector<std::string_view> lines;
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < count; ++i) {
    offsets.push_back(text.size());
    text += make_line(spec, rng) + "\n";
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t end = (i + 1 < count ? offsets[i + 1] : text.size()) - 1;
    lines.emplace_back(text.data() + offsets[i], end - offsets[i]);
  }

  std::uint64_t sum = 0, events = 0;
  asncounter::LineEvent ev;
  auto t0 = Clock::now();
  for (auto l : lines)
    if (format.parse_line(l, ev) == asncounter::LineOutcome::event) sum += ev.addr.v4 + ev.bytes, ++events;
  double parse_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(count);

  // Split + parse from 256 KiB chunks, as an input's thread does after read().
  asncounter::LineSplitter splitter;
  std::size_t pos = 0;
  t0 = Clock::now();
  while (pos < text.size()) {
    auto area = splitter.write_area();
    std::size_t n = std::min<std::size_t>({area.size(), asncounter::LineSplitter::kChunk, text.size() - pos});
    std::memcpy(area.data(), text.data() + pos, n);
    splitter.commit(n);
    pos += n;
    while (auto l = splitter.next_line())
      if (format.parse_line(*l, ev) == asncounter::LineOutcome::event) sum += ev.addr.v4;
  }
  double split_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(count);
  std::printf(
      "%-45s %10zu lines  parse %7.1f ns/line (%6.1f M/s)  split+parse %7.1f ns/line (%6.1f M/s)  [%llu]\n",
      spec.c_str(), static_cast<std::size_t>(events), parse_ns, 1e3 / parse_ns, split_ns, 1e3 / split_ns,
      static_cast<unsigned long long>(sum % 1000));
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  for (const char* spec : {"plain", "tuple", "field:1", "field:1,bytes:10,latency:13", "tcpdump",
                           "json:remote_addr,bytes:body_bytes_sent,latency:request_time"})
    bench(spec, std::string_view(spec).starts_with("json") ? count / 10 : count);
  return 0;
}
