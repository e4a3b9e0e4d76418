// whois (issue 26): "which ASN is OVH?" answered from the loaded AS names.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/rpc.hpp"
#include "common/table/as_names.hpp"
#include "ctl/commands.hpp"

TEST_CASE("whois: AS names found by a piece of their name, case ignored, by ASN", "[whois][trust]") {
  auto names = asncounter::AsNames::parse_json(
      R"({"16276": "OVH, FR", "35540": "OVH-TELECOM, FR", "24940": "HETZNER-AS, DE", "64496": "Doc ovh-ish, ZZ"})");
  REQUIRE(names);
  auto found = names->find("ovh", 10);
  REQUIRE(found.size() == 3);
  CHECK(found[0].first == 16276);
  CHECK(found[0].second == "OVH, FR");
  CHECK(found[1].first == 35540);
  CHECK(found[2].first == 64496);
  CHECK(names->find("OVH", 1).size() == 1);
  CHECK(names->find("hetzner-as, de", 10).size() == 1);
  CHECK(names->find("nothing like it", 10).empty());
}

TEST_CASE("whois: the wire takes a text, asncounterctl joins its words", "[whois][trust]") {
  namespace rpc = asncounter::rpc;
  auto ok = rpc::parse_request(R"({"jsonrpc":"2.0","id":1,"method":"whois","params":{"text":"ovh"}})");
  REQUIRE(std::holds_alternative<rpc::Request>(ok));
  CHECK(std::get<rpc::Request>(ok).params.word(rpc::ParamId::text) == "ovh");
  for (const char* bad : {R"({"text":""})", R"({"text":5})", R"({})"}) {
    auto refused =
        rpc::parse_request(std::string(R"({"jsonrpc":"2.0","id":1,"method":"whois","params":)") + bad + "}");
    CHECK(std::holds_alternative<rpc::RequestError>(refused));
  }
  auto status = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", "/nonexistent/asncounter.sock"});
    std::istringstream in;
    std::ostringstream out, err;
    return asncounter::ctl::run(args, in, out, err);
  };
  CHECK(status({"whois", "hetzner", "online"}) == 3);  // a request made; the daemon is unreachable
  CHECK(status({"whois"}) == 2);
}
