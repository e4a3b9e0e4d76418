// make_rib: writes MRT RIB fixtures for the demo, the docs and the benchmarks.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "tests/tools/synthetic_rib.hpp"

namespace {

const char* kUsage =
    "usage: make_rib [--format td2|td2-addpath|td1] OUT\n"
    "       make_rib --synthetic [--v4 N] [--v6 N] [--peers N] [--seed S] OUT\n"
    "\n"
    "Writes an MRT (RFC 6396) RIB dump to OUT, compressed by its name: .gz gzip,\n"
    ".bz2 bzip2, anything else plain.\n"
    "\n"
    "  (default)      a small sample in documentation space (RFC 5737, RFC 3849)\n"
    "                 with RFC 5398 ASNs, more-specifics and an AS_SET origin\n"
    "  --format F     td2 (TABLE_DUMP_V2, default), td2-addpath (RFC 8050) or\n"
    "                 td1 (TABLE_DUMP, 2-byte AS paths)\n"
    "  --synthetic    a seeded full-size TABLE_DUMP_V2 RIB for benchmarks\n"
    "  --v4 N         IPv4 prefixes (default 1000000)\n"
    "  --v6 N         IPv6 prefixes (default 230000)\n"
    "  --peers N      RIB entries per prefix (default 8)\n"
    "  --seed S       random seed (default 1): same seed, same file\n";

unsigned long long number(const char* text) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (!*text || *end) throw std::invalid_argument(std::string("not a number: ") + text);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace asncounter::test;
  try {
    bool synthetic = false;
    RibFormat format = RibFormat::table_dump_v2;
    SyntheticRibOptions options;
    std::string out;
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      auto value = [&]() -> const char* {
        if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
        return argv[++i];
      };
      if (arg == "--help" || arg == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (arg == "--synthetic") {
        synthetic = true;
      } else if (arg == "--format") {
        std::string f = value();
        if (f == "td2")
          format = RibFormat::table_dump_v2;
        else if (f == "td2-addpath")
          format = RibFormat::table_dump_v2_addpath;
        else if (f == "td1")
          format = RibFormat::table_dump;
        else
          throw std::invalid_argument("unknown format " + f);
      } else if (arg == "--v4") {
        options.v4 = number(value());
      } else if (arg == "--v6") {
        options.v6 = number(value());
      } else if (arg == "--peers") {
        options.peers = static_cast<unsigned>(number(value()));
        if (options.peers == 0 || options.peers > 65535)
          throw std::invalid_argument("--peers must be 1..65535");
      } else if (arg == "--seed") {
        options.seed = number(value());
      } else if (!arg.empty() && arg[0] != '-' && out.empty()) {
        out = arg;
      } else {
        throw std::invalid_argument("unexpected argument " + arg);
      }
    }
    if (out.empty()) throw std::invalid_argument("no output file");
    if (synthetic) {
      std::uint64_t size = write_synthetic_rib(out, packing_for(out), options);
      std::fprintf(stderr, "make_rib: %s: %zu IPv4 + %zu IPv6 prefixes x %u peers, %llu bytes uncompressed\n",
                   out.c_str(), options.v4, options.v6, options.peers, static_cast<unsigned long long>(size));
    } else {
      write_packed(out, sample_rib(format).bytes(), packing_for(out));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_rib: %s\n%s", e.what(), kUsage);
    return 2;
  }
}
