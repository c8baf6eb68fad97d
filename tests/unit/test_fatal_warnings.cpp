// SPDX-License-Identifier: LGPL-2.1-or-later
// The tests' fatal warnings (tests/test_macros.h): GLib criticals abort a
// test, except GStreamer 1.22's known race in rtpsession's RTCP thread, and
// only in that thread.
#include "test_support.h"

namespace {

// Changes a hash table while walking it, as rtpsession's race does: GLib
// stops the walk with "g_hash_table_foreach: assertion 'version ==
// hash_table->version' failed".
gpointer walk_while_changing(gpointer) {
  GHashTable *table = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_hash_table_insert(table, GINT_TO_POINTER(1), GINT_TO_POINTER(1));
  g_hash_table_foreach(
      table,
      [](gpointer, gpointer, gpointer data) {
        auto *changed = static_cast<GHashTable *>(data);
        g_hash_table_insert(changed, GINT_TO_POINTER(2), GINT_TO_POINTER(2));
      },
      table);
  g_hash_table_unref(table);
  return nullptr;
}

void critical_in_thread(const char *name) {
  fatal_warnings();
  g_thread_join(g_thread_new(name, walk_while_changing, nullptr));
}

void test_rtcp_race_spared() {
  if (g_test_subprocess()) {
    critical_in_thread("rtpsession-rtcp");
    return;
  }
  g_test_trap_subprocess(nullptr, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
  g_test_trap_assert_stderr("*spared: GStreamer 1.22's rtpsession RTCP race*");
}

void test_same_critical_elsewhere_fatal() {
  if (g_test_subprocess()) {
    critical_in_thread("another-thread");
    return;
  }
  g_test_trap_subprocess(nullptr, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed();
  g_test_trap_assert_stderr("*version == hash_table->version*");
}

void test_other_critical_fatal() {
  if (g_test_subprocess()) {
    fatal_warnings();
    g_thread_join(g_thread_new(
        "rtpsession-rtcp",
        [](gpointer) -> gpointer {
          g_hash_table_foreach(nullptr, nullptr, nullptr); // another critical
          return nullptr;
        },
        nullptr));
    return;
  }
  g_test_trap_subprocess(nullptr, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed();
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/fatal-warnings/rtcp-race-spared", test_rtcp_race_spared);
  g_test_add_func("/fatal-warnings/same-critical-elsewhere-fatal",
                  test_same_critical_elsewhere_fatal);
  g_test_add_func("/fatal-warnings/other-critical-fatal", test_other_critical_fatal);
  return g_test_run();
}
