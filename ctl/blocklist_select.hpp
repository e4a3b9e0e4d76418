#pragma once
// `asncounterctl block-list`: which prefixes to block. It asks the daemon for
// the top prefixes (or the top ASNs and their prefixes), skips what can never
// be blocked (the unrouted row, rows under --min-count, excluded ASNs, other
// families, prefixes wholly excluded) without counting it against --limit,
// and removes the excluded networks from what is left. See docs/rpc.md.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"
#include "common/result.hpp"
#include "common/rpc.hpp"
#include "ctl/blocklist.hpp"

namespace asncounter::ctl {

/// Networks never to block: own networks, allowed crawlers (--exclude FILE).
struct BlockExclusions {
  std::vector<Prefix> prefixes;     ///< addresses never blocked, whoever holds them
  std::vector<std::uint32_t> asns;  ///< ASNs whose rows are skipped
};

/// Reads an exclusion file: per line a prefix, an address or an ASN
/// (`64496` or `AS64496`); `#` starts a comment; blank lines are skipped.
/// The error names the line.
Result<BlockExclusions> parse_exclusions(std::string_view text);

/// The block-list command line, already checked for syntax.
struct BlockOptions {
  std::vector<std::uint32_t> asns;  ///< --asn: block these ASNs' space (no ranking); empty: a ranking
  bool by_asn = false;
  std::uint64_t limit = rpc::kDefaultLimit;  ///< routed, kept rows; 0: all
  std::optional<std::uint64_t> window;       ///< seconds; empty: since start
  std::string sort;                          ///< "bytes": rows ranked by bytes; empty: by hits
  std::string input;                         ///< --input NAME: that input's counts; empty: all
  std::uint64_t min_count = 0;
  std::optional<Family> family;  ///< empty: both
  std::string exclude_file;      ///< empty: none
  BlockFormat format = BlockFormat::cidr;
  BlockRules rules;  ///< --hook, --timeout (formats whose row takes them)
  bool json = false;
};

/// One daemon call: fills `result` with the answer's JSON; returns an exit code.
using BlockFetch = std::function<int(rpc::MethodId, const rpc::Params&, std::string& result)>;

/// One blocked ASN's traffic in the window, for the summary line.
struct AsnShare {
  std::uint32_t asn{};
  std::string name;  ///< empty: unknown
  std::uint64_t count{};
};

/// The merged, exclusion-free prefixes and the ASNs they come from.
struct BlockSelection {
  std::vector<Prefix> prefixes;
  std::vector<std::uint32_t> asns;  ///< sorted
  std::vector<AsnShare> shares;     ///< the blocked ASNs, in the order they were chosen
  std::uint64_t total{};            ///< hits in the window, all ASNs
};

/// Selects the space of the ASNs of --asn; returns an exit code (messages on `err`).
int select_asns(const BlockFetch& fetch, const BlockOptions& o, const BlockExclusions& ex,
                BlockSelection& out, std::ostream& err);

/// The space the daemon's table attributes to `asn` (as_prefixes, carved):
/// its prefixes minus other ASNs' more-specifics, as sorted CIDRs.
int carved_space(const BlockFetch& fetch, std::uint32_t asn, std::vector<Prefix>& out);

/// The one line said on stderr: the ASNs blocked, their share of the window, how many prefixes.
std::string block_summary(const BlockSelection& s, const BlockOptions& o);

/// Selects what to block; returns an exit code (messages on `err`).
int select_blocked(const BlockFetch& fetch, const BlockOptions& o, const BlockExclusions& ex,
                   BlockSelection& out, std::ostream& err);

/// The whole command: select, then print the format (or --json); an empty
/// list is printed too (it empties the live one) and said on `err`.
int run_block_list(const BlockFetch& fetch, const BlockOptions& o, std::ostream& out, std::ostream& err);

}  // namespace asncounter::ctl
