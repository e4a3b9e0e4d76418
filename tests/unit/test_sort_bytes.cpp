// `--sort bytes` (issue 26): a volumetric flood (few hits, many bytes) ranks
// first by bytes in top, prefixes and asn, on the wire and in asncounterctl.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/rpc.hpp"
#include "ctl/commands.hpp"
#include "daemon/rpc/dispatch.hpp"
#include "daemon/rpc/handlers.hpp"
#include "daemon/store/event_batch.hpp"
#include "tests/support/fake_daemon.hpp"
#include "tests/support/tables.hpp"

namespace rpc = asncounter::rpc;
using nlohmann::json;

namespace {

// 64496: 10 small requests; 64497: 2 huge ones; 64498: 5 middling ones.
std::unique_ptr<asncounter::test::FakeDaemon> flooded() {
  auto d = std::make_unique<asncounter::test::FakeDaemon>(asncounter::test::table_of(
      {{"192.0.2.0/24", 64496}, {"198.51.100.0/24", 64497}, {"203.0.113.0/24", 64498}}));
  auto batch = std::make_unique<asncounter::EventBatch>();
  batch->has_bytes = true;
  for (int i = 0; i < 10; ++i) batch->push(asncounter::test::addr("192.0.2.1"), 1, 100);
  for (int i = 0; i < 2; ++i) batch->push(asncounter::test::addr("198.51.100.1"), 1, 1000000);
  for (int i = 0; i < 5; ++i) batch->push(asncounter::test::addr("203.0.113.1"), 1, 1000);
  d->store().add(*batch);
  return d;
}

json answer(asncounter::test::FakeDaemon& d, rpc::MethodId m, const rpc::Params& p) {
  auto reply = rpc::Dispatcher::settle(rpc::handle(m, d, p));
  REQUIRE(reply.ok);
  return json::parse(reply.result_json);
}

}  // namespace

TEST_CASE("sort bytes: top, prefixes and asn rank by bytes when asked", "[rpc][sort][trust]") {
  auto d = flooded();
  rpc::Params hits;
  hits.set(rpc::ParamId::limit, 1);
  CHECK(answer(*d, rpc::MethodId::top, hits)["rows"][0]["asn"] == 64496);

  rpc::Params bytes = hits;
  bytes.set_text(rpc::ParamId::sort, "bytes");
  auto top = answer(*d, rpc::MethodId::top, bytes);
  REQUIRE(top["rows"].size() == 1);
  CHECK(top["rows"][0]["asn"] == 64497);
  CHECK(answer(*d, rpc::MethodId::prefixes, bytes)["rows"][0]["prefix"] == "198.51.100.0/24");

  bytes.set(rpc::ParamId::limit, 0);
  auto all = answer(*d, rpc::MethodId::top, bytes)["rows"];
  REQUIRE(all.size() == 3);
  CHECK(all[1]["asn"] == 64498);
  CHECK(all[2]["asn"] == 64496);
}

TEST_CASE("sort: the wire takes hits or bytes and nothing else", "[rpc][sort][trust]") {
  auto parsed = rpc::parse_request(R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"sort":"bytes"}})");
  REQUIRE(std::holds_alternative<rpc::Request>(parsed));
  CHECK(std::get<rpc::Request>(parsed).params.word(rpc::ParamId::sort) == "bytes");
  for (const char* bad : {R"("size")", "1", R"("")", R"("hits|bytes")"}) {
    auto refused = rpc::parse_request(
        std::string(R"({"jsonrpc":"2.0","id":1,"method":"top","params":{"sort":)") + bad + "}}");
    REQUIRE(std::holds_alternative<rpc::RequestError>(refused));
    CHECK(std::get<rpc::RequestError>(refused).code == rpc::ErrorCode::invalid_params);
  }
  rpc::Params p;
  p.set_text(rpc::ParamId::sort, "bytes");
  // make_request ends in a newline; parse_request takes the line without it.
  auto line = rpc::make_request(7, rpc::MethodId::prefixes, p);
  line.pop_back();
  auto back = rpc::parse_request(line);
  REQUIRE(std::holds_alternative<rpc::Request>(back));
  CHECK(std::get<rpc::Request>(back).params == p);
}

TEST_CASE("sort: asncounterctl takes --sort on top, prefixes, asn and block-list", "[ctl][sort][trust]") {
  auto status = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
    std::istringstream in;
    std::ostringstream out, err;
    return asncounter::ctl::run(args, in, out, err);
  };
  CHECK(status({"top", "--sort", "bytes"}) == 3);
  CHECK(status({"prefixes", "--sort=hits"}) == 3);
  CHECK(status({"asn", "64496", "--sort", "bytes"}) == 3);
  CHECK(status({"block-list", "--format", "cidr", "--sort", "bytes"}) == 3);
  CHECK(status({"top", "--sort", "size"}) == 2);
  CHECK(status({"stats", "--sort", "bytes"}) == 2);
}
