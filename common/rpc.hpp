#pragma once
// The control socket's wire contract, shared by asncounterd and asncounterctl.
//
// Framing: one JSON-RPC 2.0 object per line ("\n"-terminated) in each
// direction, at most kMaxRequestBytes per request line. Every request line
// gets exactly one answer line, in order (even without an "id", so that a
// hand-typed `socat` session never hangs). Compatibility rule (as chrony's
// candm.h): methods and optional parameters are only ever added; removing or
// changing the meaning of one bumps kProtocolVersion.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asncounter::rpc {

/// Bumped on any incompatible change of the contract below.
inline constexpr int kProtocolVersion = 1;
/// Longest request line accepted, newline excluded; longer ones get kRequestTooLarge.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
/// Most addresses one `lookup` request may carry.
inline constexpr std::size_t kMaxLookupAddresses = 4096;
/// Rows `top`/`prefixes`/`report` return when no limit is given.
inline constexpr std::uint64_t kDefaultLimit = 20;

/// JSON-RPC 2.0 error codes, plus ours in the implementation-defined range.
enum class ErrorCode : int {
  parse_error = -32700,        ///< the line is not JSON
  invalid_request = -32600,    ///< JSON, but not a JSON-RPC 2.0 request object
  method_not_found = -32601,   ///< no such method
  invalid_params = -32602,     ///< wrong, missing or unknown parameters
  internal_error = -32603,     ///< the handler failed (a bug or a resource problem)
  permission_denied = -32001,  ///< an admin method from a peer that is not admin
  request_too_large = -32002,  ///< request line over kMaxRequestBytes (skipped to its newline)
  unavailable = -32003,        ///< too many clients, or the work is already under way
  reload_failed = -32004,      ///< the new configuration is invalid; the old one stays
};

/// The fixed text of a code ("Parse error", ...).
std::string_view error_text(ErrorCode code) noexcept;

/// Who may call a method: read methods are open to whoever can connect.
enum class Access : std::uint8_t { read, admin };

/// Parameter keys a method may take (bit set).
enum ParamKey : unsigned {
  kParamLimit = 1U << 0,  ///< "limit": unsigned integer, 0 = all
  kParamAsn = 1U << 1,    ///< "asn": unsigned 32-bit integer
  kParamIps = 1U << 2,    ///< "ips": non-empty array of address strings
};

/// One row of the method table: the single source of dispatch, help and ctl usage.
struct Method {
  std::string_view name;     ///< wire name, e.g. "as_prefixes"
  Access access;             ///< read or admin
  unsigned allowed;          ///< ParamKey bits accepted
  unsigned required;         ///< ParamKey bits that must be present
  std::string_view params;   ///< params help, e.g. R"({"asn": N})"
  std::string_view command;  ///< asncounterctl command, e.g. "as-prefixes"
  std::string_view usage;    ///< asncounterctl arguments, e.g. "ASN"
  std::string_view help;     ///< one line of help
};

/// Every method, in the order help lists them.
std::span<const Method> methods() noexcept;
/// The method named `name` on the wire, or nullptr.
const Method* find_method(std::string_view name) noexcept;
/// The method behind asncounterctl command `command`, or nullptr.
const Method* find_command(std::string_view command) noexcept;

/// Validated parameters (only the keys the method allows can be set).
struct Params {
  std::optional<std::uint64_t> limit;
  std::optional<std::uint32_t> asn;
  std::vector<std::string> ips;
  friend bool operator==(const Params&, const Params&) = default;
};

/// A valid request.
struct Request {
  std::string id_json = "null";  ///< the request's id as JSON text, echoed in the answer
  const Method* method = nullptr;
  Params params;
};

/// Why a request line was refused; answered with make_error().
struct RequestError {
  ErrorCode code{};
  std::string message;
  std::string id_json = "null";  ///< the id when it could be read
};

/// Parses and validates one request line (without its newline). Never throws.
std::variant<Request, RequestError> parse_request(std::string_view line) noexcept;

/// The request line (newline included) that parse_request() turns back into
/// `method` and `params`; only set fields are written.
std::string make_request(std::uint64_t id, std::string_view method, const Params& params);

/// A success answer line (newline included); `result_json` must be valid JSON.
std::string make_result(std::string_view id_json, std::string_view result_json);
/// An error answer line (newline included); `message` is escaped.
std::string make_error(std::string_view id_json, ErrorCode code, std::string_view message);

/// A decoded answer line, as the client sees it.
struct Response {
  std::string id_json = "null";
  std::optional<std::string> result_json;  ///< set on success
  int error_code{};                        ///< set on error
  std::string error_message;
};

/// Parses an answer line; nullopt when it is not a JSON-RPC 2.0 answer.
std::optional<Response> parse_response(std::string_view line) noexcept;

/// docs/rpc.md's method reference, generated from methods().
std::string methods_markdown();

}  // namespace asncounter::rpc
