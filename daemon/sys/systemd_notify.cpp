#include "daemon/sys/systemd_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace asncounter::systemd {
namespace {

void notify(const std::string& message) {
  // unset_environment=0: the children we start (none today) may notify too.
  sd_notify(0, message.c_str());
}

}  // namespace

void ready() { notify("READY=1"); }

void reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
              static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void stopping() { notify("STOPPING=1"); }

void status(const std::string& text) { notify("STATUS=" + text); }

void watchdog() { notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_period() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace asncounter::systemd
