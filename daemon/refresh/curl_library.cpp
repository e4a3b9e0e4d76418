#include "daemon/refresh/curl_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace asncounter {

namespace {

constexpr const char* kSoname = "libcurl.so.4";

template <class F>
bool bind(void* handle, const char* name, F& out, std::string& missing) {
  void* sym = ::dlsym(handle, name);
  if (!sym) {
    missing = name;
    return false;
  }
  out = reinterpret_cast<F>(sym);
  return true;
}

Result<const CurlLibrary*> open_curl() {
  // RTLD_NOW: a missing symbol shows here, not in the middle of a download.
  // Never closed: libcurl keeps global state for the process's lifetime.
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return Error{std::string("cannot load ") + kSoname +
                 " (downloads need the libcurl4 package): " + (why ? why : "unknown error")};
  }
  static CurlLibrary lib{};
  CURLcode (*global_init)(long) = nullptr;
  std::string missing;
  if (!bind(handle, "curl_global_init", global_init, missing) ||
      !bind(handle, "curl_easy_init", lib.easy_init, missing) ||
      !bind(handle, "curl_easy_setopt", lib.easy_setopt, missing) ||
      !bind(handle, "curl_easy_perform", lib.easy_perform, missing) ||
      !bind(handle, "curl_easy_getinfo", lib.easy_getinfo, missing) ||
      !bind(handle, "curl_easy_cleanup", lib.easy_cleanup, missing) ||
      !bind(handle, "curl_easy_strerror", lib.easy_strerror, missing))
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
