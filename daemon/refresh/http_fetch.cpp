#include "daemon/refresh/http_fetch.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/create_fresh.hpp"
#include "daemon/refresh/curl_library.hpp"

namespace asncounter {
namespace {

// A handle, cleaned up through the library it came from.
struct CurlDeleter {
  const CurlLibrary* lib;
  void operator()(CURL* c) const { lib->easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

// Where the body goes, and how much of it is allowed.
struct Sink {
  std::FILE* file = nullptr;
  std::string* text = nullptr;
  std::uint64_t received = 0;
  std::uint64_t max_bytes = 0;
  bool too_large = false;
  bool write_failed = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t n = size * count;
  if (sink->received + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // makes curl abort the transfer
  }
  sink->received += n;
  if (sink->text) {
    sink->text->append(data, n);
    return n;
  }
  if (std::fwrite(data, 1, n, sink->file) != n) {
    sink->write_failed = true;
    return 0;
  }
  return n;
}

// Aborts the transfer once the daemon asks to stop.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel && cancel->load() ? 1 : 0;
}

Result<std::uint64_t> perform(const std::string& url, Sink& sink, const FetchLimits& limits) {
  auto loaded = curl_library();
  if (!loaded) return Error{url + ": " + loaded.error()};
  const CurlLibrary& lib = **loaded;
  CurlPtr curl(lib.easy_init(), CurlDeleter{&lib});
  if (!curl) return Error{url + ": cannot create a curl handle"};
  char errbuf[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  lib.easy_setopt(c, CURLOPT_MAXREDIRS, limits.max_redirects);
  lib.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, limits.connect_timeout_s);
  lib.easy_setopt(c, CURLOPT_TIMEOUT, limits.total_timeout_s);
  lib.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  lib.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, limits.stall_timeout_s);
  lib.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // we run on worker threads
  lib.easy_setopt(c, CURLOPT_USERAGENT, "asncounterd");
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (limits.cancel) {
    lib.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    lib.easy_setopt(c, CURLOPT_XFERINFODATA, limits.cancel);
    lib.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }
  sink.max_bytes = limits.max_bytes;

  CURLcode rc = lib.easy_perform(c);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return Error{url + ": larger than the " + std::to_string(limits.max_bytes) + " byte cap"};
  if (limits.cancel && limits.cancel->load()) return Error{url + ": cancelled by shutdown"};
  if (sink.write_failed) return Error{url + ": cannot write the download to disk"};
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : lib.easy_strerror(rc);
    return Error{url + ": " + why};
  }
  long status = 0;
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return Error{url + ": HTTP status " + std::to_string(status)};
  return sink.received;
}

}  // namespace

Result<std::uint64_t> fetch_to_file(const std::string& url, const std::string& path,
                                    const FetchLimits& limits) {
  UniqueFd fd = create_fresh(path, 0640);
  if (!fd) return Error{path + ": cannot create the download file: " + std::strerror(errno)};
  UniqueFile file(::fdopen(fd.get(), "wb"));
  if (!file) return Error{path + ": cannot create the download file"};
  fd.release();  // the FILE owns it now
  Sink sink;
  sink.file = file.get();
  auto result = perform(url, sink, limits);
  if (result && std::fflush(file.get()) != 0) return Error{path + ": cannot write the download to disk"};
  return result;
}

Result<std::string> fetch_to_string(const std::string& url, const FetchLimits& limits) {
  std::string text;
  Sink sink;
  sink.text = &text;
  auto result = perform(url, sink, limits);
  if (!result) return Error{result.error()};
  return text;
}

}  // namespace asncounter
