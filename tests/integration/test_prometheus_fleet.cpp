// The fleet view on a real engine (issue 13): a real Prometheus (Debian's
// `prometheus`) scrapes three real daemons fed different parts of one
// stream, with the recording rules of etc/prometheus/asncounter.rules.yml.
// `topk(10, sum by (asn) (increase(...)))` gives the true top 10 of what was
// fed in an interval, and a burst from a new ASN on one daemon is in the
// global top within two scrapes. docs/operations.md "Fleet".
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/refresh/http_fetch.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/support/child_process.hpp"

using asncounter::test::ChildProcess;
using asncounter::test::DaemonFixture;
using asncounter::test::TempDir;
using nlohmann::json;

namespace {

constexpr int kAsns = 30;         // 65000 + i announces 10.i.0.0/16
constexpr int kBurstAsn = kAsns;  // a new one, in the table but never seen before the burst
constexpr int kDaemons = 3;
constexpr int kTopK = 12;          // per daemon: fewer series than ASNs
constexpr double kInterval = 1.0;  // Prometheus' scrape interval, seconds

std::string address(int asn_index) { return "10." + std::to_string(asn_index) + ".0.1\n"; }
std::string asn_label(int asn_index) { return std::to_string(65000 + asn_index); }

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class Prometheus {
 public:
  explicit Prometheus(const std::vector<int>& targets) {
    std::ofstream config(dir_ / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "rule_files:\n  - " << ASNCOUNTER_SOURCE_DIR << "/etc/prometheus/asncounter.rules.yml\n"
           << "scrape_configs:\n  - job_name: asncounter\n    static_configs:\n      - targets: [";
    for (std::size_t i = 0; i < targets.size(); ++i)
      config << (i ? ", " : "") << "'127.0.0.1:" << targets[i] << "'";
    config << "]\n";
    config.close();
    api_ = "127.0.0.1:" + std::to_string(asncounter::test::free_tcp_port());
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "sh", "-c",
        "exec prometheus --config.file=" + (dir_ / "prometheus.yml").string() +
            " --storage.tsdb.path=" + (dir_ / "data").string() + " --web.listen-address=" + api_ + " 2>" +
            (dir_ / "prometheus.log").string()});
  }
  ~Prometheus() { server_->stop(SIGTERM); }

