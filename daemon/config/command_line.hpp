#pragma once
// The command line and the config file read into Options, from the option
// declarations (daemon/config/options_table.hpp): parsing, reloading, the
// --help text and the default config.

#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/options.hpp"

namespace asncounter {

/// What parsing the command line asks for.
struct ParsedCommandLine {
  Options options;
  bool help = false;                  ///< --help was given: print usage() and exit 0
  bool version = false;               ///< --version was given
  bool print_default_config = false;  ///< --print-default-config: print default_config() and exit 0
};

/// Parses argv, then the config file it names (command line wins). Errors
/// name the file, the line and the key.
Result<ParsedCommandLine> parse_command_line(int argc, const char* const* argv);

/// Re-reads the config file for a reload, keeping command-line values.
Result<Options> reload_options(const Options& current, int argc, const char* const* argv);

/// Takes from `next` (a reloaded configuration) every option whose
/// declaration says a reload applies it; returns the names of the others that
/// differ, which keep their old value until a restart.
std::vector<std::string> apply_reload(Options& current, const Options& next);

/// The --help text, generated from the declarations.
std::string usage();

/// The annotated default config file (every key, its default and help as
/// comments), generated from the declarations; etc/asncounterd.conf is this.
std::string default_config();

}  // namespace asncounter
