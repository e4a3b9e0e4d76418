#include <catch2/catch.hpp>
#include <string>

#include "daemon/mitigate/decision_book.hpp"
#include "daemon/mitigate/decision_file.hpp"
#include "tests/support/addresses.hpp"

using asncounter::mitigate::AllowList;
using asncounter::mitigate::BookLimits;
using asncounter::mitigate::Decision;
using asncounter::mitigate::DecisionBook;
using asncounter::mitigate::Proposal;
using asncounter::mitigate::State;
using asncounter::mitigate::Target;
using asncounter::test::pfx;
using namespace std::chrono_literals;

namespace {

Proposal asn_flood(std::uint32_t asn, std::vector<const char*> prefixes, std::chrono::seconds ban = 60s) {
  Proposal p;
  p.target = Target{asn, std::nullopt};
  p.origin = asn;
  p.rule = "asn hits over 10s above 50 ban 1m";
  p.measure = "hits";
  p.value = 1234;
  p.ban = ban;
  for (const char* text : prefixes) p.prefixes.push_back(pfx(text));
  p.inputs = {"pcap:eth0"};
  return p;
}

AllowList allow(std::vector<std::string> values) {
  auto a = AllowList::parse(values);
  REQUIRE(a);
  return *a;
}

}  // namespace

TEST_CASE("a ban lasts its rule's length, a repeat offender's twice as long, capped", "[mitigate]") {
  DecisionBook book(BookLimits{1000, 150s}, AllowList{});
  const Decision* first = book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1000);
  REQUIRE(first);
  CHECK(first->state == State::active);
  CHECK(first->expires == 1060);
  CHECK(first->offence == 1);
  CHECK(first->inputs == std::vector<std::string>{"pcap:eth0"});
  // Banned already: nothing new.
  CHECK(book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1010) == nullptr);
  CHECK(book.expire(1059).empty());
  CHECK(book.expire(1060).size() == 1);
  const Decision* second = book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1100);
  REQUIRE(second);
  CHECK(second->offence == 2);
  CHECK(second->expires == 1100 + 120);
  CHECK(book.expire(1220).size() == 1);
  const Decision* third = book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1300);
  REQUIRE(third);
  CHECK(third->expires == 1300 + 150);  // 240 s, capped by mitigate-max-ban
  CHECK(book.decided_by_rule().at("asn hits over 10s above 50 ban 1m") == 3);
}

TEST_CASE("an allow-listed ASN or prefix is refused, and the refusal is recorded once", "[mitigate]") {
  DecisionBook book(BookLimits{}, allow({"AS64496, 198.51.100.0/24", "2001:db8::/48"}));
  const Decision* d = book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1000);
  REQUIRE(d);
  CHECK(d->state == State::refused);
  CHECK(d->refusal == "allow-listed (mitigate-allow)");
  CHECK(book.active().empty());
  CHECK(book.elements().empty());
  // The same refusal within the ban's length is not recorded again; later it is.
  CHECK(book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1030) == nullptr);
  CHECK(book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1061) != nullptr);
  CHECK(book.recent().size() == 2);

  // Covering an allowed prefix (inside or around it) is refused too.
  const Decision* around = book.decide(asn_flood(64497, {"198.51.100.0/23"}), 1000);
  REQUIRE(around);
  CHECK(around->state == State::refused);
  CHECK(around->refusal.find("overlaps allow-listed 198.51.100.0/24") != std::string::npos);
  const Decision* inside = book.decide(asn_flood(64498, {"2001:db8::/64"}), 1000);
  REQUIRE(inside);
  CHECK(inside->state == State::refused);

  // A prefix whose origin is allowed.
  Proposal p = asn_flood(64499, {"203.0.113.0/24"});
  p.target = Target{std::nullopt, pfx("203.0.113.0/24")};
  p.origin = 64496;
  REQUIRE(book.decide(p, 1000)->refusal == "its origin AS64496 is allow-listed (mitigate-allow)");
}

