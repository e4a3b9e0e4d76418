// Fuzz target: the control socket's request parser and validator (every
// byte a local client sends reaches it).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/rpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace rpc = asncounter::rpc;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = rpc::parse_request(line);
  if (auto* req = std::get_if<rpc::Request>(&parsed)) {
    if (req->method == nullptr) __builtin_trap();
    // What the client library writes for these params must parse back to them.
    auto again = rpc::parse_request(rpc::make_request(1, req->method->id, req->params));
    auto* same = std::get_if<rpc::Request>(&again);
    if (!same || same->method != req->method || !(same->params == req->params)) __builtin_trap();
    // The answer line must be one line that a client can read back.
    auto answer = rpc::make_result(req->id_json, "{}");
    if (answer.find('\n') != answer.size() - 1 || !rpc::parse_response(answer)) __builtin_trap();
  } else {
    const auto& err = std::get<rpc::RequestError>(parsed);
    auto answer = rpc::make_error(err.id_json, err.code, err.message);
    if (answer.find('\n') != answer.size() - 1) __builtin_trap();
    auto back = rpc::parse_response(answer);
    if (!back || back->result_json || back->error_code != static_cast<int>(err.code)) __builtin_trap();
  }
  return 0;
}
