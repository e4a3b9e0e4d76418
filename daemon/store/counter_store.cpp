// The write side of the counter store: counting, table swaps and folding,
// reset, import. The read side (merging for top-N) is store_merge.cpp.
#include "daemon/store/counter_store.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <utility>

#include "common/saturating.hpp"
#include "daemon/store/history_import.hpp"
#include "daemon/store/store_state.hpp"

namespace asncounter {

struct CounterStore::Impl {
  Impl(std::shared_ptr<const LpmTable> table, std::size_t n)
      : shards(n), current(std::make_shared<Generation>(std::move(table), n, 1)) {}

  /// The generation writers count into. A mutex, not
  /// std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock
  /// bit TSan cannot see, and one short lock per batch costs nothing.
  std::shared_ptr<Generation> load_current() { return *current.lock(); }

  std::size_t shards;
  LockGuarded<std::shared_ptr<Generation>> current;
  LockGuarded<ReadState> read;
  std::atomic<bool> has_bytes{false};
  std::atomic<bool> has_latency{false};

  void try_fold(ReadState& st);
  void zero_counts(ReadState& st);
  void fold(Generation& from, Generation& into, ReadState& st);
  void rehome_orphans(Generation& into, ReadState& st);
  void add_rows(Generation& into, ReadState& st, const RowMap& rows, const Counts& unrouted);
  template <class F>
  auto with_merge_input(F&& f);
  template <class F>
  auto merge_locked(ReadState& st, F&& f);
  template <class F>
  auto with_window(const Window& w, F&& f);
};

namespace {

/// Each writer thread keeps one shard index, so inputs on different threads
/// rarely meet on a lock.
std::size_t thread_shard_index() {
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

void set_flag(std::atomic<bool>& flag) {
  if (!flag.load(std::memory_order_relaxed)) flag.store(true, std::memory_order_relaxed);
}

}  // namespace

std::size_t RowKeyHash::operator()(const RowKey& k) const noexcept {
  const Address& a = k.prefix.addr;
  std::uint64_t h = a.is_v4() ? a.v4 : (a.v6.hi * 0x9E3779B97F4A7C15ULL) ^ a.v6.lo;
  h ^= (std::uint64_t{k.prefix.len} << 56) ^ (std::uint64_t{k.asn} * 0xC2B2AE3D27D4EB4FULL);
  h ^= h >> 29;
  return static_cast<std::size_t>(h * 0xBF58476D1CE4E5B9ULL);
}

CounterStore::CounterStore(std::shared_ptr<const LpmTable> table, unsigned shards)
    : impl_(std::make_unique<Impl>(table ? std::move(table) : LpmTable::empty(),
                                   std::bit_ceil(std::max(1U, shards)))) {}

CounterStore::CounterStore(std::shared_ptr<const LpmTable> table, unsigned shards,
                           const HistoryConfig& history, MonoTime start)
    : CounterStore(std::move(table), shards) {
  auto st = impl_->read.lock();
  st->history = std::make_unique<History>(history, start, *impl_->load_current());
}

CounterStore::~CounterStore() = default;

std::uint64_t CounterStore::add(const EventBatch& batch, CounterStore* also) {
  std::shared_ptr<Generation> gen = impl_->load_current();
  if (batch.has_bytes) set_flag(impl_->has_bytes);
  if (batch.has_latency) set_flag(impl_->has_latency);
  // Lookups outside the lock: the table is immutable.
  std::array<PrefixId, EventBatch::kCapacity> ids;
  std::span<PrefixId> out(ids.data(), batch.size);
  gen->table()->lookup_ids(std::span<const Address>(batch.addrs.data(), batch.size), out);
  {
    auto shard = gen->shard(thread_shard_index() & (impl_->shards - 1)).lock();
    shard->add(out, batch);
  }
  if (also) also->add_looked_up(*gen->table(), out, batch);
  return gen->number();
}

void CounterStore::add_looked_up(const LpmTable& looked_up_in, std::span<const PrefixId> ids,
                                 const EventBatch& batch) {
  std::shared_ptr<Generation> gen = impl_->load_current();
  // Between two stores' table swaps the ids may name another table's
  // prefixes: then this store looks the batch up itself.
  if (gen->table().get() != &looked_up_in) {
    add(batch);
    return;
  }
  if (batch.has_bytes) set_flag(impl_->has_bytes);
  if (batch.has_latency) set_flag(impl_->has_latency);
  auto shard = gen->shard(thread_shard_index() & (impl_->shards - 1)).lock();
  shard->add(ids, batch);
}

void CounterStore::set_table(std::shared_ptr<const LpmTable> table) {
  if (!table) table = LpmTable::empty();
  auto st = impl_->read.lock();
  auto gen = std::make_shared<Generation>(std::move(table), impl_->shards, ++st->generations);
  std::shared_ptr<Generation> old = std::exchange(*impl_->current.lock(), gen);
  st->retired.push_back(std::move(old));
  if (st->history) st->history->table_swapped(*st->retired.back(), *gen, st->retired);
  impl_->rehome_orphans(*gen, *st);
  impl_->try_fold(*st);
}

std::shared_ptr<const LpmTable> CounterStore::table() const { return impl_->load_current()->table(); }

void CounterStore::Impl::try_fold(ReadState& st) {
  std::shared_ptr<Generation> cur = load_current();
  for (auto it = st.retired.begin(); it != st.retired.end();) {
    // Retired generations are no longer published, so once the list holds
    // the only reference no writer holds it nor can get it again.
    if (it->use_count() != 1) {
      ++it;
      continue;
    }
    // The writer's last counts were added under its shard lock, released
    // before it dropped its reference; folding takes the same shard locks,
    // which orders those counts before the fold (a fence would say the
    // same, but TSan does not model fences).
    if (st.history) st.history->retire(**it);
    fold(**it, *cur, st);
    st.folded_contention += (*it)->contended();
    it = st.retired.erase(it);
  }
}

void CounterStore::Impl::fold(Generation& from, Generation& into, ReadState& st) {
  RowMap rows;
  Counts unrouted;
  collect_rows(from, rows, unrouted);
  add_rows(into, st, rows, unrouted);
}

void CounterStore::Impl::add_rows(Generation& into, ReadState& st, const RowMap& rows,
                                  const Counts& unrouted) {
  // A row whose (prefix, ASN) the current table also has joins that prefix's
  // counters; any other keeps its own identity as an orphan. Either way the
  // hit keeps the prefix and ASN it was counted with.
  std::vector<std::pair<PrefixId, Counts>> moved;
  moved.reserve(rows.size());
  for (const auto& [key, c] : rows) {
    if (auto id = into.find(key.prefix, key.asn))
      moved.emplace_back(*id, c);
    else
      st.orphans[key] += c;
  }
  auto shard = into.shard(0).lock();
  if (unrouted.hits || unrouted.bytes || unrouted.latency_samples) shard->add_at(kUnrouted, unrouted);
  for (const auto& [id, c] : moved) shard->add_at(id, c);
  // Not new hits: the history already has them (or, imported, they are
  // older than it), so its snapshot takes them too.
  if (st.history) {
    st.history->absorbed(kUnrouted, unrouted);
    for (const auto& [id, c] : moved) st.history->absorbed(id, c);
  }
}

void CounterStore::Impl::rehome_orphans(Generation& into, ReadState& st) {
  RowMap homed;
  for (auto it = st.orphans.begin(); it != st.orphans.end();) {
    if (into.find(it->first.prefix, it->first.asn)) {
      homed.insert(*it);
      it = st.orphans.erase(it);
    } else {
      ++it;
    }
  }
  if (!homed.empty()) add_rows(into, st, homed, Counts{});
}

template <class F>
auto CounterStore::Impl::with_merge_input(F&& f) {
  auto st = read.lock();
  return merge_locked(*st, std::forward<F>(f));
}

template <class F>
auto CounterStore::Impl::merge_locked(ReadState& st, F&& f) {
  try_fold(st);
  std::shared_ptr<Generation> cur = load_current();
  if (st.retired.empty()) return f(MergeInput{*cur, st.orphans, Counts{}, st.scratch});
  // A writer is still inside a replaced generation: merge it as extra rows.
  RowMap extra = st.orphans;
  Counts unrouted;
  for (auto& g : st.retired) collect_rows(*g, extra, unrouted);
  return f(MergeInput{*cur, extra, unrouted, st.scratch});
}

template <class F>
auto CounterStore::Impl::with_window(const Window& w, F&& f) {
  auto st = read.lock();
  try_fold(*st);
  Summed& sums = st->scratch;
  RowMap extra;
  WindowSpan span = st->history->window_sums(w, st->retired, sums, extra);
  return f(*load_current(), sums, extra, span);
}

Windowed<AsnTable> CounterStore::top_asns(std::size_t limit, const Window& window) const {
  if (window.length.count() <= 0 || !impl_->read.lock()->history) return {top_asns(limit), std::nullopt};
  Windowed<AsnTable> w = impl_->with_window(
      window, [&](const Generation& g, const Summed& sums, const RowMap& extra, const WindowSpan& span) {
        return Windowed<AsnTable>{rank_asns(g, sums, extra, limit), span};
      });
  w.table.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  w.table.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return w;
}

Windowed<PrefixTable> CounterStore::top_prefixes(std::size_t limit, std::optional<std::uint32_t> asn,
                                                 const Window& window, RankBy by) const {
  if (window.length.count() <= 0 || !impl_->read.lock()->history) {
    if (by == RankBy::hits) return {top_prefixes(limit, asn), std::nullopt};
    // Since start, by bytes: every row, ordered, then cut (no hot path reads this).
    PrefixTable t = top_prefixes(0, asn);
    std::stable_sort(t.rows.begin(), t.rows.end(),
                     [](const PrefixRow& a, const PrefixRow& b) { return a.counts.bytes > b.counts.bytes; });
    if (limit != 0 && t.rows.size() > limit) t.rows.resize(limit);
    return {std::move(t), std::nullopt};
  }
  Windowed<PrefixTable> w = impl_->with_window(
      window, [&](const Generation& g, const Summed& sums, const RowMap& extra, const WindowSpan& span) {
        return Windowed<PrefixTable>{rank_prefixes(g, sums, extra, limit, asn, by), span};
      });
  w.table.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  w.table.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return w;
}

AsnSummary CounterStore::asn_summary(std::uint32_t asn, const Window& window) const {
  AsnSummary s;
  auto fill = [&](const AsnTable& asns, PrefixTable prefixes) {
    s.total = asns.total;
    for (std::size_t i = 0; i < asns.rows.size(); ++i) {
      if (asns.rows[i].asn != asn) continue;
      s.counts = asns.rows[i].counts;
      s.rank = i + 1;
    }
    s.prefixes = std::move(prefixes);
  };
  if (window.length.count() <= 0 || !impl_->read.lock()->history) {
    fill(top_asns(0), top_prefixes(0, asn));
  } else {
    impl_->with_window(
        window, [&](const Generation& g, const Summed& sums, const RowMap& extra, const WindowSpan& span) {
          fill(rank_asns(g, sums, extra, 0), rank_prefixes(g, sums, extra, 0, asn));
          s.window = span;
        });
  }
  s.prefixes.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  s.prefixes.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return s;
}

// One reader lock for both reads: no reset or table swap between them, so
// the metrics' rows and totals come from the same state.
AsnActivity CounterStore::asn_activity(const Window& window) const {
  AsnActivity a;
  auto st = impl_->read.lock();
  a.since_start = impl_->merge_locked(*st, [](const MergeInput& in) { return merge_asns(in, 0); });
  if (st->history && window.length.count() > 0) {
    Summed& sums = st->scratch;
    RowMap extra;
    WindowSpan span = st->history->window_sums(window, st->retired, sums, extra);
    a.window = Windowed<AsnTable>{rank_asns(*impl_->load_current(), sums, extra, 0), span};
  }
  a.since_start.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  a.since_start.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return a;
}

void CounterStore::close_step(MonoTime now) {
  auto st = impl_->read.lock();
  if (!st->history) return;
  impl_->try_fold(*st);
  st->history->close_step(now, st->retired);
}

AsnTable CounterStore::top_asns(std::size_t limit) const {
  AsnTable t = impl_->with_merge_input([&](const MergeInput& in) { return merge_asns(in, limit); });
  t.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  t.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return t;
}

PrefixTable CounterStore::top_prefixes(std::size_t limit, std::optional<std::uint32_t> asn) const {
  PrefixTable t =
      impl_->with_merge_input([&](const MergeInput& in) { return merge_prefixes(in, limit, asn); });
  t.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  t.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return t;
}

StoreStats CounterStore::stats() const {
  StoreStats s;
  auto st = impl_->read.lock();
  impl_->try_fold(*st);
  std::shared_ptr<Generation> cur = impl_->load_current();
  auto add_gen = [&](Generation& g) {
    for (std::size_t i = 0; i < g.shard_count(); ++i) add_counts(s.total, g.shard(i).lock()->total);
    s.contended_locks += g.contended();
  };
  add_gen(*cur);
  for (auto& g : st->retired) add_gen(*g);
  for (const auto& [key, c] : st->orphans) s.total += c;
  s.generations = st->generations;
  if (st->history) s.history = st->history->stats();
  s.contended_locks += st->folded_contention;
  s.shards = impl_->shards;
  s.has_bytes = impl_->has_bytes.load(std::memory_order_relaxed);
  s.has_latency = impl_->has_latency.load(std::memory_order_relaxed);
  return s;
}

// Under the reader lock (the caller's): no read can see some shards zeroed
// and others not.
void CounterStore::Impl::zero_counts(ReadState& st) {
  auto clear_gen = [](Generation& g) {
    for (std::size_t i = 0; i < g.shard_count(); ++i) g.shard(i).lock()->clear();
  };
  clear_gen(*load_current());
  for (auto& g : st.retired) clear_gen(*g);
  st.orphans.clear();
}

void CounterStore::reset() {
  auto st = impl_->read.lock();
  impl_->zero_counts(*st);
  if (st->history) st->history->reset();
}

void CounterStore::reset_keeping_history(MonoTime now) {
  // One hold of the reader lock: the close and the zeroing are one event
  // for every reader and for the history clock's next close.
  auto st = impl_->read.lock();
  if (st->history) {
    impl_->try_fold(*st);
    st->history->close_step(now, st->retired);
  }
  impl_->zero_counts(*st);
  if (st->history) st->history->forget_live();
}

std::vector<PrefixRow> CounterStore::export_rows() const { return top_prefixes(0).rows; }

void CounterStore::import_rows(const std::vector<PrefixRow>& rows) {
  RowMap keyed;
  Counts unrouted;
  for (const PrefixRow& r : rows) {
    if (r.prefix && r.asn)
      keyed[RowKey{*r.prefix, *r.asn}] += r.counts;
    else
      unrouted += r.counts;
    if (r.counts.bytes) set_flag(impl_->has_bytes);
    if (r.counts.latency_samples) set_flag(impl_->has_latency);
  }
  auto st = impl_->read.lock();
  std::shared_ptr<Generation> cur = impl_->load_current();
  impl_->add_rows(*cur, *st, keyed, unrouted);
}

}  // namespace asncounter

namespace asncounter {

std::vector<SavedStep> CounterStore::export_history(MonoTime now, std::chrono::seconds window) const {
  auto st = impl_->read.lock();
  return st->history ? st->history->export_steps(now, window) : std::vector<SavedStep>{};
}

std::vector<SavedStep> CounterStore::export_history_tier(std::size_t tier, MonoTime now,
                                                         std::size_t newest) const {
  auto st = impl_->read.lock();
  return st->history ? st->history->export_tier(tier, now, newest) : std::vector<SavedStep>{};
}

void CounterStore::import_history(const std::vector<SavedStep>& steps, std::chrono::milliseconds gap) {
  auto st = impl_->read.lock();
  if (st->history) st->history->import_steps(steps, gap);
}

HistoryImage CounterStore::export_history_image(MonoTime now, std::int64_t wall_now_ms) const {
  auto st = impl_->read.lock();
  HistoryImage image = st->history ? st->history->export_image(now) : HistoryImage{};
  image.saved_at_ms = wall_now_ms;
  return image;
}

Result<HistoryFileSummary> CounterStore::import_history_file(const std::string& path,
                                                             std::int64_t wall_now_ms) {
  std::uint64_t max_file = 0;
  {
    auto st = impl_->read.lock();
    if (!st->history) return HistoryFileSummary{};
    // The steps are at most the cap, in the file as in memory; the keys'
    // names and a cap lowered since the save get room beyond it.
    max_file = 4 * std::uint64_t{st->history->max_bytes()} + (std::uint64_t{64} << 20);
  }
  auto checked = read_history_file(path, nullptr, max_file);
  if (!checked || !checked->present || !checked->damage.empty()) return checked;
  auto st = impl_->read.lock();
  HistoryFileImport sink(*st->history, wall_now_ms);
  auto read = read_history_file(path, &sink, max_file);
  sink.finish();
  // Changed between the two reads (the directory is the daemon's own): the
  // part taken goes, so the history is the file's whole or nothing.
  if (!read || !read->damage.empty()) st->history->forget_steps();
  return read;
}

}  // namespace asncounter
