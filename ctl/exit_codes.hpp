#pragma once
// asncounterctl's exit codes, the same for every command (scripts test them).

namespace asncounter::ctl {

inline constexpr int kExitOk = 0;           ///< success
inline constexpr int kExitDaemonError = 1;  ///< the daemon answered with an error
inline constexpr int kExitUsage = 2;        ///< usage error
inline constexpr int kExitUnreachable = 3;  ///< cannot reach the daemon

}  // namespace asncounter::ctl
