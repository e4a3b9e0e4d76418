#include "daemon/mitigate/rule.hpp"

#include <array>
#include <optional>

#include "common/parse_duration.hpp"
#include "common/parse_number.hpp"

namespace asncounter::mitigate {
namespace {

struct Word {
  std::string_view text;
  std::size_t column;  // 1-based
};

std::vector<Word> split_words(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back({text.substr(start, i - start), start + 1});
  }
  return words;
}

Error at(std::size_t column, const std::string& why) {
  return Error{"column " + std::to_string(column) + ": " + why};
}

// A positive duration; "0s" and "-5m" are refused (a ban of nothing, or a window of nothing).
Result<std::chrono::seconds> duration_word(const Word& w, std::string_view what) {
  if (!w.text.empty() && w.text.front() == '-')
    return at(w.column, std::string(what) + " must be positive, not " + std::string(w.text));
  auto s = parse_duration_seconds(w.text);
  if (!s || *s > UINT32_MAX)
    return at(w.column,
              std::string(what) + " must be a duration (90s, 5m, 1h, 1d), not '" + std::string(w.text) + "'");
  if (*s == 0) return at(w.column, std::string(what) + " must be positive, not " + std::string(w.text));
  return std::chrono::seconds(*s);
}

// "5000", "100M", "2.5k"? Decimal SI multipliers on a whole number only: a
// threshold is a count, and fractions of one invite surprises.
Result<std::uint64_t> count_word(const Word& w) {
  std::string_view t = w.text;
  std::uint64_t unit = 1;
  if (!t.empty()) {
    switch (t.back()) {
      case 'k':
      case 'K':
        unit = 1000;
        break;
      case 'M':
        unit = 1000000;
        break;
      case 'G':
        unit = 1000000000;
        break;
      default:
        break;
    }
  }
  if (unit != 1) t.remove_suffix(1);
  if (t.ends_with('%'))
    return at(w.column, "a percentage is a threshold of share only, not '" + std::string(w.text) + "'");
  auto n = parse_unsigned<std::uint64_t>(t);
  if (!n || *n > UINT64_MAX / unit)
    return at(w.column,
              "the threshold must be a number with an optional k, M or G, not '" + std::string(w.text) + "'");
  return *n * unit;
}

// "30%" or "2.5%", kept in hundredths of a percent.
Result<std::uint64_t> share_word(const Word& w) {
  std::string_view t = w.text;
  if (!t.ends_with('%'))
    return at(w.column, "a share threshold is a percentage such as 30%, not '" + std::string(t) + "'");
  t.remove_suffix(1);
  auto dot = t.find('.');
  std::string_view whole = t.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  auto w1 = parse_unsigned<std::uint64_t>(whole);
  std::optional<std::uint64_t> f =
      frac.empty() ? std::optional<std::uint64_t>(0) : parse_unsigned<std::uint64_t>(frac);
  if (!w1 || !f || frac.size() > 2 || (dot != std::string_view::npos && frac.empty()))
    return at(w.column,
              "a share threshold is a percentage such as 30% or 2.5%, not '" + std::string(w.text) + "'");
  std::uint64_t hundredths = *w1 * 100 + (frac.size() == 1 ? *f * 10 : *f);
  if (*w1 > 100 || hundredths >= 10000)
    return at(w.column, "a share threshold must be under 100%, not '" + std::string(w.text) + "'");
  return hundredths;
}

Result<void> keyword(const std::vector<Word>& words, std::size_t i, std::string_view want,
                     std::size_t end_column) {
  if (i >= words.size()) return at(end_column, "expected '" + std::string(want) + "' here, the rule ends");
  if (words[i].text != want)
    return at(words[i].column,
              "expected '" + std::string(want) + "', not '" + std::string(words[i].text) + "'");
  return {};
}

}  // namespace

std::string_view name_of(Scope s) { return s == Scope::asn ? "asn" : "prefix"; }

std::string_view name_of(Measure m) {
  constexpr std::array<std::string_view, 3> names = {"hits", "bytes", "share"};
  return names[static_cast<std::size_t>(m)];
}

Result<Rule> parse_rule(std::string_view text, std::chrono::seconds history_span) {
  const std::vector<Word> words = split_words(text);
  const std::size_t end_column = text.size() + 1;
  auto need = [&](std::size_t i, std::string_view what) -> Result<Word> {
    if (i >= words.size()) return at(end_column, "expected " + std::string(what) + " here, the rule ends");
    return words[i];
  };
  Rule r;
  // SCOPE
  auto scope = need(0, "a scope (asn or prefix)");
  if (!scope) return Error{scope.error()};
  if (scope->text == "asn")
    r.scope = Scope::asn;
  else if (scope->text == "prefix")
    r.scope = Scope::prefix;
  else
    return at(scope->column, "unknown scope '" + std::string(scope->text) + "' (asn or prefix)");
  // MEASURE
  auto measure = need(1, "a measure (hits, bytes or share)");
  if (!measure) return Error{measure.error()};
  if (measure->text == "hits")
    r.measure = Measure::hits;
  else if (measure->text == "bytes")
    r.measure = Measure::bytes;
  else if (measure->text == "share")
    r.measure = Measure::share;
  else
    return at(measure->column, "unknown measure '" + std::string(measure->text) + "' (hits, bytes or share)");
  // over WINDOW
  if (auto k = keyword(words, 2, "over", end_column); !k) return Error{k.error()};
  auto window_word = need(3, "a window (60s, 5m)");
  if (!window_word) return Error{window_word.error()};
  auto window = duration_word(*window_word, "the window");
  if (!window) return Error{window.error()};
  if (*window > history_span)
    return at(window_word->column, "the window " + std::string(window_word->text) +
                                       " is longer than history-span (" +
                                       std::to_string(history_span.count()) + "s)");
  r.window = *window;
  // above THRESHOLD
  if (auto k = keyword(words, 4, "above", end_column); !k) return Error{k.error()};
  auto threshold_word = need(5, "a threshold");
  if (!threshold_word) return Error{threshold_word.error()};
  auto threshold = r.measure == Measure::share ? share_word(*threshold_word) : count_word(*threshold_word);
  if (!threshold) return Error{threshold.error()};
  r.threshold = *threshold;
  // ban DURATION
  if (auto k = keyword(words, 6, "ban", end_column); !k) return Error{k.error()};
  auto ban_word = need(7, "a ban duration (10m, 1h)");
  if (!ban_word) return Error{ban_word.error()};
  auto ban = duration_word(*ban_word, "the ban");
  if (!ban) return Error{ban.error()};
  r.ban = *ban;
  if (words.size() > 8)
    return at(words[8].column, "unexpected '" + std::string(words[8].text) + "' after the ban");
  for (const Word& w : words) r.text.append(r.text.empty() ? "" : " ").append(w.text);
  return r;
}

Result<std::vector<Rule>> parse_rules(const std::vector<std::string>& texts,
                                      std::chrono::seconds history_span) {
  std::vector<Rule> rules;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto r = parse_rule(texts[i], history_span);
    if (!r) return Error{"mitigate rule " + std::to_string(i + 1) + " '" + texts[i] + "': " + r.error()};
    rules.push_back(std::move(*r));
  }
  return rules;
}

}  // namespace asncounter::mitigate
