// SPDX-License-Identifier: LGPL-2.1-or-later
// The documentation's examples against the simulator: they stream, act on
// the robot as the recipes say, and exit with success.
#include <cstdio>
#include <string>

#include <glib.h>

#include "testbed.h"

using namespace roborock::testbed;

namespace {

// Runs an example with the testbed's credentials; returns its output.
std::string run_example(const Testbed &testbed, std::vector<std::string> argv) {
  std::string credentials = testbed.write_credentials_file();
  argv.insert(argv.end(), {credentials, testbed.account().pattern, "6"});
  std::vector<const char *> args;
  for (const std::string &arg : argv)
    args.push_back(arg.c_str());
  args.push_back(nullptr);
  gchar **env =
      g_environ_setenv(g_get_environ(), "ROBOROCK_TLS_CA_FILE", testbed.ca_file().c_str(), TRUE);
  gchar *out = nullptr, *err = nullptr;
  gint status = 0;
  GError *error = nullptr;
  g_assert_true(g_spawn_sync(nullptr, const_cast<gchar **>(args.data()), env, G_SPAWN_SEARCH_PATH,
                             nullptr, nullptr, &out, &err, &status, &error));
  g_strfreev(env);
  std::string output = std::string(out) + err;
  g_test_message("%s", output.c_str());
  g_free(out);
  g_free(err);
  if (!g_spawn_check_wait_status(status, nullptr))
    g_error("%s failed:\n%s", argv[0].c_str(), output.c_str());
  return output;
}

void test_c_example() {
  Testbed testbed;
  std::string output = run_example(testbed, {ROBOROCK_VIEW_C});
  g_assert_nonnull(strstr(output.c_str(), "session: streaming"));
  g_assert_nonnull(strstr(output.c_str(), "remote control: moved forward"));
  auto moves = testbed.events_named("rc-move");
  g_assert_cmpuint(moves.size(), ==, 1);
  g_assert_cmpfloat(event_number(moves[0], "velocity"), ==, 0.2);
}

void test_python_example() {
  Testbed testbed;
  // Debian's python3, where python3-gi installs the GStreamer bindings.
  std::string output = run_example(testbed, {"/usr/bin/python3", ROBOROCK_VIEW_PY});
  g_assert_nonnull(strstr(output.c_str(), "session: streaming"));
  g_assert_nonnull(strstr(output.c_str(), "connect status: {\"status\":1"));
  // Its stats line: frames decoded and sent while streaming.
  unsigned video = 0, talkback = 0;
  char state[32] = "";
  const char *stats = strstr(output.c_str(), "stats: ");
  g_assert_nonnull(stats);
  g_assert_cmpint(sscanf(stats, "stats: video-frames=%u talkback-frames=%u state=%31s", &video,
                         &talkback, state),
                  ==, 3);
  g_assert_cmpuint(video, >, 0);
  g_assert_cmpuint(talkback, >, 0);
  g_assert_cmpstr(state, ==, "streaming");
  // Its tone reached the robot: sound at the example's volume (0.2, about
  // -17 dBFS RMS), not the silence an idle talkback pad is fed.
  g_assert_true(testbed.wait_until(
      [&] {
        for (auto &event : testbed.events_named("talkback"))
          if (event_number(event, "frames") >= 10 && event_number(event, "rms_db") > -25)
            return true;
        return false;
      },
      3000));
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/examples/c", test_c_example);
  g_test_add_func("/examples/python", test_python_example);
  return g_test_run();
}
