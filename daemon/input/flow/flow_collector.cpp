#include "daemon/input/flow/flow_collector.hpp"

#include <algorithm>

#include "common/big_endian.hpp"
#include "daemon/input/flow/netflow_v5.hpp"
#include "daemon/input/flow/sflow_v5.hpp"
#include "daemon/input/flow/template_flow.hpp"

namespace asncounter::flow {
namespace {

std::uint32_t version_of(std::span<const std::uint8_t> d, FlowPort port) noexcept {
  if (port == FlowPort::sflow) return d.size() >= 4 ? load_be32(d.data()) : 0;
  return d.size() >= 2 ? load_be16(d.data()) : 0;
}

}  // namespace

DecodeResult decode_netflow(std::span<const std::uint8_t> datagram, const Address& exporter,
                            TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept {
  DecodeResult r;
  if (datagram.size() < 2) {
    r.reject = Reject::truncated;
    return r;
  }
  switch (load_be16(datagram.data())) {
    case 5:
      return decode_netflow_v5(datagram, out);
    case 9:
      return decode_netflow_v9(datagram, exporter, cache, now, out);
    case 10:
      return decode_ipfix(datagram, exporter, cache, now, out);
    default:
      r.reject = Reject::bad_version;
      return r;
  }
}

std::size_t FlowCollector::AddressHash::operator()(const Address& a) const noexcept {
  const std::uint64_t x = a.is_v4() ? a.v4 : a.v6.hi ^ (a.v6.lo * 0x9E3779B97F4A7C15ULL);
  return static_cast<std::size_t>((x ^ (x >> 29)) * 0xBF58476D1CE4E5B9ULL);
}

FlowCollector::Exporter& FlowCollector::exporter(const Address& a) {
  if (const auto it = exporters_.find(a); it != exporters_.end()) return it->second;
  if (exporters_.size() >= limits_.max_exporters) return other_;
  return exporters_[a];
}

const ExporterStats* FlowCollector::stats(const Address& a) const {
  const auto it = exporters_.find(a);
  return it == exporters_.end() ? nullptr : &it->second.stats;
}

DecodeResult FlowCollector::receive(const Address& exporter_address, std::span<const std::uint8_t> datagram,
                                    std::int64_t now, std::vector<FlowRecord>& out) {
  const DecodeResult r = port_ == FlowPort::sflow
                             ? decode_sflow_v5(datagram, out)
                             : decode_netflow(datagram, exporter_address, cache_, now, out);
  Exporter& e = exporter(exporter_address);
  ExporterStats& s = e.stats;
  ++s.datagrams;
  s.rejected[static_cast<std::size_t>(Reject::template_limit)] += r.templates_refused;
  if (r.reject != Reject::none) {
    ++s.rejected[static_cast<std::size_t>(r.reject)];
    return r;
  }
  s.records += r.records;
  s.no_template += r.no_template;
  s.counter_samples += r.counter_samples;
  if (r.sampling_rate) s.sampling_rate = r.sampling_rate;
  track_sequence(e, version_of(datagram, port_), r);
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
