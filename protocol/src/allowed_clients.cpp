#include "rcl/protocol/allowed_clients.h"

#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "rcl/protocol/curve.h"
#include "rcl/protocol/text.h"

namespace rcl::protocol {
namespace {

constexpr std::size_t kDefaultNameLength = 8;

std::optional<std::uint64_t> parseCount(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> parseSize(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int shift = 0;
  std::string digits = text;
  switch (text.back()) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    case 'T': case 't': shift = 40; break;
    default: break;
  }
  if (shift != 0) digits.pop_back();
  const auto value = parseCount(digits);
  if (!value || *value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return *value << shift;
}

AllowedClient parseAllowedClient(const std::string& line) {
  std::istringstream words(line);
  AllowedClient entry;
  words >> entry.key;
  if (!isCurveKey(entry.key)) throw std::runtime_error("not a CURVE public key (40 characters of Z85)");
  std::string word;
  while (words >> word) {
    if (word.front() == '#') break;  // a comment to the end of the line (a key may hold '#': not the first word)
    const auto equals = word.find('=');
    if (equals == std::string::npos) {
      if (!entry.name.empty()) throw std::runtime_error("two names: " + entry.name + " and " + word);
      entry.name = word;
      continue;
    }
    const std::string field = word.substr(0, equals), value = word.substr(equals + 1);
    std::optional<std::uint64_t>* target = nullptr;
    std::optional<std::uint64_t> parsed;
    if (field == "sessions") {
      target = &entry.sessions;
      parsed = parseCount(value);
    } else if (field == "objects") {
      target = &entry.objects;
      parsed = parseCount(value);
    } else if (field == "memory") {
      target = &entry.memoryBytes;
      parsed = parseSize(value);
    } else {
      throw std::runtime_error("unknown field " + field + " (sessions=N, memory=SIZE, objects=N)");
    }
    if (!parsed) throw std::runtime_error("bad value for " + field + ": " + value);
    if (target->has_value()) throw std::runtime_error(field + " given twice");
    *target = parsed;
  }
  if (entry.name.empty()) entry.name = entry.key.substr(0, kDefaultNameLength);
  return entry;
}

std::vector<AllowedClient> readAllowedClients(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<AllowedClient> entries;
  std::set<std::string> keys, names;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    try {
      entries.push_back(parseAllowedClient(line));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(where + e.what());
    }
    if (!keys.insert(entries.back().key).second) throw std::runtime_error(where + "this key is listed already");
    if (!names.insert(entries.back().name).second)
      throw std::runtime_error(where + "the name " + entries.back().name + " is taken by another key");
  }
  return entries;
}

}  // namespace rcl::protocol
