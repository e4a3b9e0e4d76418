#include "daemon/refresh/routeviews_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/table/table_cache.hpp"
#include "common/table/table_file.hpp"
#include "daemon/refresh/archive_index.hpp"
#include "daemon/sys/log.hpp"

namespace asncounter {
namespace fs = std::filesystem;
namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Keeps the newest `keep` cached dumps; older ones only take disk.
void prune_cache(const std::string& dir, std::size_t keep) {
  std::vector<fs::path> ribs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (rib_time(e.path().filename().string())) ribs.push_back(e.path());
  std::sort(ribs.begin(), ribs.end());  // the name sorts by time
  for (std::size_t i = 0; i + keep < ribs.size(); ++i) fs::remove(ribs[i], ec);
}

// The cached file of a dump URL: its last path component in the cache.
fs::path cached_path(const std::string& cache_dir, const std::string& url) {
  return fs::path(cache_dir) / url.substr(url.rfind('/') + 1);
}

}  // namespace

RouteViewsSource::RouteViewsSource(RouteViewsConfig config, PublishNames names)
    : config_(std::move(config)), publish_names_(std::move(names)) {
  if (!config_.now) config_.now = system_now;
}

std::optional<std::string> RouteViewsSource::newest_cached(const std::string& cache_dir) {
  std::optional<fs::path> best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache_dir, ec)) {
    auto name = e.path().filename().string();
    if (rib_time(name) && (!best || name > best->filename().string())) best = e.path();
  }
  if (!best) return std::nullopt;
  return best->string();
}

Result<TableUpdate> RouteViewsSource::fetch(const LpmTable& current, const std::atomic<bool>& stop) {
  FetchLimits limits = config_.limits;
  limits.cancel = &stop;
  auto rib = config_.rib_url.empty() ? Result<TableUpdate>(Error{"no RIB URL"}) : fetch_rib(current, limits);
  if (!config_.asnames_url.empty()) {
    auto names = refresh_names(limits);
    if (!names) log::get("rib")->warn("AS names refresh failed: {}", names.error());
  }
  return rib;
}

void RouteViewsSource::judged(const TableUpdate& update, bool accepted) {
  if (accepted) {
    prune_cache(config_.cache_dir, 2);
  } else {
    std::error_code ec;
    fs::remove(cached_path(config_.cache_dir, update.from), ec);
  }
}

Result<TableUpdate> RouteViewsSource::fetch_rib(const LpmTable& current, const FetchLimits& limits) {
  // The newest dump of this month; early in a month, of the month before.
  // Every folder tried is named in the error, each with why it gave nothing.
  std::optional<RibFile> newest;
  std::string folder;
  std::string tried;
  for (int back = 0; back <= 1 && !newest; ++back) {
    folder = rib_month_url(config_.rib_url, config_.now(), back);
    auto listing = fetch_to_string(folder, limits);
    auto files = listing ? parse_rib_listing(*listing) : std::vector<RibFile>{};
    if (!files.empty()) {
      newest = files.back();
    } else {
      // fetch errors start with the URL already.
      tried += (tried.empty() ? "" : "; ") + (listing ? folder + ": no rib.*.bz2 listed" : listing.error());
    }
  }
  if (!newest) return Error{"no RIB dump found (listing " + tried + ")"};

  std::string url = folder + newest->name;
  fs::path cached = cached_path(config_.cache_dir, url);
  if (current.info().source == url && current.prefix_count() > 0) return TableUpdate{nullptr, url};

  std::error_code ec;
  fs::path file = cached;
  bool downloaded = !fs::exists(cached, ec);
  if (!downloaded) {  // fetched before (the daemon restarted): its table cache saves the parse
    auto loaded = load_table_cached(cached.string(), config_.cache_dir, limits.cancel, config_.table_limits);
    if (!loaded) {
      if (!limits.cancel->load()) fs::remove(cached, ec);
      return Error{"bad dump " + url + ": " + loaded.error()};
    }
    if (!loaded->note.empty()) log::get("rib")->warn("{}", loaded->note);
    return TableUpdate{with_source(std::move(loaded->table), url), url};
  }
  {
    file = fs::path(config_.cache_dir) / ("." + newest->name + ".part");
    auto size = fetch_to_file(url, file.string(), limits);
    if (!size) {
      fs::remove(file, ec);
      return Error{size.error()};
    }
  }
  auto routes = read_table_file(file.string(), limits.cancel, config_.table_limits);
  if (!routes) {
    // Stopped half-way, the file is not to blame: only a bad dump goes.
    if (!limits.cancel->load()) fs::remove(file, ec);
    return Error{"bad dump " + url + ": " + routes.error()};
  }
  // Renamed into place only once it parsed: the cache never holds a bad dump.
  fs::rename(file, cached, ec);
  if (ec) return Error{"cannot move the download into " + cached.string() + ": " + ec.message()};
  routes->info.source = url;
  auto table = LpmTable::build(routes->routes, routes->info);
  auto stamp = stamp_source(cached.string());
  auto written =
      stamp ? write_table_cache(config_.cache_dir, *stamp, *table) : Result<void>(Error{stamp.error()});
  if (!written) log::get("rib")->warn("table cache not written: {}", written.error());
  return TableUpdate{std::move(table), url};
}

Result<std::string> RouteViewsSource::refresh_names(const FetchLimits& limits) {
  fs::path part = fs::path(config_.cache_dir) / ".asnames.part";
  fs::path cached = fs::path(config_.cache_dir) / "asnames";
  std::error_code ec;
  auto size = fetch_to_file(config_.asnames_url, part.string(), limits);
  if (!size) {
    fs::remove(part, ec);
    return Error{size.error()};
  }
  auto names = AsNames::load(part.string());
  if (!names || names->size() == 0) {
    fs::remove(part, ec);
    return Error{config_.asnames_url + ": " + (names ? std::string("no AS names in it") : names.error())};
  }
  fs::rename(part, cached, ec);
  publish_names_(std::make_shared<const AsNames>(std::move(*names)));
  return std::string("loaded AS names");
}

}  // namespace asncounter
