// SPDX-License-Identifier: LGPL-2.1-or-later
// Pattern passwords a robot rejected, remembered so that no restart loop
// (an application setting the pipeline to NULL and back to PLAYING after an
// error, a supervisor restarting the process) sends one twice: robots lock
// remote viewing after a few wrong patterns.
//
// - In memory for the life of the process, and across processes for
//   kPatternRejectionSeconds in $XDG_CACHE_HOME/roborocksrc/rejected-patterns
//   (~/.cache by default; directory 0700, file 0600).
// - The file never holds a pattern: each line is "<key> <unix time>", the
//   key an HMAC-SHA256 of "duid:pattern" keyed by the robot's local key, so
//   without that secret its entries cannot even be tested against guesses.
// - Thread-safe. A file that cannot be read or written only loses the
//   across-process memory (logged), never the in-process one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace roborock {

constexpr int64_t kPatternRejectionSeconds = 24 * 3600;

// When (Unix seconds) the robot rejected `pattern`, if within the period.
std::optional<int64_t> find_pattern_rejection(const std::string &duid, const std::string &local_key,
                                              const std::string &pattern);
void remember_pattern_rejection(const std::string &duid, const std::string &local_key,
                                const std::string &pattern);
// The file, for messages that say how to clear the record.
std::string pattern_rejections_path();

} // namespace roborock
