#pragma once
// A shared library opened when first needed (dlopen, RTLD_NOW | RTLD_LOCAL,
// never closed), and its functions bound by name: what curl_library.* and
// nft_library.* share, so a start that needs neither library never loads it.

#include <dlfcn.h>

#include <string>

#include "common/result.hpp"

namespace asncounter {

class SharedLibrary {
 public:
  /// Opens `soname`; the error names it and what `needed_by` needs it for.
  static Result<SharedLibrary> open(const char* soname, const std::string& needed_by);

  /// Binds function `name` to `out`; false, with `missing` set to the
  /// name, when the library has no such symbol.
  template <class F>
  bool bind(const char* name, F*& out, std::string& missing) const {
    void* sym = ::dlsym(handle_, name);
    if (!sym) {
      missing = name;
      return false;
    }
    out = reinterpret_cast<F*>(sym);
    return true;
  }

 private:
  explicit SharedLibrary(void* handle) : handle_(handle) {}
  void* handle_;
};

}  // namespace asncounter
