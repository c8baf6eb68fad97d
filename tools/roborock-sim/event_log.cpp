// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_log.h"

#include <glib.h>

namespace roborock::sim {

EventLog::~EventLog() {
  if (file_)
    fclose(file_);
}

bool EventLog::open(const std::string &path) {
  if (path.empty())
    return true;
  file_ = fopen(path.c_str(), "a");
  return file_ != nullptr;
}

JsonObjectWriter EventLog::begin(const char *event) {
  JsonObjectWriter writer;
  writer.add_int("ts_ms", g_get_real_time() / 1000).add_string("event", event);
  return writer;
}

void EventLog::write(const JsonObjectWriter &event) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_)
    return;
  std::string line = event.str();
  fprintf(file_, "%s\n", line.c_str());
  fflush(file_); // tests read the log while we run
}

} // namespace roborock::sim
