#include "daemon/sys/shared_library.hpp"

namespace asncounter {

Result<SharedLibrary> SharedLibrary::open(const char* soname, const std::string& needed_by) {
  // RTLD_NOW: a missing symbol shows here, not in the middle of a use.
  // Never closed: the libraries keep global state for the process's life.
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return Error{std::string("cannot load ") + soname + " (" + needed_by +
                 "): " + (why ? why : "unknown error")};
  }
  return SharedLibrary(handle);
}

}  // namespace asncounter
