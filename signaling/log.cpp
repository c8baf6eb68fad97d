// SPDX-License-Identifier: LGPL-2.1-or-later
#include "log.h"

#include <mutex>

#include <glib.h>

namespace roborock {
namespace {

// Both live for the whole process: the signaling thread may still log while
// static destructors run at exit.
std::mutex &handler_mutex() {
  static auto *mutex = new std::mutex();
  return *mutex;
}

LogHandler &handler() {
  static auto *instance = new LogHandler([](LogLevel level, const std::string &message) {
    GLogLevelFlags flags = G_LOG_LEVEL_DEBUG;
    switch (level) {
    case LogLevel::Error:
    case LogLevel::Warning:
      // MESSAGE, not WARNING/CRITICAL: test harnesses make those fatal, and
      // the errors are reported to the caller anyway.
      flags = G_LOG_LEVEL_MESSAGE;
      break;
    case LogLevel::Info:
      flags = G_LOG_LEVEL_INFO;
      break;
    default:
      break;
    }
    g_log("roborock", flags, "%s", message.c_str());
  });
  return *instance;
}

} // namespace

void set_log_handler(LogHandler new_handler) {
  std::lock_guard<std::mutex> lock(handler_mutex());
  handler() = std::move(new_handler);
}

void log_message(LogLevel level, const std::string &message) {
  LogHandler current;
  {
    std::lock_guard<std::mutex> lock(handler_mutex());
    current = handler();
  }
  if (current)
    current(level, message);
}

} // namespace roborock
