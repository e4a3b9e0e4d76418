#pragma once
// Block lists for the top talkers: the smallest set of CIDR prefixes that
// covers exactly the given ones (overlaps and adjacent blocks merged), written
// for nft, iptables, ipset, nginx (deny lines), nginx's geo module, or as
// plain CIDR lines. See docs/rpc.md ("block-list").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip.hpp"

namespace asncounter::ctl {

enum class BlockFormat { nft, iptables, ipset, nginx, nginx_geo, cidr };

/// "nft", "iptables", "ipset", "nginx", "nginx-geo" or "cidr".
std::optional<BlockFormat> parse_block_format(std::string_view name);

/// The minimal set of prefixes whose union equals the union of `prefixes`,
/// sorted (IPv4 first, then by address). Exact: nothing is added.
std::vector<Prefix> merge_prefixes(std::vector<Prefix> prefixes);

/// The rules text for already merged prefixes (see docs/rpc.md for each format).
std::string format_blocklist(const std::vector<Prefix>& merged, BlockFormat format);

}  // namespace asncounter::ctl
