// SPDX-License-Identifier: LGPL-2.1-or-later
// Assertion helpers shared by the unit and integration tests.
#pragma once

#include <pthread.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <glib.h>

// g_assert_cmpstr keeps raw pointers: comparing strings owned by temporaries
// would read freed memory. This holds both sides as strings first.
#define ASSERT_STR_EQ(actual, expected)                                                            \
  do {                                                                                             \
    const std::string assert_actual_ = (actual);                                                   \
    const std::string assert_expected_ = (expected);                                               \
    g_assert_cmpstr(assert_actual_.c_str(), ==, assert_expected_.c_str());                         \
  } while (0)

// GLib warnings and criticals are fatal, as g_test_init makes them, libnice's
// too (it logs structured, so no fatal handler sees it: a log writer
// decides). libnice 0.1.21 warns "We still have alive TURN refreshes" when
// webrtcbin 1.22 drops an agent that used TURN; the element closes the agent
// first, and every test through a relay checks it. Call after g_test_init.
// `except_libnice`: for the session tests, whose stand-in viewer is a bare
// webrtcbin that does not close its agent.
//
// One critical is spared, in its own thread only: GStreamer 1.22's
// rtpsession RTCP thread ("rtpsession-rtcp") walks its sources with
// g_hash_table_foreach (rtp_session_on_timeout, generating RTCP) while
// another thread can change the table, and GLib then stops the walk with
// "g_hash_table_foreach: assertion 'version == hash_table->version' failed"
// (one RTCP report cut short). Seen in a clean-clone .ci/run and in 1 of
// about 70 runs of element/no-secrets-in-logs, whose level-9 logging widens
// the window; the backtrace is in docs/testing.md. Not ours to fix, and not
// fatal in use.
inline bool upstream_rtcp_race(const char *domain, const char *message) {
  char thread[16] = "";
  pthread_getname_np(pthread_self(), thread, sizeof thread);
  return g_strcmp0(domain, "GLib") == 0 && g_strcmp0(thread, "rtpsession-rtcp") == 0 &&
         strstr(message, "g_hash_table_foreach: assertion 'version == hash_table->version'");
}

inline void fatal_warnings(bool except_libnice = false) {
  static bool spare_libnice;
  spare_libnice = except_libnice;
  g_log_set_always_fatal(GLogLevelFlags(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL));
  g_test_log_set_fatal_handler(
      [](const gchar *domain, GLogLevelFlags, const gchar *message, gpointer) -> gboolean {
        if (!upstream_rtcp_race(domain, message))
          return TRUE; // fatal
        g_printerr("# spared: GStreamer 1.22's rtpsession RTCP race (see docs/testing.md)\n");
        return FALSE;
      },
      nullptr);
  g_log_set_writer_func(
      [](GLogLevelFlags level, const GLogField *fields, gsize n_fields,
         gpointer) -> GLogWriterOutput {
        GLogWriterOutput written = g_log_writer_default(level, fields, n_fields, nullptr);
        const char *domain = nullptr;
        for (gsize i = 0; i < n_fields; i++)
          if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0)
            domain = static_cast<const char *>(fields[i].value);
        if ((level & G_LOG_LEVEL_WARNING) &&
            !(spare_libnice && g_strcmp0(domain, "libnice") == 0)) {
          g_printerr("Bail out! a GLib warning from %s is fatal in tests\n",
                     domain ? domain : "the program");
          abort();
        }
        return written;
      },
      nullptr, nullptr);
}
