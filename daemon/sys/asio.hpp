#pragma once
// The one way our code includes Boost.Asio. Boost 1.74's asio/awaitable.hpp
// uses std::exchange without including <utility>, which g++ 12 in C++20 mode
// rejects; including <utility> first here keeps every user safe.
// Asio is slow to compile: include this from .cpp files and from the few
// headers whose classes hold Asio members (daemon_impl.hpp, rpc/session.hpp).

#include <utility>

#include <boost/asio.hpp>

namespace asncounter {
namespace asio = boost::asio;  // NOLINT: one short alias for our .cpp files
}  // namespace asncounter
