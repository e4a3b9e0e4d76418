#pragma once
// The one wrapper around sd_notify: READY, RELOADING, STOPPING, STATUS and
// WATCHDOG messages to systemd. Every call is a no-op when NOTIFY_SOCKET is
// unset (not started by systemd, or Type= is not notify).

#include <chrono>
#include <optional>
#include <string>

namespace asncounter::systemd {

/// The daemon is serving (the control socket is up).
void ready();
/// A reload has begun (RELOADING=1 with MONOTONIC_USEC as systemd 253+ wants); send ready() after.
void reloading();
/// Shutdown has begun.
void stopping();
/// A one-line status shown by `systemctl status`.
void status(const std::string& text);
/// Keep-alive ping for WatchdogSec=.
void watchdog();
/// Half of WatchdogSec= when the watchdog is on for this process: the ping period.
std::optional<std::chrono::microseconds> watchdog_period();

}  // namespace asncounter::systemd