  /// An instant query's result (empty when the server is not up yet).
  json query(const std::string& expr, double at = 0) const {
    asncounter::FetchLimits limits;
    limits.connect_timeout_s = 2;
    limits.total_timeout_s = 5;
    std::string url = "http://" + api_ + "/api/v1/query?query=" + url_encode(expr);
    if (at > 0) url += "&time=" + std::to_string(at);
    auto r = asncounter::fetch_to_string(url, limits);
    if (!r) return json::array();
    json j = json::parse(*r, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return json::array();
    return j["data"]["result"];
  }
  /// The value of a query that answers one number (-1: none).
  double scalar(const std::string& expr, double at = 0) const {
    json r = query(expr, at);
    if (r.size() != 1) return -1;
    return std::stod(r[0]["value"][1].get<std::string>());
  }
  /// Polls until `expr` answers `want` (bounded: a broken setup fails, not hangs).
  bool wait_for(const std::string& expr, double want) const {
    for (int i = 0; i < 600; ++i) {
      if (scalar(expr) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  TempDir dir_;
  std::string api_;
  std::unique_ptr<ChildProcess> server_;
};

/// asn label -> value of a vector result.
std::map<std::string, double> by_asn(const json& result) {
  std::map<std::string, double> out;
  for (const auto& r : result)
    out[r["metric"].value("asn", "")] = std::stod(r["value"][1].get<std::string>());
  return out;
}

/// One stream of `counts[i]` hits of each ASN i, shuffled, dealt to the
/// daemons in turn: each gets a different part of it.
void feed(std::vector<std::unique_ptr<DaemonFixture>>& daemons, const std::vector<int>& counts,
          std::vector<std::uint64_t>& fed, std::uint32_t seed) {
  std::vector<int> events;
  for (int i = 0; i < static_cast<int>(counts.size()); ++i) events.insert(events.end(), counts[i], i);
  std::shuffle(events.begin(), events.end(), std::mt19937(seed));
  std::vector<std::string> parts(daemons.size());
  for (std::size_t j = 0; j < events.size(); ++j) {
    parts[j % parts.size()] += address(events[j]);
    ++fed[j % parts.size()];
  }
  for (std::size_t d = 0; d < daemons.size(); ++d) {
    daemons[d]->write_fifo(parts[d]);
    REQUIRE(daemons[d]->wait_for_hits(fed[d]) == fed[d]);
  }
}

double total(const std::vector<std::uint64_t>& fed) {
  double t = 0;
  for (auto f : fed) t += static_cast<double>(f);
  return t;
}

const std::string kTop10 = R"(topk(10, sum by (asn) (increase(asncounter_asn_hits_total{asn!="other"}[)";

}  // namespace

TEST_CASE("Prometheus over three daemons gives the true top 10 of an interval and sees a burst",
          "[metrics][integration][fleet]") {
  if (!asncounter::test::have_program("prometheus"))
    ASNCOUNTER_SKIP("Debian's prometheus package is not installed (scripts/bootstrap installs it)");
  DaemonFixture::Setup setup;
  for (int i = 0; i <= kAsns; ++i)
    setup.routes.emplace_back("10." + std::to_string(i) + ".0.0/16", static_cast<std::uint32_t>(65000 + i));
  std::vector<std::unique_ptr<DaemonFixture>> daemons;
  std::vector<int> ports;
  for (int d = 0; d < kDaemons; ++d) {
    ports.push_back(asncounter::test::free_tcp_port());
    DaemonFixture::Setup s = setup;
    s.extra_args = {"--metrics-listen", "127.0.0.1:" + std::to_string(ports.back()), "--metrics-top-asns",
                    std::to_string(kTopK)};
    daemons.push_back(std::make_unique<DaemonFixture>(s));
  }
  Prometheus prom(ports);
  const double test_start = wall_now();
  std::vector<std::uint64_t> fed(kDaemons);

  // Stream A: ASNs 0..11 rising (11 the most), the others a trickle. Its
  // since-start order differs from B's below, so the interval is what counts.
  std::vector<int> a(kAsns, 5);
  for (int i = 0; i < kTopK; ++i) a[i] = 100 + 200 * i;
  feed(daemons, a, fed, 1);
  REQUIRE(prom.wait_for("sum(asncounter_hits_total)", total(fed)));
  const double t1 = wall_now();
  // A few scrapes of A's state after t1: the interval's first samples.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));

  // Stream B, the interval: ASN i gets 2000 * 0.8^i; neighbours differ by 25%.
  std::vector<int> b(kAsns);
  for (int i = 0; i < kAsns; ++i) b[i] = static_cast<int>(std::lround(2000 * std::pow(0.8, i)));
  feed(daemons, b, fed, 2);
  REQUIRE(prom.wait_for("sum(asncounter_hits_total)", total(fed)));
  // A range of at least 20 s, its last samples all after B.
  while (wall_now() < t1 + 22) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double t2 = wall_now();
  const int range = static_cast<int>(t2 - t1);  // (t2 - range, t2] starts after t1, before B

  // The true top 10 of B: ASNs 0..9, b[0] > b[1] > ...
  // 1. The raw counters at two instants, summed over the fleet: exact.
  auto before = by_asn(prom.query(R"(sum by (asn) (asncounter_asn_hits_total{asn!="other"}))", t1));
  auto after = by_asn(prom.query(R"(sum by (asn) (asncounter_asn_hits_total{asn!="other"}))", t2));
  for (int i = 0; i < 10; ++i) {
    INFO("ASN " << asn_label(i));
    CHECK(after[asn_label(i)] - before[asn_label(i)] == b[i]);
  }
  // 2. topk over increase(): the same ASNs in the same order. increase()
  // extrapolates the first-to-last-sample delta (exact: counters are flat at
  // both ends) towards the range's ends, by at most ~1.1 scrape interval on
  // each side, so each value is within [true, true * range / (range - 3 s)]
  // (3 s: 2.2 intervals and scrape jitter): < +16% for 22 s, less than the
  // 25% between neighbours, so the ranks cannot swap.
  json top = prom.query(kTop10 + std::to_string(range) + "s])))", t2);
  REQUIRE(top.size() == 10);
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& r : top)
    ranked.emplace_back(std::stod(r["value"][1].get<std::string>()), r["metric"].value("asn", ""));
  std::sort(ranked.rbegin(), ranked.rend());
  const double slack = range / (range - 3 * kInterval);
  for (int i = 0; i < 10; ++i) {
    INFO("rank " << i + 1 << ": " << ranked[i].second << " " << ranked[i].first);
    CHECK(ranked[i].second == asn_label(i));
    CHECK(ranked[i].first >= b[i] - 1e-6);
    CHECK(ranked[i].first <= b[i] * slack);
  }
  // The recording rules load and record the fleet's view.
  CHECK(prom.query("asn:asncounter_asn_hits:top10_rate5m").size() == 10);

  // A burst from a new ASN on daemon 0, sustained (20000 hits/s for 3 s).
  // Its first chunk is counted before the clock starts: a scrape cannot see
  // what the daemon has not read yet.
  const std::string chunk = [] {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += address(kBurstAsn);
    return s;
  }();
  daemons[0]->write_fifo(chunk);
  fed[0] += 2000;
  REQUIRE(daemons[0]->wait_for_hits(fed[0]) == fed[0]);
  const double burst_start = wall_now();
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    daemons[0]->write_fifo(chunk);
    fed[0] += 2000;
  }
  REQUIRE(daemons[0]->wait_for_hits(fed[0]) == fed[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the scrapes after it are in
  // Daemon 0's scrapes since the burst began, from Prometheus' own samples.
  std::string instance = "127.0.0.1:" + std::to_string(ports[0]);
  json samples = prom.query("asncounter_hits_total{instance=\"" + instance + "\"}[30s]");
  REQUIRE(samples.size() == 1);
  std::vector<double> scrapes;
  for (const auto& v : samples[0]["values"])
    if (v[0].get<double>() > burst_start) scrapes.push_back(v[0].get<double>());
  REQUIRE(scrapes.size() >= 2);
  // At the second scrape the new ASN is in the fleet's top 10 (it needs
  // two: increase() takes the difference of two samples).
  auto second = by_asn(prom.query(kTop10 + "60s])))", scrapes[1]));
  INFO("burst started at " << std::fixed << burst_start << ", scrapes at " << scrapes[0] << ", "
                           << scrapes[1]);
  CHECK(second.count(asn_label(kBurstAsn)) == 1);
  CHECK(second.size() == 10);

  // On every scrape of every daemon, the per-ASN series and other sum to
  // the total (Prometheus' own samples, every 0.5 s of the test).
  std::string window = std::to_string(static_cast<int>(wall_now() - test_start) + 2) + "s:500ms";
  for (const char* field : {"hits", "bytes"}) {
    std::string diff = std::string("abs(sum by (instance) (asncounter_asn_") + field +
                       "_total) - sum by (instance) (asncounter_" + field + "_total))";
    json worst = prom.query("max_over_time((" + diff + ")[" + window + "])");
    INFO(field << ": " << worst.dump());
    REQUIRE(worst.size() == kDaemons);
    for (const auto& w : worst) CHECK(w["value"][1].get<std::string>() == "0");
  }
  for (auto& d : daemons) CHECK(d->stop(SIGTERM) == 0);
}
