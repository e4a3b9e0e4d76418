#pragma once
// A reader for classic pcap files that hands out records straight from a
// large read buffer. libpcap's own reader goes through stdio twice per record,
// which caps replay near 8 M packets/s on one core; this one does not copy.
// pcapng files are left to libpcap (see pcap_source.cpp).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace asncounter {

class PcapFileReader {
 public:
  /// Largest record libpcap itself accepts (its MAXIMUM_SNAPLEN).
  static constexpr std::uint32_t kMaxCaplen = 262144;

  /// True when `path` can be opened and starts with a classic pcap magic number
  /// (either byte order, micro- or nanosecond timestamps).
  static bool is_classic(const std::string& path);

  /// Opens `path` and reads its file header; the error names the file.
  static Result<std::unique_ptr<PcapFileReader>> open(const std::string& path);

  ~PcapFileReader();
  PcapFileReader(const PcapFileReader&) = delete;
  PcapFileReader& operator=(const PcapFileReader&) = delete;

  /// The file's link type as a DLT value (LINKTYPE_RAW is DLT_RAW here, as in libpcap).
  int link_type() const { return link_type_; }

  /// The next record's captured bytes (valid until the next call) with its
  /// lengths, or nullptr at the end of the file or at damage (see error()).
  const std::uint8_t* next(std::uint32_t& caplen, std::uint32_t& orig_len);

  /// Empty unless the file is damaged (a cut record, an absurd length).
  const std::string& error() const { return error_; }

 private:
  PcapFileReader(int fd, std::string path);
  bool fill(std::size_t need);

  UniqueFd fd_;
  std::string path_;
  std::vector<std::uint8_t> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool swapped_ = false;
  bool eof_ = false;
  int link_type_ = 0;
  std::uint64_t records_ = 0;
  std::string error_;
};

}  // namespace asncounter
