#include "daemon/input/flow/flow_collector.hpp"

#include <algorithm>

namespace asncounter::flow {

std::size_t FlowCollector::AddressHash::operator()(const Address& a) const noexcept {
  const std::uint64_t x = a.is_v4() ? a.v4 : a.v6.hi ^ (a.v6.lo * 0x9E3779B97F4A7C15ULL);
  return static_cast<std::size_t>((x ^ (x >> 29)) * 0xBF58476D1CE4E5B9ULL);
}

namespace {

void add_stats(ExporterStats& to, const ExporterStats& s) {
  to.datagrams += s.datagrams;
  to.records += s.records;
  to.sequence_gaps += s.sequence_gaps;
  to.restarts += s.restarts;
  to.no_template += s.no_template;
  to.counter_samples += s.counter_samples;
  for (std::size_t i = 0; i < kRejectReasons; ++i) to.rejected[i] += s.rejected[i];
}

}  // namespace

// Slots go by recent activity, not first come: when all are taken, a new
// exporter takes the slot of the one silent longest, if silent for
// idle_seconds (its counts move to "other", so no total goes down). A
// spoofer that took every slot first loses them once it stops, and real
// exporters, which send every few seconds, are never pushed out.
FlowCollector::Exporter& FlowCollector::exporter(const Address& a, std::int64_t now) {
  if (const auto it = exporters_.find(a); it != exporters_.end()) return it->second;
  if (exporters_.size() < limits_.max_exporters) return exporters_[a];
  if (now < no_idle_before_) return other_;
  auto oldest = exporters_.begin();
  for (auto it = exporters_.begin(); it != exporters_.end(); ++it)
    if (it->second.last_seen < oldest->second.last_seen) oldest = it;
  if (oldest == exporters_.end() || now - oldest->second.last_seen < limits_.idle_seconds) {
    no_idle_before_ = oldest == exporters_.end() ? now + 1 : oldest->second.last_seen + limits_.idle_seconds;
    return other_;
  }
  add_stats(other_.stats, oldest->second.stats);
  exporters_.erase(oldest);
  return exporters_[a];
}

// The operator's override wins over the exporter's rate and is trusted; a
// rate the exporter claims, and every packet and octet count, must be under
// the ceilings. Refused records are taken out in place, order kept.
void FlowCollector::bound_records(const Address& a, ExporterStats& s, std::vector<FlowRecord>& out,
                                  std::size_t from, DecodeResult& r) const {
  const std::optional<std::uint32_t> forced = override_for(limits_.overrides, a);
  RecordBounds bounds = limits_.records;
  if (forced) bounds.max_sampling = UINT32_MAX;
  std::size_t kept = from;
  for (std::size_t i = from; i < out.size(); ++i) {
    FlowRecord& f = out[i];
    if (forced) f.sampling_rate = *forced;
    const Reject why = check_record(f, bounds);
    if (why != Reject::none) {
      ++s.rejected[static_cast<std::size_t>(why)];
      continue;
    }
    if (kept != i) out[kept] = f;
    ++kept;
  }
  r.records -= static_cast<std::uint32_t>(out.size() - kept);
  out.resize(kept);
}

const ExporterStats* FlowCollector::stats(const Address& a) const {
  const auto it = exporters_.find(a);
  return it == exporters_.end() ? nullptr : &it->second.stats;
}

DecodeResult FlowCollector::receive(const Address& exporter_address, std::span<const std::uint8_t> datagram,
                                    std::int64_t now, std::vector<FlowRecord>& out) {
  const std::size_t from = out.size();
  DecodeResult r = decode_datagram(port_, datagram, DecodeContext{exporter_address, cache_, now}, out);
  Exporter& e = exporter(exporter_address, now);
  e.last_seen = now;
  ExporterStats& s = e.stats;
  ++s.datagrams;
  s.rejected[static_cast<std::size_t>(Reject::template_limit)] += r.templates_refused;
  if (r.reject != Reject::none) {
    ++s.rejected[static_cast<std::size_t>(r.reject)];
    return r;
  }
  bound_records(exporter_address, s, out, from, r);
  s.records += r.records;
  s.no_template += r.no_template;
  s.counter_samples += r.counter_samples;
  if (r.sampling_rate && r.sampling_rate != s.sampling_rate) {
    if (s.sampling_rate && rate_change_ && &e != &other_)
      rate_change_(exporter_address, s.sampling_rate, r.sampling_rate);
    s.sampling_rate = r.sampling_rate;
  }
  track_sequence(e, datagram_version(port_, datagram), r);
  return r;
}

// Sequence numbers: ahead of the expected one by N means N lost (datagrams
// for sFlow and v9, flows for v5 and IPFIX); a little behind is a late
// datagram (its loss was counted too early: taken back); far behind is an
// exporter that restarted, which starts the count afresh and loses nothing.
void FlowCollector::track_sequence(Exporter& e, std::uint32_t version, const DecodeResult& r) {
  if (!r.has_sequence) return;
  const std::uint64_t key = std::uint64_t{version} << 32 | r.domain;
  auto it = std::find_if(e.streams.begin(), e.streams.end(), [key](const Stream& s) { return s.key == key; });
  if (it == e.streams.end()) {
    if (e.streams.size() >= limits_.max_domains) return;
    e.streams.push_back(Stream{key, 0, false});
    it = e.streams.end() - 1;
  }
  Stream& st = *it;
  ExporterStats& s = e.stats;
  const std::uint32_t step = r.next_sequence - r.sequence;
  if (st.known) {
    const std::uint32_t ahead = r.sequence - st.expected;
    const std::uint32_t behind = st.expected - r.sequence;
    const std::uint32_t window = 64 * std::max<std::uint32_t>(step, 1);
    if (ahead == 0) {
      // in order
    } else if (ahead < 0x80000000U) {
      s.sequence_gaps += ahead;
    } else if (behind <= window) {
      s.sequence_gaps -= std::min<std::uint64_t>(s.sequence_gaps, step);
      return;  // late: the expected number stays
    } else {
      ++s.restarts;
    }
  }
  st.expected = r.next_sequence;
  st.known = r.next_known;
}

}  // namespace asncounter::flow
