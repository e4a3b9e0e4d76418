#pragma once
// The `series` method (docs/rpc.md): per-step hits and bytes over a window,
// from the history's closed steps, of the total, of one ASN, or of the top
// N ASNs of the window with the rest as "other", so that a chart can be
// drawn (the web page, `asncounterctl asn N --series`).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/counts.hpp"
#include "common/rpc.hpp"
#include "common/table/as_names.hpp"
#include "daemon/rpc/daemon_control.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/store/history_config.hpp"

namespace asncounter::rpc {

/// Window when none is asked for: the last hour.
inline constexpr std::uint32_t kDefaultSeriesWindow = 3600;
/// Most ASNs one answer charts (limit beyond it is cut).
inline constexpr std::size_t kMaxSeriesAsns = 100;

/// One line of a chart: its counts per step, in step order.
struct SeriesLine {
  enum class Kind { total, asn, other } kind = Kind::total;
  std::optional<std::uint32_t> asn;  ///< for Kind::asn; nullopt there: the unrouted row
  std::vector<std::uint64_t> hits, bytes;
};

struct Series {
  /// Each step's start and end, seconds before now (the export's moment).
  std::vector<std::pair<double, double>> steps;
  std::vector<SeriesLine> lines;  ///< the total first
};

/// The lines of the closed `steps` (oldest first) that start within the last
/// `window`: the total, and `asn`'s line when given, else the `top` ASNs of
/// the window by hits (ties: lower ASN first) and "other" when top > 0.
Series make_series(const std::vector<SavedStep>& steps, std::chrono::seconds window,
                   std::optional<std::uint32_t> asn, std::size_t top);

/// The handler of MethodId::series (off the loop: it reads the history).
Reply series(DaemonControl& d, const Params& p, const AnswerCaps& caps);

}  // namespace asncounter::rpc
