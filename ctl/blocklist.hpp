#pragma once
// Block lists for the top talkers: the smallest set of CIDR prefixes that
// covers exactly the given ones (overlaps and adjacent blocks merged), written
// for nft, iptables, iptables-restore, ipset, nginx (deny lines), nginx's geo
// module, or as plain CIDR lines. Each format is a row of kBlockFormats.
// See docs/rpc.md ("block-list").

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::ctl {

enum class BlockFormat {
  nft,
  iptables,
  iptables_restore,
  ip6tables_restore,
  ipset,
  nginx,
  nginx_geo,
  cidr,
  count_,  ///< not a format: the number of ids, checked against the rows
};

/// What the header comment of every format says: when, how, and whom.
struct BlockHeader {
  std::string made_at;              ///< UTC date and time the list was made
  std::string criteria;             ///< the selection, e.g. "--by prefix --limit 10"
  std::vector<std::uint32_t> asns;  ///< the ASNs whose prefixes are in the list, sorted
};

/// How the rules act, where a format can say it (BlockFormatRow::takes_rules).
struct BlockRules {
  bool input = true;          ///< --hook input: traffic to this host
  bool forward = false;       ///< --hook forward: traffic routed through it
  std::uint64_t timeout = 0;  ///< --timeout: seconds until the kernel drops each element; 0: never
};

/// One output format: its name, its writer and how it is loaded.
struct BlockFormatRow {
  BlockFormat id;
  std::string_view name;  ///< --format NAME
  std::string (*write)(const std::vector<Prefix>& merged, const BlockHeader& header, const BlockRules& rules);
  std::string_view load;  ///< how to load the output (also in its header comment)
  bool takes_rules;       ///< honours --hook and --timeout (others refuse them)
};

/// Every format, in help order.
std::span<const BlockFormatRow> block_formats();
/// "nft|iptables|...|cidr", for usage lines.
std::string block_format_names();
/// The row named `name`, or nullopt.
std::optional<BlockFormat> parse_block_format(std::string_view name);

/// The minimal set of prefixes whose union equals the union of `prefixes`,
/// sorted (IPv4 first, then by address). Exact: nothing is added.
std::vector<Prefix> merge_prefixes(std::vector<Prefix> prefixes);

/// The minimal sorted set of prefixes covering exactly the addresses of
/// `prefixes` that no prefix of `excluded` covers.
std::vector<Prefix> subtract_prefixes(std::vector<Prefix> prefixes, std::vector<Prefix> excluded);

/// The row of `format`.
const BlockFormatRow& block_format(BlockFormat format);

/// The rules text for already merged prefixes, header comment first.
std::string format_blocklist(const std::vector<Prefix>& merged, BlockFormat format,
                             const BlockHeader& header = {}, const BlockRules& rules = {});

/// The part of `p` that `space` (sorted, disjoint prefixes) covers: p itself,
/// the pieces of space inside p, or nothing.
std::vector<Prefix> intersect_prefix(const Prefix& p, const std::vector<Prefix>& space);

}  // namespace asncounter::ctl
