#pragma once
// Two network namespaces joined by a veth pair, for the mitigation tests: the
// daemon runs in the receiving one ("actrx<pid>"), capturing on its veth end;
// a sender in the other ("acttx<pid>") sends UDP from documentation
// addresses it holds to a receiver that counts packets per source. Deleted
// (namespaces, processes) at the end.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace asncounter::test {

class MitigateNetns {
 public:
  /// The receiver's address, and the sources the sender may use.
  static constexpr const char* kReceiver = "203.0.113.1";
  static constexpr int kPort = 5353;

  /// Sets up both namespaces; ok() false (and why()) when that is not permitted here.
  MitigateNetns(const std::filesystem::path& dir, const std::vector<std::string>& sources);
  ~MitigateNetns();
  MitigateNetns(const MitigateNetns&) = delete;
  MitigateNetns& operator=(const MitigateNetns&) = delete;

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::string& rx() const { return rx_; }
  /// The receiving veth end (the daemon's pcap: input).
  const std::string& rx_if() const { return rx_if_; }

  /// Starts sending `pps` packets a second from each of `sources` for `seconds`
  /// (in the background); returns the sender's pid.
  pid_t send(const std::vector<std::string>& sources, int pps, double seconds);
  /// Stops a sender started by send().
  void stop(pid_t sender);
  /// Packets the receiver has seen from each source so far.
  std::map<std::string, std::uint64_t> received() const;
  /// `nft` run in the receiving namespace; its output.
  std::string nft(const std::string& args) const;
  /// The prefixes in the set `set` of table inet asncounter ("" when none), sorted.
  std::vector<std::string> set_elements(const std::string& set) const;
  /// The packets the table's drop rules counted.
  std::uint64_t dropped() const;

 private:
  std::filesystem::path dir_;
  std::string rx_, tx_, rx_if_, tx_if_;
  pid_t receiver_ = -1;
  std::vector<pid_t> senders_;
  bool ok_ = false;
  std::string why_;
};

}  // namespace asncounter::test
