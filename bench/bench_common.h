#pragma once
// Shared helpers of rcl-bench: timing, statistics, a flat JSON writer and the byte sizes used.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcl::bench {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double median(std::vector<double> values) {
  if (values.empty()) throw std::runtime_error("median of no values");
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

inline double minimum(const std::vector<double>& values) {
  if (values.empty()) throw std::runtime_error("minimum of no values");
  return *std::min_element(values.begin(), values.end());
}

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// "4KiB", "16MiB": the suffix of the JSON keys of size-dependent results.
inline std::string sizeName(std::size_t bytes) {
  if (bytes >= MiB && bytes % MiB == 0) return std::to_string(bytes / MiB) + "MiB";
  if (bytes >= KiB && bytes % KiB == 0) return std::to_string(bytes / KiB) + "KiB";
  return std::to_string(bytes) + "B";
}

// Transfer sizes and their repetitions; --quick leaves out 256 MiB and repeats less.
struct TransferSize {
  std::size_t bytes;
  int repetitions;
};

inline std::vector<TransferSize> transferSizes(bool quick) {
  if (quick) return {{4 * KiB, 100}, {1 * MiB, 10}, {16 * MiB, 3}};
  return {{4 * KiB, 1000}, {1 * MiB, 40}, {16 * MiB, 8}, {256 * MiB, 3}};
}

// A flat JSON object of numbers and strings, written in insertion order.
class JsonOut {
 public:
  void number(const std::string& key, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.9g", value);
    entries_.emplace_back(key, text);
  }
  void string(const std::string& key, const std::string& value) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') {
        quoted += '\\';
        quoted += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        quoted += esc;
      } else {
        quoted += c;
      }
    }
    quoted += '"';
    entries_.emplace_back(key, quoted);
  }
  std::string text() const {
    std::string out = "{\n";
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      out += "  \"" + entries_[i].first + "\": " + entries_[i].second;
      out += i + 1 < entries_.size() ? ",\n" : "\n";
    }
    return out + "}\n";
  }
  // For the human-readable output (without --json).
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

inline void print(const JsonOut& out, bool json) {
  if (json) {
    std::fputs(out.text().c_str(), stdout);
  } else {
    for (const auto& [key, value] : out.entries()) std::printf("%-28s %s\n", key.c_str(), value.c_str());
  }
  std::fflush(stdout);
}

// Deterministic byte pattern, different per seed.
inline void fillPattern(std::vector<unsigned char>& bytes, std::uint32_t seed) {
  std::uint32_t x = seed * 2654435761u + 12345u;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<unsigned char>(x >> 24);
  }
}

// The modes (each in its own file).
int runOpenClMeasurements(bool quick, bool json);
int runMemcpy(bool quick, bool json);
int runZmqEcho(const std::string& listen);
int runZmqRelay(const std::string& listen, const std::string& backend);
int runZmqClient(const std::string& endpoint, bool quick, bool json);

}  // namespace rcl::bench
