#include "tests/tools/pcap_select.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace asncounter::test {

Result<std::uint64_t> select_pcap_records(const std::string& in, const std::string& out,
                                          const std::function<bool(std::uint64_t index)>& keep) {
  std::ifstream f(in, std::ios::binary);
  if (!f) return Error{"cannot read " + in};
  const std::vector<char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  constexpr std::size_t kFileHeader = 24, kRecordHeader = 16;
  if (data.size() < kFileHeader) return Error{in + ": no pcap header"};
  std::uint32_t magic = 0;
  std::memcpy(&magic, data.data(), 4);
  const bool swapped = magic == 0xd4c3b2a1U || magic == 0x4d3cb2a1U;
  if (!swapped && magic != 0xa1b2c3d4U && magic != 0xa1b23c4dU)
    return Error{in + ": not a classic pcap file"};
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  o.write(data.data(), kFileHeader);
  std::uint64_t index = 0, written = 0;
  for (std::size_t at = kFileHeader; at + kRecordHeader <= data.size(); ++index) {
    std::uint32_t caplen = 0;
    std::memcpy(&caplen, data.data() + at + 8, 4);
    if (swapped) caplen = __builtin_bswap32(caplen);
    const std::size_t size = kRecordHeader + caplen;
    if (at + size > data.size()) return Error{in + ": record " + std::to_string(index) + " cut short"};
    if (keep(index)) {
      o.write(data.data() + at, static_cast<std::streamsize>(size));
      ++written;
    }
    at += size;
  }
  if (!o.flush()) return Error{"cannot write " + out};
  return written;
}

}  // namespace asncounter::test
