#pragma once
// The kernel side of the bans, through libnftables (no shelling out): a table
// (`inet asncounter` by default) with the interval sets block4 and block6,
// whose elements carry their own timeouts so the kernel expires a ban even if
// the daemon is gone, and a chain per hook that drops what they hold with a
// counter. Every change of a step is one transaction; what someone changed
// under the daemon is put back (docs/mitigation.md "In the kernel").

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/mitigate/decision.hpp"

struct nft_ctx;

namespace asncounter {
struct NftLibrary;
}

namespace asncounter::mitigate {

/// One set element as the kernel holds it.
struct KernelElement {
  Prefix prefix;
  std::int64_t expires_in{};  ///< seconds left
  std::uint64_t packets{};
  std::uint64_t bytes{};
};

/// The table as the kernel holds it.
struct KernelView {
  bool complete{};  ///< the table, both sets (interval, timeout) and every hook's chain with its two rules
  std::vector<KernelElement> elements;
  std::uint64_t packets_dropped{};  ///< the chains' counters
  std::uint64_t bytes_dropped{};
};

/// What a sync did.
struct SyncReport {
  std::size_t added{};
  std::size_t deleted{};
  bool rebuilt{};      ///< the table was made (again) from scratch
  std::string repair;  ///< set when the kernel differed from what the daemon put there
};

class NftBackend {
 public:
  /// A context for table `table` hooked on `hooks` ("input", "forward").
  /// Checks that nf_tables can be used (CAP_NET_ADMIN): the error says what is missing.
  static Result<std::unique_ptr<NftBackend>> open(std::string table, std::vector<std::string> hooks);
  ~NftBackend();
  NftBackend(const NftBackend&) = delete;
  NftBackend& operator=(const NftBackend&) = delete;

  /// Reads the table back (JSON output); `complete` false when it is missing or altered.
  Result<KernelView> read();
  /// Makes the kernel hold exactly `want` (at `now`, Unix seconds), in one transaction.
  Result<SyncReport> sync(const std::vector<Element>& want, std::int64_t now);
  /// Deletes the table (mode off); no error when it is not there.
  Result<void> remove();

  const std::string& table() const { return table_; }

 private:
  NftBackend(const NftLibrary& lib, nft_ctx* ctx, std::string table, std::vector<std::string> hooks);
  /// Runs `commands` (one transaction); the error is nft's message.
  Result<void> run(const std::string& commands);
  Result<std::string> run_json(const std::string& commands);
  std::string skeleton() const;

  const NftLibrary& lib_;  ///< libnftables, opened on first use
  nft_ctx* ctx_;
  std::string table_;
  std::vector<std::string> hooks_;
  std::map<Prefix, std::int64_t> applied_;  // what the last sync put there: prefix -> expires
};

/// "192.0.2.0/24 timeout 30s" element text for `e` at `now`.
std::string element_text(const Element& e, std::int64_t now);

}  // namespace asncounter::mitigate
