#include "daemon/input/capture/pcap_handle.hpp"

#include "daemon/input/capture/packet_decoder.hpp"

namespace asncounter {
namespace {

Result<void> compile_filter(pcap_t* p, const std::string& filter, bpf_program& program) {
  if (pcap_compile(p, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return Error{"bad filter '" + filter + "': " + pcap_geterr(p)};
  return {};
}

Result<void> set_filter(pcap_t* p, const std::string& filter) {
  if (filter.empty()) return {};
  bpf_program program{};
  if (auto ok = compile_filter(p, filter, program); !ok) return ok;
  const int rc = pcap_setfilter(p, &program);
  pcap_freecode(&program);
  if (rc != 0) return Error{"cannot set filter '" + filter + "': " + pcap_geterr(p)};
  return {};
}

// Interfaces may offer several link types (pcap_list_datalinks); when the
// default is not one we decode, take the first one we do.
Result<void> choose_link_type(pcap_t* p, const std::string& name) {
  if (link_type_supported(pcap_datalink(p))) return {};
  int* types = nullptr;
  const int n = pcap_list_datalinks(p, &types);
  for (int i = 0; i < n; ++i) {
    if (link_type_supported(types[i]) && pcap_set_datalink(p, types[i]) == 0) {
      pcap_free_datalinks(types);
      return {};
    }
  }
  if (n >= 0) pcap_free_datalinks(types);
  return Error{check_link_type("interface " + name, pcap_datalink(p)).error()};
}

std::string activation_error(pcap_t* p, int rc, const std::string& name) {
  std::string why = pcap_statustostr(rc);
  const std::string detail = pcap_geterr(p);
  if (!detail.empty()) why += ": " + detail;
  if (rc == PCAP_ERROR_PERM_DENIED) why += " (capture needs root or CAP_NET_RAW)";
  return "cannot capture on " + name + ": " + why;
}

}  // namespace

Result<void> check_link_type(const std::string& what, int dlt) {
  if (link_type_supported(dlt)) return {};
  const char* name = pcap_datalink_val_to_name(dlt);
  return Error{what + " has link type " + (name ? name : std::to_string(dlt)) +
               ", which is not Ethernet, Linux cooked, raw IP or loopback"};
}

pcap_direction_t to_pcap(PcapDirection d) {
  switch (d) {
    case PcapDirection::out:
      return PCAP_D_OUT;
    case PcapDirection::inout:
      return PCAP_D_INOUT;
    case PcapDirection::in:
    case PcapDirection::count_:
      break;
  }
  return PCAP_D_IN;
}

Result<void> check_filter(const std::string& filter) {
  PcapHandle dead(pcap_open_dead(DLT_EN10MB, kLiveSnaplen));
  if (!dead) return Error{"cannot check filter '" + filter + "': out of memory"};
  if (filter.empty()) return {};
  bpf_program program{};
  auto ok = compile_filter(dead.get(), filter, program);
  if (ok) pcap_freecode(&program);
  return ok;
}

Result<BpfProgramPtr> compile_filter_for(int dlt, const std::string& filter) {
  if (filter.empty()) return BpfProgramPtr{};
  PcapHandle dead(pcap_open_dead(dlt, 262144));
  if (!dead) return Error{"cannot compile filter '" + filter + "': out of memory"};
  bpf_program program{};
  if (auto ok = compile_filter(dead.get(), filter, program); !ok) return Error{ok.error()};
  return BpfProgramPtr(new bpf_program(program));
}

Result<PcapHandle> open_live(const std::string& name, const std::string& filter, pcap_direction_t direction) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  PcapHandle p(pcap_create(name.c_str(), errbuf));
  if (!p) return Error{"cannot capture on " + name + ": " + errbuf};
  pcap_set_snaplen(p.get(), kLiveSnaplen);
  pcap_set_promisc(p.get(), 0);
  pcap_set_timeout(p.get(), kLiveTimeoutMs);
  pcap_set_buffer_size(p.get(), kLiveBufferBytes);
  if (const int rc = pcap_activate(p.get()); rc < 0) return Error{activation_error(p.get(), rc, name)};
  if (auto ok = choose_link_type(p.get(), name); !ok) return Error{ok.error()};
  if (pcap_setdirection(p.get(), direction) != 0)
    return Error{"cannot set direction on " + name + ": " + pcap_geterr(p.get())};
  if (auto ok = set_filter(p.get(), filter); !ok) return Error{ok.error()};
  if (pcap_setnonblock(p.get(), 1, errbuf) != 0) return Error{"cannot capture on " + name + ": " + errbuf};
  return p;
}

Result<PcapHandle> open_file(const std::string& path, const std::string& filter) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  PcapHandle p(pcap_open_offline(path.c_str(), errbuf));
  if (!p) return Error{"cannot read capture file " + path + ": " + errbuf};
  if (auto ok = check_link_type("capture file " + path, pcap_datalink(p.get())); !ok)
    return Error{ok.error()};
  if (auto ok = set_filter(p.get(), filter); !ok) return Error{ok.error()};
  return p;
}

}  // namespace asncounter
