#pragma once
// The control socket's wire contract, shared by asncounterd and asncounterctl.
//
// Framing: one JSON-RPC 2.0 object per line ("\n"-terminated) in each
// direction, at most kMaxRequestBytes per request line. Every request line
// gets exactly one answer line, in order (even without an "id", so that a
// hand-typed `socat` session never hangs). Compatibility rule (as chrony's
// candm.h): methods and optional parameters are only ever added; removing or
// changing the meaning of one bumps kProtocolVersion.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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

/// Every method, in the order help lists them (append-only). The method
/// table (kMethods below), the daemon's handlers and asncounterctl are all
/// indexed by it: a new method is an enumerator, its row and its handler
/// (daemon/rpc/handlers.cpp); the build fails when either is missing.
enum class MethodId : std::uint8_t {
  top,
  prefixes,
  report,
  as_prefixes,
  lookup,
  stats,
  version,
  reset,
  refresh,
  reload,
  asn,
  decisions,
  ban,
  unban,
  series,
  whois,
  count_  ///< not a method: the number of methods
};
inline constexpr std::size_t kMethodCount = static_cast<std::size_t>(MethodId::count_);

/// Every parameter any method takes; a method's row says which of them it
/// accepts. A new parameter is an enumerator and its row in kParams: the
/// daemon validates it and asncounterctl takes it (--key VALUE when
/// optional, positional when required) from that row alone.
enum class ParamId : std::uint8_t {
  limit,
  asn,
  ips,
  window,
  carved,
  target,
  for_,
  reason,
  sort,
  text,
  keep,
  input,
  count_  ///< not a parameter: the number of parameters
};
inline constexpr std::size_t kParamCount = static_cast<std::size_t>(ParamId::count_);

/// The JSON type a parameter has on the wire.
enum class ParamType : std::uint8_t {
  unsigned_integer,  ///< a JSON integer in [min, max]
  addresses,         ///< a JSON array of [min, max] strings, each answered alone (an error row if no address)
  word,              ///< a JSON string, one of the '|'-separated words of its metavar ("hits|bytes")
  text,              ///< a JSON string of [min, max] bytes
};

/// One parameter's declaration: the single source of validation (daemon),
/// flags and positional arguments (asncounterctl) and help (both).
struct ParamSpec {
  ParamId id;
  std::string_view key;  ///< wire key; asncounterctl's flag is "--" + key
  ParamType type;
  std::uint64_t min;         ///< smallest value, or fewest addresses
  std::uint64_t max;         ///< largest value, or most addresses
  std::string_view metavar;  ///< its placeholder in help, e.g. "ASN"
  std::string_view help;     ///< what it is, after "takes": "an AS number"
};

/// The bit of `id` in a method's parameter sets.
constexpr unsigned param_bit(ParamId id) noexcept { return 1U << static_cast<unsigned>(id); }
/// The set of the given parameters.
template <class... P>
constexpr unsigned param_set(P... ids) noexcept {
  return (0U | ... | param_bit(ids));
}

/// One row of the method table: the single source of dispatch, help and ctl usage.
struct Method {
  MethodId id;
  std::string_view name;     ///< wire name, e.g. "as_prefixes"
  Access access;             ///< read or admin
  unsigned params;           ///< param_set() of the parameters it accepts
  unsigned required;         ///< those that must be present (asncounterctl takes them positionally)
  std::string_view command;  ///< asncounterctl command, e.g. "as-prefixes"
  std::string_view help;     ///< one line of help
};

