// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: how fast roborocksrc gets from PLAYING to the first decoded
// video and audio frame against the simulator, with the cloud (broker and
// TURN relay) 0, 50 and 150 ms away, over host candidates and through the
// relay only; where the time goes; and what streaming costs. Prints figures;
// asserts nothing about speed.
//
//   bench-first-frame [--runs N] [--rtt MS,...] [--paths host,relay] [--stream-seconds S]
//                     [--latency MS]
//
// Cold runs are each the first session of a new process (the process runs
// itself with --one-run); warm runs follow a first session in this process.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench_util.h"
#include "pipeline_probe.h"
#include "session_timeline.h"
#include "testbed.h"

using namespace roborock::test;
using namespace roborock::testbed;
using roborock::bench::SessionTimeline;

using roborock::bench::cpu_seconds;
using roborock::bench::parse_options;
using roborock::bench::status_field;

namespace {

struct Run {
  double video_ms = -1, audio_ms = -1;
};

struct Case {
  unsigned rtt_ms;
  bool relay_only;
  const char *path() const { return relay_only ? "relay" : "host"; }
};

// Video to a decoder, audio linked too (the element asks the robot for it).
std::string description(const Testbed &testbed, int latency_ms) {
  const TestAccount &a = testbed.account();
  return "roborocksrc name=src mqtt-url=" + testbed.broker_url() +
         " tls-ca-file=" + testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s +
         " rriot-k=" + a.k + " duid=" + a.duid + " local-key=" + a.local_key +
         " password=" + a.pattern + " latency=" + std::to_string(latency_ms) +
         " ! decodebin ! fakesink name=out sync=false"
         " src.audio ! decodebin ! fakesink name=aout sync=false";
}

Run run_once(const std::string &description, SessionTimeline *timeline = nullptr) {
  Pipeline pipeline(description);
  PadProbe video, audio;
  for (auto [probe, sink] : {std::pair{&video, "out"}, std::pair{&audio, "aout"}}) {
    GstPad *pad = gst_element_get_static_pad(pipeline.element(sink), "sink");
    probe->attach(pad);
    gst_object_unref(pad);
  }
  gint64 start = g_get_monotonic_time();
  if (timeline) {
    timeline->watch(pipeline.get());
    timeline->begin(start);
  }
  pipeline.set_state(GST_STATE_PLAYING);
  bool ok = pipeline.wait_until([&] { return video.buffers() > 0 && audio.buffers() > 0; }, 30000);
  if (timeline)
    timeline->end();
  Run run;
  if (ok) {
    run.video_ms = (video.first_buffer_us() - start) / 1000.0;
    run.audio_ms = (audio.first_buffer_us() - start) / 1000.0;
  } else { // a figure left out must say why
    std::vector<std::string> states = pipeline.roborock_states();
    g_printerr("bench-first-frame: a session failed: %d video and %d audio buffers in 30 s, "
               "last state %s\n",
               video.buffers(), audio.buffers(), states.empty() ? "none" : states.back().c_str());
    if (GstMessage *error = pipeline.wait_error(0)) {
      GError *gerror = nullptr;
      gchar *debug = nullptr;
      gst_message_parse_error(error, &gerror, &debug);
      g_printerr("  error: %s (%s)\n", gerror->message, debug ? debug : "");
      g_clear_error(&gerror);
      g_free(debug);
    }
  }
  pipeline.set_state(GST_STATE_NULL);
  return run;
}

// The first session of a fresh process: this program with --one-run.
Run cold_run(const char *self, const std::string &description) {
  const char *argv[] = {self, "--one-run", description.c_str(), nullptr};
  gchar *out = nullptr;
  gint status = 0;
  Run run;
  if (g_spawn_sync(nullptr, const_cast<gchar **>(argv), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr,
                   &out, nullptr, &status, nullptr) &&
      out)
    sscanf(out, "video %lf audio %lf", &run.video_ms, &run.audio_ms);
  g_free(out);
  return run;
}

struct Figure {
  double median = -1, p90 = -1;
  int failed = 0;
};

Figure summarise(std::vector<double> values) {
  Figure f;
  f.failed = int(std::count(values.begin(), values.end(), -1.0));
  values.erase(std::remove(values.begin(), values.end(), -1.0), values.end());
  if (values.empty())
    return f;
  std::sort(values.begin(), values.end());
  f.median = values[values.size() / 2];
  f.p90 = values[std::min(values.size() - 1, size_t(values.size() * 0.9))];
  return f;
}

std::string cell(const Figure &f) {
  char text[64];
  snprintf(text, sizeof text, "%5.0f / %5.0f%s", f.median, f.p90, f.failed ? " (!)" : "");
  return text;
}

void print_timeline(const SessionTimeline &timeline, const Case &c) {
  printf("    timeline, %u ms round trip, %s:\n", c.rtt_ms, c.path());
  // A run of the same event (the client's candidates, one RPC each) is one line.
  auto marks = timeline.marks();
  for (size_t i = 0; i < marks.size();) {
    size_t end = i + 1;
    while (end < marks.size() && marks[end].what == marks[i].what)
      end++;
    if (end - i == 1)
      printf("      %7.0f ms  %s\n", marks[i].ms, marks[i].what.c_str());
    else
      printf("      %7.0f ms  %s (%zu times, the last at %.0f ms)\n", marks[i].ms,
             marks[i].what.c_str(), end - i, marks[end - 1].ms);
    i = end;
  }
  if (c.rtt_ms == 0)
    return;
  double offer = timeline.first("-> send_sdp_to_robot"), media = timeline.first("first RTP");
  printf("      round trips to the cloud: %.1f before the offer went out, %.1f before media "
         "flowed\n",
         offer / c.rtt_ms, media / c.rtt_ms);
}

void measure_case(const char *self, const Case &c, int runs, int latency_ms) {
  TestbedOptions options;
  options.start_turn = true;
  options.relay_only = c.relay_only;
  options.cloud_rtt_ms = c.rtt_ms;
  Testbed testbed(options);
  std::string pipeline = description(testbed, latency_ms);
  std::vector<double> cold_video, warm_video, warm_audio;
  for (int i = 0; i < runs; i++)
    cold_video.push_back(cold_run(self, pipeline).video_ms);
  run_once(pipeline); // this process's first session: warms it
  SessionTimeline timeline;
  for (int i = 0; i < runs; i++) {
    Run run = run_once(pipeline, i == 0 ? &timeline : nullptr);
    warm_video.push_back(run.video_ms);
    warm_audio.push_back(run.audio_ms);
  }
  printf("  %4u ms %-5s  %s   %s   %s\n", c.rtt_ms, c.path(), cell(summarise(cold_video)).c_str(),
         cell(summarise(warm_video)).c_str(), cell(summarise(warm_audio)).c_str());
  print_timeline(timeline, c);
  fflush(stdout);
}

// Streaming cost: the element, depayloading and decoding (not the simulator).
void measure_streaming(int seconds, int latency_ms) {
  Testbed testbed;
  Pipeline pipeline(description(testbed, latency_ms));
  PadProbe frames;
  GstPad *pad = gst_element_get_static_pad(pipeline.element("out"), "sink");
  frames.attach(pad);
  gst_object_unref(pad);
  pipeline.set_state(GST_STATE_PLAYING);
  pipeline.wait_until([&] { return frames.buffers() > 15; }, 30000);
  double cpu_before = cpu_seconds();
  gint64 wall_before = g_get_monotonic_time();
  int frames_before = frames.buffers();
  pipeline.wait_until([] { return false; }, unsigned(seconds) * 1000);
  double cpu = cpu_seconds() - cpu_before;
  double wall = (g_get_monotonic_time() - wall_before) / 1e6;
  printf("  streaming %.0f s: %d frames decoded, CPU %.1f%% of one core (with avdec_h264 and "
         "audio), RSS %ld MiB\n",
         wall, frames.buffers() - frames_before, 100.0 * cpu / wall, status_field("VmRSS:") / 1024);
  pipeline.set_state(GST_STATE_NULL);
}

std::vector<unsigned> parse_rtts(const char *text) {
  std::vector<unsigned> out;
  gchar **parts = g_strsplit(text, ",", -1);
  for (gchar **p = parts; *p; p++)
    out.push_back(unsigned(g_ascii_strtoull(*p, nullptr, 10)));
  g_strfreev(parts);
  return out;
}

} // namespace

