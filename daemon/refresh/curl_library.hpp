#pragma once
// libcurl, opened the first time a download starts instead of at every
// start of the binary. It brings 27 more shared libraries (TLS, Kerberos,
// LDAP, IDN...) that the one-shot and a daemon reading a local table never
// use; loading and relocating them at exec was about 15 ms, half of a warm
// one-shot's start (docs/benchmarks.md "One-shot with a new --cache-dir").
// The package depends on libcurl4 by name (CMakeLists.txt), as the loader
// no longer sees it.

#include <curl/curl.h>

#include "common/result.hpp"

namespace asncounter {

/// The functions http_fetch.cpp calls, as loaded.
struct CurlLibrary {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
};

/// libcurl, opened and globally initialised once (thread-safe); an error
/// naming the library or the symbol that could not be loaded.
Result<const CurlLibrary*> curl_library();

}  // namespace asncounter