/// Every parameter, indexed by ParamId. Append-only (see the compatibility rule above).
inline constexpr std::array<ParamSpec, kParamCount> kParams{{
    {ParamId::limit, "limit", ParamType::unsigned_integer, 0, UINT64_MAX, "N", "a number"},
    {ParamId::asn, "asn", ParamType::unsigned_integer, 0, UINT32_MAX, "ASN", "an AS number"},
    {ParamId::ips, "ips", ParamType::addresses, 1, kMaxLookupAddresses, "IP", "an address"},
    {ParamId::window, "window", ParamType::unsigned_integer, 0, UINT32_MAX, "SECONDS",
     "a number of seconds (0: since start)"},
    {ParamId::carved, "carved", ParamType::unsigned_integer, 0, 1, "0/1",
     "1: the ASN's exact space (other ASNs' more-specifics cut out, adjacent prefixes joined)"},
    {ParamId::target, "target", ParamType::text, 1, 64, "TARGET", "an ASN (AS64496) or a prefix"},
    {ParamId::for_, "for", ParamType::unsigned_integer, 1, UINT32_MAX, "SECONDS",
     "a number of seconds (asncounterctl: a duration, 10m)"},
    {ParamId::reason, "reason", ParamType::text, 0, 256, "TEXT", "a text"},
    {ParamId::sort, "sort", ParamType::word, 0, 0, "hits|bytes|prefix",
     "hits, bytes or prefix: what orders the rows (hits when not given; prefix: address order, prefix rows "
     "only)"},
    {ParamId::text, "text", ParamType::text, 1, 200, "TEXT", "a piece of an AS name"},
    {ParamId::keep, "keep", ParamType::word, 0, 0, "history",
     "history: the windows stay (the step in progress is closed first), only the since-start counts go"},
    {ParamId::input, "input", ParamType::text, 1, 64, "NAME",
     "an input's name (--input NAME=SPEC, else its spec): that input's counts only"},
}};

/// Every method, indexed by MethodId. Append-only (see the compatibility rule above).
inline constexpr std::array<Method, kMethodCount> kMethods{{
    {MethodId::top, "top", Access::read,
     param_set(ParamId::limit, ParamId::window, ParamId::sort, ParamId::input), 0, "top",
     "top ASNs: count, percent, ASN, AS name (and bytes)"},
    {MethodId::prefixes, "prefixes", Access::read,
     param_set(ParamId::limit, ParamId::asn, ParamId::window, ParamId::sort, ParamId::input), 0, "prefixes",
     "top prefixes (limit 0: all of them), optionally of one ASN"},
    {MethodId::report, "report", Access::read, param_set(ParamId::limit, ParamId::window), 0, "report",
     "both tables, as the one-shot report"},
    {MethodId::as_prefixes, "as_prefixes", Access::read, param_set(ParamId::asn, ParamId::carved),
     param_set(ParamId::asn), "as-prefixes", "prefixes of ASN in the current table"},
    {MethodId::lookup, "lookup", Access::read, param_set(ParamId::ips), param_set(ParamId::ips), "lookup",
     "address, ASN, prefix and AS name in the current table"},
    {MethodId::stats, "stats", Access::read, 0, 0, "stats",
     "uptime, table (source, dump time, prefix counts), inputs with their counters, totals"},
    {MethodId::version, "version", Access::read, 0, 0, "version", "daemon version and protocol version"},
    {MethodId::reset, "reset", Access::admin, param_set(ParamId::keep), 0, "reset",
     "zero all counts (keep=history: the since-start counts only, the windows stay)"},
    {MethodId::refresh, "refresh", Access::admin, 0, 0, "refresh", "fetch and load a new table now"},
    {MethodId::reload, "reload", Access::admin, 0, 0, "reload", "re-read the configuration (as SIGHUP)"},
    {MethodId::asn, "asn", Access::read,
     param_set(ParamId::asn, ParamId::window, ParamId::sort, ParamId::input), param_set(ParamId::asn), "asn",
     "one ASN: count, bytes, share, rank and its counted prefixes"},
    {MethodId::decisions, "decisions", Access::read, 0, 0, "decisions",
     "mitigation: active and recent bans and refusals, with rule, value, prefixes, expiry and drops"},
    {MethodId::ban, "ban", Access::admin, param_set(ParamId::target, ParamId::for_, ParamId::reason),
     param_set(ParamId::target), "ban",
     "ban an ASN or prefix (carved, allow list obeyed) for a time (default 1h)"},
    {MethodId::unban, "unban", Access::admin, param_set(ParamId::target), param_set(ParamId::target), "unban",
     "end a ban now"},
    {MethodId::series, "series", Access::read,
     param_set(ParamId::limit, ParamId::asn, ParamId::window, ParamId::input), 0, "series",
     "per-step hits and bytes over a window (default 3600): the total, one ASN (asn) or the top N ASNs "
     "(limit) and the rest"},
    {MethodId::whois, "whois", Access::read, param_set(ParamId::text), param_set(ParamId::text), "whois",
     "ASNs whose AS name contains TEXT (case ignored), from the loaded names"},
}};

