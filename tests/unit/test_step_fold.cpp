// Folding a coarse step (daemon/store/step_fold.*) and the step codec's
// bytes coded against hits (daemon/store/step_codec.*).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "daemon/store/step_codec.hpp"
#include "daemon/store/step_fold.hpp"

namespace {

using asncounter::Counts;
using asncounter::StepEntry;

StepEntry entry(std::uint32_t key, std::uint64_t hits, std::uint64_t bytes = 0) {
  return StepEntry{key, Counts{hits, bytes, 0, 0}};
}

// Keys 1-6 belong to ASN 100 (1-3) and ASN 200 (4-6); key 9 is always kept.
std::uint32_t asn_of(std::uint32_t key) { return key <= 3 ? 100 : 200; }

}  // namespace

TEST_CASE("a fold keeps the k heaviest by hits and by bytes, and sums the rest per ASN exactly",
          "[store][history][fold]") {
  const std::vector<StepEntry> step{entry(1, 50, 100), entry(2, 7, 9000), entry(3, 5, 10), entry(4, 40, 80),
                                    entry(5, 7, 14),   entry(6, 1, 2),    entry(9, 1, 1)};
  auto f = asncounter::fold_step(step, 2, asn_of, [](std::uint32_t key) { return key == 9; });
  // By hits: 1 (50) and 4 (40); by bytes: 2 (9000) and 1 (100); 9 always.
  std::vector<std::uint32_t> kept;
  for (const auto& e : f.kept) kept.push_back(e.key);
  CHECK(kept == std::vector<std::uint32_t>{1, 2, 4, 9});
  REQUIRE(f.others.size() == 2);
  CHECK(f.others[0].key == 100);
  CHECK(f.others[0].counts == Counts{5, 10, 0, 0});
  CHECK(f.others[1].key == 200);
  CHECK(f.others[1].counts == Counts{8, 16, 0, 0});
  CHECK(f.folded == 3);
  // The bound: the largest folded hits (5's 7) and bytes (5's 14), each on its own.
  CHECK(f.bound.hits == 7);
  CHECK(f.bound.bytes == 14);
  // Every ASN's sum is the step's.
  Counts total, kept_and_folded;
  for (const auto& e : step) total += e.counts;
  for (const auto& e : f.kept) kept_and_folded += e.counts;
  for (const auto& e : f.others) kept_and_folded += e.counts;
  CHECK(kept_and_folded == total);
}

TEST_CASE("a fold of a step with at most k entries keeps them all, and ties go to the lower key",
          "[store][history][fold]") {
  const std::vector<StepEntry> small{entry(1, 3), entry(2, 3)};
  auto all = asncounter::fold_step(small, 2, asn_of, [](std::uint32_t) { return false; });
  CHECK(all.kept.size() == 2);
  CHECK(all.others.empty());
  CHECK(all.bound == Counts{});
  const std::vector<StepEntry> tied{entry(1, 3), entry(2, 3), entry(4, 3)};
  auto one = asncounter::fold_step(tied, 1, asn_of, [](std::uint32_t) { return false; });
  REQUIRE(one.kept.size() == 1);
  CHECK(one.kept[0].key == 1);  // no bytes anywhere: bytes rank nothing
  CHECK(one.bound.hits == 3);
}

TEST_CASE("a step's bytes coded against its hits come back exactly, whatever they are",
          "[store][history][codec]") {
  // Sizes alike (1 byte each for bytes), far from the mean both ways, and wrapping.
  std::vector<StepEntry> step{entry(3, 10, 6000),
                              entry(4, 1, 600),
                              entry(9, 4, 2400),
                              entry(10, 1, 0),
                              entry(12, 0, 900),
                              entry(20, 7, UINT64_MAX),
                              entry(21, UINT64_MAX / 2, 1),
                              entry(400, 1, 601)};
  auto encoded = asncounter::encode_step(step);
  CHECK((encoded.fields & asncounter::EncodedStep::kBytesVsHits));
  CHECK(asncounter::decode_step(encoded) == step);
  // Alike sizes: the bytes field costs one byte each, not the three of 6000.
  std::vector<StepEntry> alike;
  for (std::uint32_t k = 1; k <= 100; ++k) alike.push_back(entry(k, k, std::uint64_t{k} * 600));
  auto dense = asncounter::encode_step(alike);
  CHECK(dense.bytes_per_hit == 600);
  std::size_t raw = 0;
  for (const auto& e : alike) raw += 1 + (e.counts.hits >= 128 ? 2 : 1) + (e.counts.bytes >= 16384 ? 3 : 2);
  CHECK(dense.data.size() + 100 <= raw);  // at least a byte saved per entry
  CHECK(asncounter::decode_step(dense) == alike);
}

TEST_CASE(
    "a sum of steps less one of them is the sum of the others, modulo 2^64, without the keys that cancel",
    "[store][history][codec]") {
  const std::vector<StepEntry> a{entry(1, 5, 500), entry(4, 2, 80), entry(7, UINT64_MAX, 3)};
  const std::vector<StepEntry> b{entry(2, 1, 60), entry(4, 3, 20), entry(7, 4, 1), entry(9, 8, 800)};
  auto ea = asncounter::encode_step(a), eb = asncounter::encode_step(b);
  auto sum = asncounter::merge_steps(ea, eb, true);
  // Key 7 wraps instead of saturating, so taking b away again gives a back.
  const std::vector<StepEntry> wrapped{entry(1, 5, 500), entry(2, 1, 60), entry(4, 5, 100), entry(7, 3, 4),
                                       entry(9, 8, 800)};
  CHECK(asncounter::decode_step(sum) == wrapped);
  CHECK(asncounter::decode_step(asncounter::subtract_steps(sum, eb)) == a);
  CHECK(asncounter::decode_step(asncounter::subtract_steps(sum, ea)) == b);
  // Saturating, as a step being filled adds up: key 7 stays at the top.
  CHECK(asncounter::decode_step(asncounter::merge_steps(ea, eb))[3].counts.hits == UINT64_MAX);
  // Everything taken away leaves nothing.
  CHECK(asncounter::subtract_steps(ea, ea).entries == 0);
}
