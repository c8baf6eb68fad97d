// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: how fast roborocksrc gets from PLAYING to the first decoded
// frame against the simulator, where the time goes, and what streaming costs
// in CPU and memory. Prints figures; asserts nothing about speed.
//
//   bench-first-frame [--runs N] [--stream-seconds S] [--quality hd|sd]
#include <algorithm>
#include <cstdio>
#include <string>
#include <sys/resource.h>
#include <vector>

#include <gst/gst.h>

#include "pipeline_probe.h"
#include "testbed.h"

using namespace roborock::test;
using namespace roborock::testbed;

namespace {

struct Run {
  double first_frame_ms = 0;
};

double now_ms() {
  return g_get_monotonic_time() / 1000.0;
}

double cpu_seconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long rss_kib() {
  long rss = 0;
  if (FILE *status = fopen("/proc/self/status", "r")) {
    char line[256];
    while (fgets(line, sizeof line, status))
      if (sscanf(line, "VmRSS: %ld", &rss) == 1)
        break;
    fclose(status);
  }
  return rss;
}

std::string latency = "200"; // the element's default jitter buffer, ms

std::string description(const Testbed &testbed, const char *quality) {
  const TestAccount &a = testbed.account();
  return "roborocksrc name=src mqtt-url=" + testbed.broker_url() +
         " tls-ca-file=" + testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s +
         " rriot-k=" + a.k + " duid=" + a.duid + " local-key=" + a.local_key +
         " password=" + a.pattern + " quality=" + quality + " latency=" + latency +
         " ! decodebin ! fakesink name=out";
}

Run measure_once(const Testbed &testbed, const char *quality) {
  Pipeline pipeline(description(testbed, quality));
  PadProbe frames;
  GstPad *pad = gst_element_get_static_pad(pipeline.element("out"), "sink");
  frames.attach(pad);
  gst_object_unref(pad);
  Run run;
  double start = now_ms();
  pipeline.set_state(GST_STATE_PLAYING);
  if (!pipeline.wait_until([&] { return frames.buffers() > 0; }, 30000))
    g_error("no frame within 30 s");
  run.first_frame_ms = frames.first_buffer_us() / 1000.0 - start;
  pipeline.set_state(GST_STATE_NULL);
  return run;
}

} // namespace

int main(int argc, char **argv) {
  gint runs = 10, stream_seconds = 10;
  gchar *quality = g_strdup("hd");
  gint latency_ms = 200;
  GOptionEntry entries[] = {
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "sessions to time (default 10)", "N"},
      {"stream-seconds", 0, 0, G_OPTION_ARG_INT, &stream_seconds,
       "streaming time for the CPU figure (default 10)", "S"},
      {"quality", 0, 0, G_OPTION_ARG_STRING, &quality, "hd or sd (default hd)", "Q"},
      {"latency", 0, 0, G_OPTION_ARG_INT, &latency_ms,
       "the element's latency property, ms (default 200)", "MS"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  GOptionContext *context = g_option_context_new("- time roborocksrc against the simulator");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_add_group(context, gst_init_get_option_group());
  if (!g_option_context_parse(context, &argc, &argv, nullptr))
    return 2;
  g_option_context_free(context);
  latency = std::to_string(latency_ms);
  g_log_set_always_fatal(GLogLevelFlags(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL));
  require_private_network();

  Testbed testbed;
  std::vector<double> warm;
  printf("bench-first-frame: %d sessions, quality %s, latency %d ms, simulator answering "
         "get_device_sdp after 2 retries\n",
         runs, quality, latency_ms);
  for (int i = 0; i < runs; i++) {
    Run run = measure_once(testbed, quality);
    printf("  session %2d: first decoded frame %6.0f ms after PLAYING%s\n", i + 1,
           run.first_frame_ms, i == 0 ? " (cold: includes the DTLS certificate)" : "");
    if (i > 0)
      warm.push_back(run.first_frame_ms);
  }
  if (!warm.empty()) {
    std::sort(warm.begin(), warm.end());
    printf("  warm: min %.0f ms, median %.0f ms, max %.0f ms\n", warm.front(),
           warm[warm.size() / 2], warm.back());
  }

  // Streaming cost: the element, depayloading and decoding (not the simulator).
  Pipeline pipeline(description(testbed, quality));
  PadProbe frames;
  GstPad *pad = gst_element_get_static_pad(pipeline.element("out"), "sink");
  frames.attach(pad);
  gst_object_unref(pad);
  pipeline.set_state(GST_STATE_PLAYING);
  pipeline.wait_until([&] { return frames.buffers() > 15; }, 30000);
  double cpu_before = cpu_seconds(), wall_before = now_ms();
  int frames_before = frames.buffers();
  pipeline.wait_until([] { return false; }, unsigned(stream_seconds) * 1000);
  double cpu = cpu_seconds() - cpu_before, wall = (now_ms() - wall_before) / 1000.0;
  printf("  streaming %.0f s: %d frames decoded, CPU %.1f%% of one core (with avdec_h264), RSS "
         "%ld MiB\n",
         wall, frames.buffers() - frames_before, 100.0 * cpu / wall, rss_kib() / 1024);
  pipeline.set_state(GST_STATE_NULL);
  g_free(quality);
  return 0;
}