// Each table has exactly one row per enumerator, in enumerator order (a
// missing row leaves a value-initialised one whose id does not match).
namespace detail {
template <class Table>
constexpr bool indexed_by_id(const Table& table) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].id) != i || table[i].help.empty()) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::indexed_by_id(kMethods), "kMethods needs one row per MethodId, in MethodId order");
static_assert(detail::indexed_by_id(kParams), "kParams needs one row per ParamId, in ParamId order");
static_assert(std::all_of(kMethods.begin(), kMethods.end(),
                          [](const Method& m) {
                            return (m.required & ~m.params) == 0 && m.params < (1U << kParamCount);
                          }),
              "a method requires only parameters it accepts");

/// Every method, indexed by MethodId.
std::span<const Method> methods() noexcept;
/// The row of `id`.
const Method& method(MethodId id) noexcept;
/// The method named `name` on the wire, or nullptr.
const Method* find_method(std::string_view name) noexcept;
/// The method behind asncounterctl command `command`, or nullptr.
const Method* find_command(std::string_view command) noexcept;

/// Every parameter, indexed by ParamId.
std::span<const ParamSpec> params() noexcept;
/// The declaration of `id`.
const ParamSpec& param(ParamId id) noexcept;
/// The parameter with wire key `key`, or nullptr.
const ParamSpec* find_param(std::string_view key) noexcept;

/// True when `value` is one of the words a ParamType::word parameter takes.
bool is_choice(const ParamSpec& spec, std::string_view value) noexcept;

/// A method's params as JSON help, e.g. R"({"asn": ASN})"; empty when none.
std::string params_help(const Method& m);
/// A method's asncounterctl arguments, e.g. "[--limit N] [--asn ASN]" or "IP...":
/// required parameters are positional, optional ones are flags.
std::string command_usage(const Method& m);

/// Validated parameters, by ParamId (only those the method accepts can be set).
class Params {
 public:
  bool has(ParamId id) const noexcept { return !std::holds_alternative<std::monostate>(at(id)); }
  /// An integer parameter, converted to T (its declared range fits T).
  template <class T = std::uint64_t>
  std::optional<T> number(ParamId id) const noexcept {
    const auto* v = std::get_if<std::uint64_t>(&at(id));
    return v ? std::optional<T>(static_cast<T>(*v)) : std::nullopt;
  }
  /// A text parameter, when given.
  std::optional<std::string> text(ParamId id) const {
    const auto* v = std::get_if<std::string>(&at(id));
    return v ? std::optional<std::string>(*v) : std::nullopt;
  }
  /// An address-list parameter; empty when not given.
  std::span<const std::string> list(ParamId id) const noexcept {
    const auto* v = std::get_if<std::vector<std::string>>(&at(id));
    return v ? std::span<const std::string>(*v) : std::span<const std::string>();
  }
  void set(ParamId id, std::uint64_t value) { values_[static_cast<std::size_t>(id)] = value; }
  void set_text(ParamId id, std::string value) { values_[static_cast<std::size_t>(id)] = std::move(value); }
  void set(ParamId id, std::vector<std::string> values) {
    values_[static_cast<std::size_t>(id)] = std::move(values);
  }
  /// A word or text parameter as a view ("bytes"); nullopt when not given.
  std::optional<std::string_view> word(ParamId id) const noexcept {
    const auto* v = std::get_if<std::string>(&at(id));
    return v ? std::optional<std::string_view>(*v) : std::nullopt;
  }
  /// The param_set() of the parameters given.
  unsigned given() const noexcept;
  friend bool operator==(const Params&, const Params&) = default;

 private:
  using Value = std::variant<std::monostate, std::uint64_t, std::vector<std::string>, std::string>;
  const Value& at(ParamId id) const noexcept { return values_[static_cast<std::size_t>(id)]; }
  std::array<Value, kParamCount> values_{};
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
std::string make_request(std::uint64_t id, MethodId method, const Params& params);

/// A result answer's text before its result, and after it: an answer written
/// in pieces is result_head(id) + the result's pieces + kResultTail.
std::string result_head(std::string_view id_json);
inline constexpr std::string_view kResultTail = "}\n";
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
