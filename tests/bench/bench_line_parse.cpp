// ns per line for each line format on generated lines: parsing alone, and
// splitting plus parsing (what an input's thread does per chunk). Run by
// hand: build-*/tests/bench/bench_line_parse [lines]. See docs/benchmarks.md.
//
// With --file PATH (a plain log, e.g. tests/bench/skewed_stream.py's), the
// plain path against its ceilings on the same bytes: memchr alone (finding
// the lines), memchr plus a minimal IPv4 parse (no checks), the one-thread
// stream reader's splitter and pump, and the one-pass chunk parser the
// --once file path uses (daemon/input/lines/line_chunk.hpp).
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

#include "daemon/input/lines/line_chunk.hpp"
#include "daemon/input/lines/line_format.hpp"
#include "daemon/input/lines/line_pump.hpp"
#include "daemon/input/lines/line_splitter.hpp"

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

std::string read_all(const char* path) {
  std::string text;
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return text;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  return text;
}

// Best of `runs` in thread CPU time, as M lines/s.
template <class F>
double best_rate(std::size_t lines, int runs, F&& f) {
  double best = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    f();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, static_cast<double>(lines) / s / 1e6);
  }
  return best;
}

int bench_file(const char* path) {
  const std::string text = read_all(path);
  if (text.empty()) {
    std::fprintf(stderr, "cannot read %s (or it is empty)\n", path);
    return 1;
  }
  const char* const b = text.data();
  const char* const e = b + text.size();
  std::size_t lines = 0;
  for (const char* p = b;
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p)))); ++p)
    ++lines;
  volatile std::uint64_t sink = 0;
  const int runs = 3;

  double memchr_rate = best_rate(lines, runs, [&] {
    std::uint64_t n = 0;
    for (const char* p = b; p < e; ++n) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
      if (!nl) break;
      p = static_cast<const char*>(nl) + 1;
    }
    sink = sink + n;
  });
  // One pass: digits and dots to a number up to the newline, nothing checked.
  double minimal_rate = best_rate(lines, runs, [&] {
    std::uint64_t sum = 0;
    std::uint32_t v = 0, octet = 0;
    for (const char* p = b; p < e; ++p) {
      char c = *p;
      if (c >= '0' && c <= '9') {
        octet = octet * 10 + static_cast<std::uint32_t>(c - '0');
      } else if (c == '.') {
        v = (v << 8) | octet;
        octet = 0;
      } else if (c == '\n') {
        sum += (v << 8) | octet;
        v = octet = 0;
      }
    }
    sink = sink + sum;
  });

  auto format = asncounter::LineFormat::parse("plain").value();
  std::uint64_t events = 0;
  asncounter::LineStats stats;
  auto count_sink = [&events](const asncounter::EventBatch& batch) {
    for (std::size_t i = 0; i < batch.size; ++i) events += batch.addrs[i].v4;
  };
  double splitter_rate = best_rate(lines, runs, [&] {
    asncounter::LinePump pump(format, count_sink, stats);
    asncounter::LineSplitter splitter;
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto area = splitter.write_area();
      std::size_t n =
          std::min<std::size_t>({area.size(), asncounter::LineSplitter::kChunk, text.size() - pos});
      std::memcpy(area.data(), b + pos, n);
      splitter.commit(n);
      pos += n;
      pump.drain(splitter);
    }
    pump.finish(splitter);
    pump.flush();
  });
  double chunk_rate = best_rate(lines, runs, [&] {
    asncounter::LinePump pump(format, count_sink, stats);
    asncounter::parse_lines(b, e, e, true, pump);
    pump.flush();
  });
  std::printf("%s: %zu lines, %.1f MB; M lines/s per CPU second, best of %d\n", path, lines,
              static_cast<double>(text.size()) / 1e6, runs);
  std::printf("  ceiling: memchr alone                    %7.1f\n", memchr_rate);
  std::printf("  ceiling: one pass, minimal IPv4 parse    %7.1f\n", minimal_rate);
  std::printf("  stream reader: LineSplitter + LinePump   %7.1f  (%.0f%% of the minimal parse)\n",
              splitter_rate, 100 * splitter_rate / minimal_rate);
  std::printf("  file path: parse_lines + LinePump        %7.1f  (%.0f%% of the minimal parse)\n", chunk_rate,
              100 * chunk_rate / minimal_rate);
  std::printf("  [%llu %llu]\n", static_cast<unsigned long long>(sink % 1000),
              static_cast<unsigned long long>(events % 1000));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string_view(argv[1]) == "--file") return bench_file(argv[2]);
  std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  for (const char* spec : {"plain", "tuple", "field:1", "field:1,bytes:10,latency:13", "tcpdump",
                           "json:remote_addr,bytes:body_bytes_sent,latency:request_time"})
    bench(spec, std::string_view(spec).starts_with("json") ? count / 10 : count);
  return 0;
}