int main(int argc, char **argv) {
  gint runs = 10, stream_seconds = 10, latency_ms = 200;
  gchar *rtts = g_strdup("0,50,150"), *paths = g_strdup("host,relay"), *one_run = nullptr;
  GOptionEntry entries[] = {
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "cold and warm sessions per case (default 10)", "N"},
      {"rtt", 0, 0, G_OPTION_ARG_STRING, &rtts, "round trips to the cloud (default 0,50,150)",
       "MS,..."},
      {"paths", 0, 0, G_OPTION_ARG_STRING, &paths, "host, relay or both (default host,relay)",
       "PATH,..."},
      {"stream-seconds", 0, 0, G_OPTION_ARG_INT, &stream_seconds,
       "streaming time for the CPU figure (default 10)", "S"},
      {"latency", 0, 0, G_OPTION_ARG_INT, &latency_ms,
       "the element's latency property, ms (default 200)", "MS"},
      {"one-run", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &one_run,
       "time one session of this pipeline and exit", "DESCRIPTION"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  if (!parse_options(&argc, &argv, entries, "- time roborocksrc against the simulator"))
    return 2;
  g_log_set_always_fatal(GLogLevelFlags(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL));
  require_private_network();
  if (one_run) {
    Run run = run_once(one_run);
    printf("video %.1f audio %.1f\n", run.video_ms, run.audio_ms);
    return 0;
  }

  printf("bench-first-frame: ms from PLAYING to the first decoded frame, median / p90 of %d "
         "runs each, latency %d ms, audio linked; the simulator answers get_device_sdp after 2 "
         "polls\n",
         runs, latency_ms);
  printf("  cloud   path    cold video      warm video      warm audio\n");
  for (unsigned rtt : parse_rtts(rtts))
    for (bool relay : {false, true})
      if (strstr(paths, relay ? "relay" : "host"))
        measure_case(argv[0], Case{rtt, relay}, runs, latency_ms);
  measure_streaming(stream_seconds, latency_ms);
  g_free(rtts);
  g_free(paths);
  return 0;
}
