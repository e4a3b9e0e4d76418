#include "daemon/input/flow/template_flow.hpp"

#include "common/big_endian.hpp"

namespace asncounter::flow {
namespace {

constexpr std::size_t kV9Header = 20;
constexpr std::size_t kIpfixHeader = 16;
constexpr std::size_t kSetHeader = 4;
constexpr std::uint16_t kFirstDataSet = 256;

// The protocol in the cache key's top bits, so that a v9 source id and an
// IPFIX domain of the same number never share templates.
constexpr std::uint64_t domain_key(bool ipfix, std::uint32_t domain) {
  return (ipfix ? std::uint64_t{10} : std::uint64_t{9}) << 32 | domain;
}

struct Context {
  bool ipfix;
  const Address& exporter;
  std::uint64_t domain;
  TemplateCache& cache;
  std::int64_t now;
  std::vector<FlowRecord>& out;
  DecodeResult& r;
  std::uint32_t data_records = 0;  // IPFIX sequence numbers count these
};

// Reads `count` field specifiers at `p` (bounded by `end`) into `t`.
Reject read_fields(const Context& c, const std::uint8_t*& p, const std::uint8_t* end, std::size_t count,
                   Template& t) {
  for (std::size_t i = 0; i < count; ++i) {
    if (end - p < 4) return Reject::length_lies;
    std::uint16_t id = load_be16(p);
    const std::uint16_t length = load_be16(p + 2);
    p += 4;
    // A field of 0 bytes carries nothing, and a template of hundreds of them
    // makes every 1-byte record cost hundreds of steps: refused outright.
    if (length == 0) return Reject::bad_template;
    bool enterprise = false;
    if (c.ipfix && (id & 0x8000U)) {
      if (end - p < 4) return Reject::length_lies;
      p += 4;  // the enterprise number: the field is skipped by its length
      enterprise = true;
      id &= 0x7FFFU;
    }
    TemplateField f;
    f.length = length;
    const bool variable = c.ipfix && length == kVariableLength;
    if (!enterprise) f.role = role_of(id);
    // Addresses of the wrong size are not addresses; counters of 1 to 8 bytes are (reduced size).
    switch (f.role) {
      case Role::src4:
      case Role::dst4:
        if (length != 4) f.role = Role::none;
        break;
      case Role::src6:
      case Role::dst6:
        if (length != 16) f.role = Role::none;
        break;
      case Role::none:
        break;
      default:
        if (length == 0 || length > 8) f.role = Role::none;
        break;
    }
    if (variable) {
      t.variable = true;
      t.min_length += 1;
    } else {
      t.min_length += length;
    }
    t.fields.push_back(f);
  }
  return Reject::none;
}

// A template or options template set: several template records, then padding.
Reject template_set(Context& c, std::uint16_t set_id, const std::uint8_t* p, const std::uint8_t* end) {
  const bool options = c.ipfix ? set_id == 3 : set_id == 1;
  // v9 options templates: id, scope length, option length (bytes, 4 per field).
  // IPFIX: id, field count[, scope field count]; a count of 0 withdraws.
  const std::size_t fixed = options ? 6 : 4;
  // Less than a record header left is padding (an IPFIX withdrawal takes 4 bytes).
  while (end - p >= static_cast<std::ptrdiff_t>(c.ipfix ? 4 : fixed)) {
    const std::uint16_t id = load_be16(p);
    std::size_t count = 0;
    if (c.ipfix) {
      count = load_be16(p + 2);
      if (count == 0) {  // withdrawal: of one template, or of all when the id is the set id
        p += 4;
        if (id == set_id)
          c.cache.withdraw_all(c.exporter, c.domain, options);
        else
          c.cache.withdraw(c.exporter, c.domain, id);
        ++c.r.withdrawn;
        continue;
      }
      if (options) {
        if (end - p < 6) return Reject::length_lies;
        const std::uint16_t scope = load_be16(p + 4);
        if (scope == 0 || scope > count) return Reject::bad_template;
      }
      p += fixed;
    } else if (options) {
      const std::uint16_t scope_bytes = load_be16(p + 2);
      const std::uint16_t option_bytes = load_be16(p + 4);
      if (scope_bytes % 4 != 0 || option_bytes % 4 != 0) return Reject::bad_template;
      count = std::size_t{scope_bytes} / 4 + std::size_t{option_bytes} / 4;
      p += fixed;
    } else {
      count = load_be16(p + 2);
      p += fixed;
    }
    if (id < kFirstDataSet) return Reject::bad_template;
    if (count == 0 || count > c.cache.limits().max_fields) return Reject::bad_template;
    Template t;
    t.options = options;
    t.fields.reserve(count);
    if (const Reject why = read_fields(c, p, end, count, t); why != Reject::none) return why;
    if (t.min_length == 0) return Reject::bad_template;  // records of 0 bytes would never end
    if (c.cache.insert(c.exporter, c.domain, id, std::move(t), c.now))
      ++c.r.templates;
    else
      ++c.r.templates_refused;
  }
  return Reject::none;
}

// The values of one record that matter, wherever the template put them.
struct Values {
  // Each family's pair apart: a template may hold an IPv6 source and an
  // IPv4 destination, and a 4-byte field must never be read as 16.
  const std::uint8_t* src4 = nullptr;
  const std::uint8_t* dst4 = nullptr;
  const std::uint8_t* src6 = nullptr;
  const std::uint8_t* dst6 = nullptr;
  std::uint64_t octets = 0, packets = 0, octets_alt = 0, packets_alt = 0;
  std::uint64_t interval = 0, packet_interval = 0, packet_space = 0, size = 0, population = 0;
};

void take(Values& v, Role role, const std::uint8_t* p, std::size_t length) noexcept {
  switch (role) {
    case Role::none:
      break;
    case Role::src4:
      v.src4 = p;
      break;
    case Role::dst4:
      v.dst4 = p;
      break;
    case Role::src6:
      v.src6 = p;
      break;
    case Role::dst6:
      v.dst6 = p;
      break;
    case Role::octets:
      v.octets = load_be_n(p, length);
      break;
    case Role::packets:
      v.packets = load_be_n(p, length);
      break;
    case Role::octets_alt:
      v.octets_alt = load_be_n(p, length);
      break;
    case Role::packets_alt:
      v.packets_alt = load_be_n(p, length);
      break;
    case Role::sampling_interval:
      v.interval = load_be_n(p, length);
      break;
    case Role::packet_interval:
      v.packet_interval = load_be_n(p, length);
      break;
    case Role::packet_space:
      v.packet_space = load_be_n(p, length);
      break;
    case Role::sampling_size:
      v.size = load_be_n(p, length);
      break;
    case Role::sampling_population:
      v.population = load_be_n(p, length);
      break;
  }
}

// 1 in N from whichever sampling fields the record had; 0 when none.
std::uint32_t rate_of(const Values& v) noexcept {
  std::uint64_t rate = 0;
  if (v.interval) {
    rate = v.interval;
  } else if (v.packet_interval) {
    rate = (v.packet_interval + v.packet_space) / v.packet_interval;
  } else if (v.size && v.population) {
    rate = v.population / v.size;
  }
  return rate > 0xFFFFFFFFULL ? 0xFFFFFFFFU : static_cast<std::uint32_t>(rate);
}

// One record at `p`; its length into `used`. False when a variable-length field runs past `end`.
bool read_record(const Template& t, const std::uint8_t* p, const std::uint8_t* end, Values& v,
                 std::size_t& used) noexcept {
  const std::uint8_t* q = p;
  for (const TemplateField& f : t.fields) {
    std::size_t length = f.length;
    if (t.variable && length == kVariableLength) {
      if (end - q < 1) return false;
      length = *q++;
      if (length == 255) {
        if (end - q < 2) return false;
        length = load_be16(q);
        q += 2;
      }
    }
    if (static_cast<std::size_t>(end - q) < length) return false;
    if (f.role != Role::none) take(v, f.role, q, length);
    q += length;
  }
  used = static_cast<std::size_t>(q - p);
  return true;
}

Reject data_set(Context& c, std::uint16_t set_id, const std::uint8_t* p, const std::uint8_t* end) {
  const Template* t = c.cache.find(c.exporter, c.domain, set_id, c.now);
  if (!t) {
    ++c.r.no_template;
    return Reject::none;
  }
  const std::uint32_t domain_rate = c.cache.sampling(c.exporter, c.domain);
  // Records until what is left is shorter than one: that is padding.
  while (static_cast<std::size_t>(end - p) >= t->min_length) {
    Values v;
    std::size_t used = 0;
    if (!read_record(*t, p, end, v, used)) return Reject::length_lies;
    p += used;
    ++c.data_records;
    const std::uint32_t rate = rate_of(v);
    if (t->options) {
      if (rate) {
        c.cache.set_sampling(c.exporter, c.domain, rate);
        c.r.sampling_rate = rate;
      }
      continue;
    }
    // A template with both pairs (dual-stack exporters) fills the unused one with zeros.
    const bool have4 = v.src4 && v.dst4;
    const bool have6 = v.src6 && v.dst6;
    FlowRecord f;
    if (have4 && (!have6 || load_be32(v.src4) != 0)) {
      f.source = Address::from_v4(load_be32(v.src4));
      f.destination = Address::from_v4(load_be32(v.dst4));
    } else if (have6) {
      f.source = Address::from_v6(V6{load_be64(v.src6), load_be64(v.src6 + 8)});
      f.destination = Address::from_v6(V6{load_be64(v.dst6), load_be64(v.dst6 + 8)});
    } else {
      ++c.r.skipped;  // a layer-2 flow, or a template without a whole address pair
      continue;
    }
    f.octets = v.octets ? v.octets : v.octets_alt;
    f.packets = v.packets ? v.packets : v.packets_alt;
    f.sampling_rate = rate ? rate : domain_rate;
    if (f.sampling_rate) c.r.sampling_rate = f.sampling_rate;
    c.out.push_back(f);
    ++c.r.records;
  }
  return Reject::none;
}

// The sets after the header, up to `end`.
Reject sets(Context& c, const std::uint8_t* p, const std::uint8_t* end) {
  while (p < end) {
    if (end - p < static_cast<std::ptrdiff_t>(kSetHeader)) {
      // v9 lets a datagram end in padding; IPFIX sets fill the message exactly.
      return c.ipfix ? Reject::length_lies : Reject::none;
    }
    const std::uint16_t id = load_be16(p);
    const std::uint16_t length = load_be16(p + 2);
    if (length < kSetHeader || length > end - p) return Reject::length_lies;
    const std::uint8_t* body = p + kSetHeader;
    const std::uint8_t* set_end = p + length;
    p = set_end;
    Reject why = Reject::none;
    if (id >= kFirstDataSet) {
      why = data_set(c, id, body, set_end);
    } else if (c.ipfix ? (id == 2 || id == 3) : (id == 0 || id == 1)) {
      why = template_set(c, id, body, set_end);
    }  // other reserved ids are skipped
    if (why != Reject::none) return why;
  }
  return Reject::none;
}

DecodeResult decode(bool ipfix, std::span<const std::uint8_t> datagram, const Address& exporter,
                    TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept {
  DecodeResult r;
  const std::size_t start = out.size();
  const std::uint8_t* p = datagram.data();
  std::size_t size = datagram.size();
  const std::size_t header = ipfix ? kIpfixHeader : kV9Header;
  if (size < header) {
    r.reject = Reject::truncated;
    return r;
  }
  if (load_be16(p) != (ipfix ? 10 : 9)) {
    r.reject = Reject::bad_version;
    return r;
  }
  std::uint32_t domain = 0;
  if (ipfix) {
    const std::size_t length = load_be16(p + 2);
    if (length < header) {
      r.reject = Reject::length_lies;
      return r;
    }
    if (length > size) {
      r.reject = Reject::truncated;
      return r;
    }
    size = length;
    r.sequence = load_be32(p + 8);
    domain = load_be32(p + 12);
  } else {
    r.sequence = load_be32(p + 12);
    domain = load_be32(p + 16);
  }
  r.has_sequence = true;
  r.domain = domain;
  Context c{ipfix, exporter, domain_key(ipfix, domain), cache, now, out, r};
  // Templates can be refused only by allocation failing; treat that like a
  // cap (the process is out of memory either way) rather than terminate.
  Reject why = Reject::none;
  try {
    why = sets(c, p + header, p + size);
  } catch (...) {
    why = Reject::template_limit;
  }
  if (why != Reject::none) {
    out.resize(start);
    DecodeResult bad;
    bad.reject = why;
    bad.templates = r.templates;
    bad.templates_refused = r.templates_refused;
    return bad;
  }
  r.next_known = !ipfix || r.no_template == 0;
  r.next_sequence = ipfix ? r.sequence + c.data_records : r.sequence + 1;
  return r;
}

}  // namespace

DecodeResult decode_netflow_v9(std::span<const std::uint8_t> datagram, const Address& exporter,
                               TemplateCache& cache, std::int64_t now,
                               std::vector<FlowRecord>& out) noexcept {
  return decode(false, datagram, exporter, cache, now, out);
}

DecodeResult decode_ipfix(std::span<const std::uint8_t> datagram, const Address& exporter,
                          TemplateCache& cache, std::int64_t now, std::vector<FlowRecord>& out) noexcept {
  return decode(true, datagram, exporter, cache, now, out);
}

}  // namespace asncounter::flow
