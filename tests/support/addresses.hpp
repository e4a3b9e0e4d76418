#pragma once
// Addresses and prefixes from literals, for tests: a literal that does not
// parse is a bug in the test, reported as an exception (Catch names it).

#include <string_view>

#include "common/ip.hpp"

namespace asncounter::test {

/// The address `text` ("192.0.2.1", "2001:db8::1").
inline Address addr(std::string_view text) { return parse_address(text).value(); }

/// The prefix `text` ("192.0.2.0/24"), host bits clear.
inline Prefix pfx(std::string_view text) { return parse_prefix(text).value(); }

}  // namespace asncounter::test
