// SPDX-License-Identifier: LGPL-2.1-or-later
// What the benchmarks share: this process's CPU time and /proc figures, and
// their command-line parsing (GLib options plus GStreamer's own).
#pragma once

#include <cstdlib>
#include <cstring>
#include <sys/resource.h>

#include <gst/gst.h>

namespace roborock::bench {

// User and system CPU seconds this process has used.
inline double cpu_seconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// A number from /proc/self/status: "VmRSS:", "VmHWM:" (kB), "Threads:".
inline long status_field(const char *name) {
  gchar *text = nullptr;
  long value = 0;
  if (!g_file_get_contents("/proc/self/status", &text, nullptr, nullptr))
    return 0;
  if (const char *line = strstr(text, name))
    value = strtol(line + strlen(name), nullptr, 10);
  g_free(text);
  return value;
}

// Parses `entries` and GStreamer's options (which initialise GStreamer);
// false on a bad command line (GLib printed why).
inline bool parse_options(int *argc, char ***argv, const GOptionEntry *entries,
                          const char *summary) {
  GOptionContext *context = g_option_context_new(summary);
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_add_group(context, gst_init_get_option_group());
  GError *error = nullptr;
  bool ok = g_option_context_parse(context, argc, argv, &error);
  if (!ok) {
    g_printerr("%s\n", error->message);
    g_error_free(error);
  }
  g_option_context_free(context);
  return ok;
}

} // namespace roborock::bench
