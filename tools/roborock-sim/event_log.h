// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulator's JSON-lines event log (--event-log): one object per line,
// each with "ts_ms" (Unix milliseconds) and "event". Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "json_util.h"

namespace roborock::sim {

class EventLog {
public:
  ~EventLog();
  // Empty path: events are discarded. False if the file cannot be opened.
  bool open(const std::string &path);

  // Starts an event; add fields to the writer, then pass it to write().
  static JsonObjectWriter begin(const char *event);
  void write(const JsonObjectWriter &event);

private:
  std::mutex mutex_;
  FILE *file_ = nullptr;
};

} // namespace roborock::sim
