#pragma once
// The one way our code includes Boost.Asio. Boost 1.74's asio/awaitable.hpp
// uses std::exchange without including <utility>, which g++ 12 in C++20 mode
// rejects (BUILD-NOTES.md); including it first here keeps every user safe.
// Only .cpp files include this: Asio is slow to compile.

#include <utility>

#include <boost/asio.hpp>

namespace asncounter {
namespace asio = boost::asio;  // NOLINT: one short alias for our .cpp files
}  // namespace asncounter