TEST_CASE("mitigate-max-prefixes refuses what would go over, and says so", "[mitigate]") {
  DecisionBook book(BookLimits{3, 3600s}, AllowList{});
  REQUIRE(book.decide(asn_flood(64496, {"192.0.2.0/25", "192.0.2.128/26"}), 1000)->state == State::active);
  const Decision* over = book.decide(asn_flood(64497, {"198.51.100.0/24", "203.0.113.0/24"}), 1000);
  REQUIRE(over);
  CHECK(over->state == State::refused);
  CHECK(over->refusal == "would block 4 prefixes, over mitigate-max-prefixes (3)");
  REQUIRE(book.decide(asn_flood(64498, {"203.0.113.0/24"}), 1000)->state == State::active);
  CHECK(book.blocked_prefixes() == 3);
  // A thousand more decisions leave the kernel at the cap.
  for (std::uint32_t asn = 65536; asn < 65546; ++asn)
    (void)book.decide(asn_flood(asn, {"2001:db8::/32"}), 1000);
  CHECK(book.blocked_prefixes() == 3);
  CHECK(book.elements().size() == 3);
}

TEST_CASE("nothing left after carving is refused, never a ban of nothing", "[mitigate]") {
  DecisionBook book(BookLimits{}, AllowList{});
  const Decision* d = book.decide(asn_flood(64496, {}), 1000);
  REQUIRE(d);
  CHECK(d->state == State::refused);
}

TEST_CASE("the kernel elements fold a prefix into a banned one that holds it", "[mitigate]") {
  DecisionBook book(BookLimits{}, AllowList{});
  REQUIRE(book.decide(asn_flood(64496, {"192.0.2.0/24"}, 60s), 1000));
  Proposal inner = asn_flood(64497, {"192.0.2.128/25"}, 600s);
  inner.target = Target{std::nullopt, pfx("192.0.2.128/25")};
  REQUIRE(book.decide(inner, 1000));
  auto elements = book.elements();
  REQUIRE(elements.size() == 1);
  CHECK(elements[0].prefix == pfx("192.0.2.0/24"));
  CHECK(elements[0].expires == 1600);
}

TEST_CASE("dry-run decisions are recorded but never reach the kernel", "[mitigate]") {
  DecisionBook book(BookLimits{}, AllowList{});
  Proposal p = asn_flood(64496, {"192.0.2.0/24"});
  p.dry_run = true;
  const Decision* d = book.decide(p, 1000);
  REQUIRE(d);
  CHECK(d->dry_run);
  CHECK(book.active().size() == 1);
  CHECK(book.elements().empty());
}

TEST_CASE("unban ends a ban now", "[mitigate]") {
  DecisionBook book(BookLimits{}, AllowList{});
  REQUIRE(book.decide(asn_flood(64496, {"192.0.2.0/24"}), 1000));
  CHECK_FALSE(book.unban(Target{64497, std::nullopt}, 1001));
  CHECK(book.unban(Target{64496, std::nullopt}, 1001));
  CHECK(book.active().empty());
  CHECK(book.recent().back().state == State::removed);
}

TEST_CASE("the book survives its file: bans in force, their time, the offences", "[mitigate]") {
  DecisionBook book(BookLimits{}, AllowList{});
  REQUIRE(book.decide(asn_flood(64496, {"192.0.2.0/24", "2001:db8::/32"}), 1000));
  REQUIRE(book.decide(asn_flood(64497, {"198.51.100.0/24"}, 10s), 1000));
  auto text = asncounter::mitigate::saved_text(book.save());
  auto saved = asncounter::mitigate::parse_saved(text);
  REQUIRE(saved);
  DecisionBook again(BookLimits{}, AllowList{});
  again.restore(std::move(*saved), 1030);  // the 10 s ban ended during the downtime
  REQUIRE(again.active().size() == 1);
  CHECK(again.active()[0].expires == 1060);
  CHECK(again.active()[0].prefixes.size() == 2);
  CHECK(again.recent().back().state == State::expired);
  CHECK(again.expire(1060).size() == 1);
  // The offence is remembered: the next ban doubles.
  CHECK(again.decide(asn_flood(64496, {"192.0.2.0/24"}), 1100)->offence == 2);
  CHECK_FALSE(
      asncounter::mitigate::parse_saved("{\"version\":1,\"active\":[{\"target\":\"AS1\",\"state\":\"x\"}]}"));
  CHECK_FALSE(asncounter::mitigate::parse_saved("{\"version\":1,\"next_id\":\"no\"}"));
  CHECK_FALSE(asncounter::mitigate::parse_saved("not json"));
}
