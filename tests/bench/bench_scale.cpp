// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: 1, 4 and 8 robots of one account (a simulator each) streamed by
// one process, one pipeline: CPU per stream (depayloaded, not decoded: the
// element's own cost), the MQTT connections the broker saw from the account
// (one is the goal: sessions of one account share it), and when the last of
// the streams, all started together, had its first frame. Prints figures.
//
//   bench-scale [--seconds S]
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench_util.h"
#include "element_fixture.h"

using namespace roborock::test;
using namespace roborock::testbed;

using roborock::bench::cpu_seconds;
using roborock::bench::parse_options;

namespace {

std::string source_for(const Testbed &testbed, const TestRobot &robot, int index) {
  const TestAccount &a = testbed.account();
  std::string n = std::to_string(index);
  return "roborocksrc name=src" + n + " mqtt-url=" + testbed.broker_url() +
         " tls-ca-file=" + testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s +
         " rriot-k=" + a.k + " duid=" + robot.duid + " local-key=" + robot.local_key +
         " password=" + a.pattern + " ! fakesink name=out" + n + " sync=false ";
}

void measure(int robots, int seconds) {
  Testbed testbed;
  std::vector<TestRobot> all = {{testbed.account().duid, testbed.account().local_key}};
  for (int i = 1; i < robots; i++)
    all.push_back(testbed.start_another_robot());
  std::string description;
  for (int i = 0; i < robots; i++)
    description += source_for(testbed, all[size_t(i)], i);
  size_t connections_before = testbed.broker_log_count(testbed.account().mqtt_username.c_str());
  Pipeline pipeline(description);
  std::vector<std::unique_ptr<PadProbe>> streams;
  for (int i = 0; i < robots; i++) {
    streams.push_back(std::make_unique<PadProbe>());
    attach(*streams.back(), pipeline, ("out" + std::to_string(i)).c_str());
  }
  gint64 start = g_get_monotonic_time();
  pipeline.set_state(GST_STATE_PLAYING);
  auto all_streaming = [&](int buffers) {
    return std::all_of(streams.begin(), streams.end(),
                       [&](const auto &s) { return s->buffers() > buffers; });
  };
  if (!pipeline.wait_until([&] { return all_streaming(0); }, 60000)) {
    printf("  %d robots: not all streaming within 60 s\n", robots);
    return;
  }
  gint64 last_first = 0;
  for (const auto &s : streams)
    last_first = std::max(last_first, s->first_buffer_us());
  pipeline.wait_until([&] { return all_streaming(100); }, 20000);
  double cpu = cpu_seconds();
  gint64 wall = g_get_monotonic_time();
  pipeline.wait_until([] { return false; }, unsigned(seconds) * 1000);
  double used = cpu_seconds() - cpu, elapsed = (g_get_monotonic_time() - wall) / 1e6;
  size_t connections =
      testbed.broker_log_count(testbed.account().mqtt_username.c_str()) - connections_before;
  printf("  %d robot%s: CPU %.1f%% of one core per stream, %zu MQTT connection%s from the "
         "account, last first frame %.0f ms after PLAYING\n",
         robots, robots == 1 ? "" : "s", 100.0 * used / elapsed / robots, connections,
         connections == 1 ? "" : "s", (last_first - start) / 1000.0);
  fflush(stdout);
  pipeline.set_state(GST_STATE_NULL);
}

} // namespace

int main(int argc, char **argv) {
  gint seconds = 10;
  GOptionEntry entries[] = {
      {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "streaming time for the CPU figure", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  if (!parse_options(&argc, &argv, entries, "- several robots in one process"))
    return 2;
  require_private_network();
  printf("bench-scale: robots of one account in one process (720p 15 fps each, depayloaded, "
         "not decoded; the simulators share the same 2 cores)\n");
  for (int robots : {1, 4, 8})
    measure(robots, seconds);
  return 0;
}
