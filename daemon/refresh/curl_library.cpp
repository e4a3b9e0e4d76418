#include "daemon/refresh/curl_library.hpp"

#include <mutex>
#include <string>

#include "daemon/sys/shared_library.hpp"

namespace asncounter {

namespace {

constexpr const char* kSoname = "libcurl.so.4";

Result<const CurlLibrary*> open_curl() {
  auto so = SharedLibrary::open(kSoname, "downloads need the libcurl4 package");
  if (!so) return Error{so.error()};
  static CurlLibrary lib{};
  CURLcode (*global_init)(long) = nullptr;
  std::string missing;
  if (!so->bind("curl_global_init", global_init, missing) ||
      !so->bind("curl_easy_init", lib.easy_init, missing) ||
      !so->bind("curl_easy_setopt", lib.easy_setopt, missing) ||
      !so->bind("curl_easy_perform", lib.easy_perform, missing) ||
      !so->bind("curl_easy_getinfo", lib.easy_getinfo, missing) ||
      !so->bind("curl_easy_cleanup", lib.easy_cleanup, missing) ||
      !so->bind("curl_easy_strerror", lib.easy_strerror, missing))
    return Error{std::string(kSoname) + " has no " + missing + " (too old a libcurl)"};
  // curl_global_init is not thread-safe: run once, before any handle.
  if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    return Error{std::string("cannot initialise libcurl: ") + lib.easy_strerror(rc)};
  return &lib;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static std::once_flag once;
  static Result<const CurlLibrary*> loaded = Error{"not loaded"};
  std::call_once(once, [] { loaded = open_curl(); });
  return loaded;
}

}  // namespace asncounter
