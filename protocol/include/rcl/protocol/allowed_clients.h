// The server's list of allowed clients (--allowed-clients FILE): one CURVE
// public key a line, each with an optional name and limits of its own:
//
//   KEY [NAME] [sessions=N] [memory=SIZE] [objects=N]
//
// `#` starts a comment line, or after the key a comment to the end of the
// line; blank lines are allowed. NAME (no `=` in it, not starting with `#`)
// defaults to the key's first 8 characters; SIZE is bytes, or a number with
// K, M, G or T (binary: K = 1024). The name shows in the server's log and in
// `remote-cl status`; the limits apply to that key's sessions: `sessions` at
// once, and `memory`/`objects` instead of the server's per-session limits
// (--max-memory, --max-objects). A `.pub` file appended as it is is one entry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rcl::protocol {

struct AllowedClient {
  std::string key;   // Z85
  std::string name;
  std::optional<std::uint64_t> sessions;     // at once
  std::optional<std::uint64_t> memoryBytes;  // per session
  std::optional<std::uint64_t> objects;      // per session
};

// Every entry of an allowed-clients file. Throws std::runtime_error naming
// FILE:LINE and what is wrong (not a key, an unknown field, a bad number, a
// key or a name listed twice).
std::vector<AllowedClient> readAllowedClients(const std::string& path);

// One line's entry (no comment, not blank). Throws std::runtime_error saying what is wrong.
AllowedClient parseAllowedClient(const std::string& line);

// "512M" -> 536870912. nullopt if it is not a size.
std::optional<std::uint64_t> parseSize(const std::string& text);

}  // namespace rcl::protocol
