#include "daemon/mitigate/nft_backend.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "daemon/mitigate/allow_list.hpp"
#include "daemon/mitigate/nft_library.hpp"

namespace asncounter::mitigate {
namespace {

using nlohmann::json;

std::string family_set(const Prefix& p) { return p.addr.family == Family::v4 ? "block4" : "block6"; }

// An element's value as nft's JSON writes it: {"prefix": {"addr", "len"}}
// for a prefix, a plain address string for a host.
std::optional<Prefix> element_prefix(const json& val) {
  if (val.is_string()) {
    auto a = parse_address(val.get<std::string>());
    if (!a) return std::nullopt;
    return Prefix{*a, static_cast<std::uint8_t>(family_bits(a->family))};
  }
  if (val.is_object() && val.contains("prefix")) {
    const json& p = val["prefix"];
    if (!p.contains("addr") || !p.contains("len") || !p["addr"].is_string() || !p["len"].is_number_unsigned())
      return std::nullopt;
    return parse_prefix(p["addr"].get<std::string>() + "/" + std::to_string(p["len"].get<unsigned>()));
  }
  return std::nullopt;
}

std::uint64_t number_at(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

bool has_flags(const json& set) {
  auto it = set.find("flags");
  if (it == set.end() || !it->is_array()) return false;
  bool interval = false, timeout = false;
  for (const auto& f : *it) {
    interval = interval || f == "interval";
    timeout = timeout || f == "timeout";
  }
  return interval && timeout;
}

}  // namespace

std::string element_text(const Element& e, std::int64_t now) {
  // At least a second: a zero timeout would mean the set's default (none).
  std::int64_t left = std::max<std::int64_t>(e.expires - now, 1);
  return to_string(e.prefix) + " timeout " + std::to_string(left) + "s";
}

NftBackend::NftBackend(const NftLibrary& lib, nft_ctx* ctx, std::string table, std::vector<std::string> hooks)
    : lib_(lib), ctx_(ctx), table_(std::move(table)), hooks_(std::move(hooks)) {}

NftBackend::~NftBackend() { lib_.ctx_free(ctx_); }

Result<std::unique_ptr<NftBackend>> NftBackend::open(std::string table, std::vector<std::string> hooks) {
  auto loaded = nft_library();
  if (!loaded) return Error{loaded.error()};
  const NftLibrary& lib = **loaded;
  nft_ctx* ctx = lib.ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return Error{"cannot create an nftables context (libnftables)"};
  lib.ctx_buffer_output(ctx);
  lib.ctx_buffer_error(ctx);
  std::unique_ptr<NftBackend> b(new NftBackend(lib, ctx, std::move(table), std::move(hooks)));
  // Listing needs what changing needs: CAP_NET_ADMIN and nf_tables.
  if (auto listed = b->run("list tables"); !listed)
    return Error{"nftables is not usable (mitigate-mode enforce needs CAP_NET_ADMIN and nf_tables): " +
                 listed.error()};
  return b;
}

Result<void> NftBackend::run(const std::string& commands) {
  lib_.ctx_output_set_flags(ctx_, 0);
  if (lib_.run_cmd_from_buffer(ctx_, commands.c_str()) != 0) {
    std::string why = lib_.ctx_get_error_buffer(ctx_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);  // the first line says it
    return Error{why.empty() ? std::string("nft failed") : why};
  }
  (void)lib_.ctx_get_output_buffer(ctx_);  // reading the buffer empties it
  return {};
}

Result<std::string> NftBackend::run_json(const std::string& commands) {
  lib_.ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
  int rc = lib_.run_cmd_from_buffer(ctx_, commands.c_str());
  lib_.ctx_output_set_flags(ctx_, 0);
  std::string out = lib_.ctx_get_output_buffer(ctx_);
  if (rc != 0) {
    std::string why = lib_.ctx_get_error_buffer(ctx_);
    return Error{why.empty() ? std::string("nft failed") : why};
  }
  return out;
}

Result<KernelView> NftBackend::read() {
  KernelView view;
  auto text = run_json("list table inet " + table_);
  if (!text) return view;  // no table: incomplete, nothing in it
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("nftables") || !doc["nftables"].is_array())
    return Error{"nft's JSON output is not readable"};
  bool table = false;
  std::set<std::string> sets;
  std::map<std::string, int> chain_rules;
  for (const json& item : doc["nftables"]) {
    if (item.contains("table")) table = true;
    if (auto s = item.find("set"); s != item.end()) {
      const std::string name = s->value("name", "");
      if ((name == "block4" || name == "block6") && has_flags(*s)) sets.insert(name);
      if (auto elems = s->find("elem"); elems != s->end() && elems->is_array()) {
        for (const json& e : *elems) {
          const json& inner = e.contains("elem") ? e["elem"] : e;
          auto prefix = element_prefix(inner.contains("val") ? inner["val"] : inner);
          if (!prefix) continue;
          KernelElement k{*prefix,
                          static_cast<std::int64_t>(inner.is_object() ? number_at(inner, "expires") : 0)};
          if (inner.is_object() && inner.contains("counter") && inner["counter"].is_object()) {
            k.packets = number_at(inner["counter"], "packets");
            k.bytes = number_at(inner["counter"], "bytes");
          }
          view.elements.push_back(k);
        }
      }
    }
    if (auto r = item.find("rule"); r != item.end()) {
      const std::string dumped = r->dump();
      bool drops =
          dumped.find("\"drop\"") != std::string::npos &&
          (dumped.find("@block4") != std::string::npos || dumped.find("@block6") != std::string::npos);
      if (drops) ++chain_rules[r->value("chain", "")];
      for (const json& expr : r->value("expr", json::array())) {
        if (auto c = expr.find("counter"); c != expr.end() && c->is_object()) {
          view.packets_dropped += number_at(*c, "packets");
          view.bytes_dropped += number_at(*c, "bytes");
        }
      }
    }
  }
  view.complete = table && sets.size() == 2 && chain_rules.size() == hooks_.size();
  for (const std::string& hook : hooks_) view.complete = view.complete && chain_rules[hook] == 2;
  return view;
}

std::string NftBackend::skeleton() const {
  const std::string t = "inet " + table_;
  // Adding then deleting makes the delete safe when the table is not there.
  std::string s = "add table " + t + "\ndelete table " + t + "\nadd table " + t + "\n";
  s += "add set " + t + " block4 { type ipv4_addr; flags interval, timeout; counter; }\n";
  s += "add set " + t + " block6 { type ipv6_addr; flags interval, timeout; counter; }\n";
  for (const std::string& hook : hooks_) {
    s += "add chain " + t + " " + hook + " { type filter hook " + hook +
         " priority filter - 10; policy accept; }\n";
    s += "add rule " + t + " " + hook + " ip saddr @block4 counter drop\n";
    s += "add rule " + t + " " + hook + " ip6 saddr @block6 counter drop\n";
  }
  return s;
}

Result<SyncReport> NftBackend::sync(const std::vector<Element>& want, std::int64_t now) {
  SyncReport report;
  auto view = read();
  if (!view) return Error{view.error()};
  std::map<Prefix, std::int64_t> present;  // kernel prefix -> seconds left
  for (const KernelElement& k : view->elements) present[k.prefix] = k.expires_in;
  std::map<Prefix, std::int64_t> wanted;
  for (const Element& e : want) wanted[e.prefix] = e.expires;

  auto rebuild = [&]() -> Result<SyncReport> {
    std::string commands = skeleton();
    for (const Element& e : want)
      commands +=
          "add element inet " + table_ + " " + family_set(e.prefix) + " { " + element_text(e, now) + " }\n";
    if (auto done = run(commands); !done) return Error{done.error()};
    applied_ = wanted;
    report.rebuilt = true;
    report.added = want.size();
    return report;
  };
  if (!view->complete) {
    if (!applied_.empty() || !present.empty())
      report.repair = "the table, a set or a chain was missing or altered";
    return rebuild();
  }
  std::string commands;
  std::vector<std::string> extra;
  for (const auto& [prefix, left] : present) {
    if (wanted.count(prefix)) continue;
    // About to expire by itself: deleting it could race the kernel and fail the transaction.
    if (left <= 2) continue;
    commands +=
        "delete element inet " + table_ + " " + family_set(prefix) + " { " + to_string(prefix) + " }\n";
    if (!applied_.count(prefix)) extra.push_back(to_string(prefix));
    ++report.deleted;
  }
  for (const Element& e : want) {
    auto in_kernel = present.find(e.prefix);
    auto before = applied_.find(e.prefix);
    bool changed = before != applied_.end() && before->second != e.expires;
    if (in_kernel != present.end() && !changed) continue;
    if (in_kernel != present.end())
      commands +=
          "delete element inet " + table_ + " " + family_set(e.prefix) + " { " + to_string(e.prefix) + " }\n";
    else if (before != applied_.end() && e.expires - now > 2)
      extra.push_back(to_string(e.prefix) + " (missing)");
    commands +=
        "add element inet " + table_ + " " + family_set(e.prefix) + " { " + element_text(e, now) + " }\n";
    ++report.added;
  }
  if (!extra.empty()) {
    report.repair = "elements changed under the daemon:";
    for (const auto& x : extra) report.repair += " " + x;
  }
  if (commands.empty()) {
    applied_ = wanted;
    return report;
  }
  if (auto done = run(commands); !done) {
    // An element expired between the read and the write, or something else
    // moved: make the whole table again, in one transaction too.
    report = SyncReport{};
    report.repair = "a change failed (" + done.error() + "); the table was made again";
    return rebuild();
  }
  applied_ = wanted;
  return report;
}

Result<void> NftBackend::remove() {
  applied_.clear();
  return run("add table inet " + table_ + "\ndelete table inet " + table_);
}

}  // namespace asncounter::mitigate
