// SPDX-License-Identifier: LGPL-2.1-or-later
// Logging for the signaling library, without a GStreamer dependency.
//
// The library never passes secrets to the log: no keys, passwords, password
// hashes, TURN credentials, tokens, SDP or candidate text; only method names,
// ids, sizes, states and error messages (which are written to be secret-free).
#pragma once

#include <functional>
#include <string>

namespace roborock {

enum class LogLevel { Error, Warning, Info, Debug, Trace };

using LogHandler = std::function<void(LogLevel level, const std::string &message)>;

// Replaces the handler (the default writes to g_log, domain "roborock").
// Call before starting any session.
void set_log_handler(LogHandler handler);

void log_message(LogLevel level, const std::string &message);

} // namespace roborock
