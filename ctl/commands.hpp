#pragma once
// asncounterctl's commands: each builds its request, calls the daemon and
// prints the answer (TSV like the one-shot report by default, the daemon's
// JSON with --json). Names, usage and help of the daemon's commands come
// from common/rpc.hpp's method table.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asncounter::ctl {

/// Runs asncounterctl with `args` (argv without the program name); returns
/// its exit code (ctl/exit_codes.hpp).
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

/// The usage text, generated from the method table plus ctl's own commands.
std::string usage();

/// One command's usage and help (`asncounterctl top --help`); nullopt for
/// an unknown command.
std::optional<std::string> command_help(std::string_view command);

/// A --window DURATION: plain seconds, or a number followed by s, m, h or d;
/// nullopt when it is none of these (or overflows).
std::optional<std::uint64_t> parse_duration(std::string_view text);

/// An ASN as people write it: "4134", "AS4134" or "as4134"; nullopt for
/// anything else.
std::optional<std::uint32_t> parse_asn(std::string_view text);

/// True when asncounterctl has a command of that name (the contract test
/// checks one exists for every method).
bool has_command(std::string_view name);

}  // namespace asncounter::ctl
