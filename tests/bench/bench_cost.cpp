// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: what keeping a stream costs, roborocksrc against a bare
// webrtcbin (the tests' WebrtcPeer, on the same camera session) receiving
// the same stream from the simulator: CPU seconds per minute and peak RSS,
// with and without decoding, and their ratio. Each variant runs in a process
// of its own (this program with --variant), so that peaks do not mix.
// Prints figures only.
//
//   bench-cost [--seconds S]
#include <cstdio>
#include <memory>
#include <string>

#include <gst/gst.h>

#include "bench_util.h"
#include "camera_session.h"
#include "element_fixture.h"
#include "webrtc_peer.h"

using namespace roborock;
using namespace roborock::test;
using namespace roborock::testbed;

using roborock::bench::cpu_seconds;
using roborock::bench::parse_options;
using roborock::bench::status_field;

namespace {

struct Cost {
  double cpu_per_minute = -1; // CPU seconds per minute of streaming
  long peak_kib = -1;
  int frames = 0;
};

// CPU over `seconds` once `count()` passed 30 (the stream is up and steady).
template <typename Count>
Cost measure(Count count, int seconds) {
  Cost cost;
  auto wait = [](unsigned ms, auto done) {
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (!done() && g_get_monotonic_time() < end)
      g_usleep(10000);
    return done();
  };
  if (!wait(30000, [&] { return count() > 30; }))
    return cost;
  double cpu = cpu_seconds();
  gint64 wall = g_get_monotonic_time();
  int before = count();
  wait(unsigned(seconds) * 1000, [] { return false; });
  double minutes = (g_get_monotonic_time() - wall) / 60e6;
  cost.cpu_per_minute = (cpu_seconds() - cpu) / minutes;
  cost.frames = count() - before;
  cost.peak_kib = status_field("VmHWM:");
  return cost;
}

// The testbed's robot, for the child process (from the parent's environment).
CameraSessionConfig config_from_environment() {
  CameraSessionConfig config;
  config.broker = *parse_broker_url(g_getenv("BENCH_BROKER"));
  config.ca_file = g_getenv("BENCH_CA");
  config.rriot_u = g_getenv("BENCH_U");
  config.rriot_s = g_getenv("BENCH_S");
  config.rriot_k = g_getenv("BENCH_K");
  config.duid = g_getenv("BENCH_DUID");
  config.local_key = g_getenv("BENCH_LOCAL_KEY");
  config.pattern_password = g_getenv("BENCH_PATTERN");
  config.client_id = "bench-cost";
  config.voice_record = true; // the robot's audio, as the element with audio linked
  return config;
}

Cost bare_webrtcbin(bool decode, int seconds) {
  WebrtcPeer::Options options;
  options.decode = decode;
  auto peer = std::make_unique<WebrtcPeer>(options);
  auto session = std::make_unique<CameraSession>(config_from_environment(), peer.get());
  peer->attach(session.get());
  session->start();
  Cost cost = measure([&] { return peer->decoded_video_frames(); }, seconds);
  session->stop();
  peer.reset();
  return cost;
}

Cost element(bool decode, int seconds) {
  std::string description =
      std::string("roborocksrc name=src mqtt-url=") + g_getenv("BENCH_BROKER") +
      " tls-ca-file=" + g_getenv("BENCH_CA") + " rriot-u=" + g_getenv("BENCH_U") +
      " rriot-s=" + g_getenv("BENCH_S") + " rriot-k=" + g_getenv("BENCH_K") +
      " duid=" + g_getenv("BENCH_DUID") + " local-key=" + g_getenv("BENCH_LOCAL_KEY") +
      " password=" + g_getenv("BENCH_PATTERN") +
      (decode ? " ! decodebin ! fakesink name=out sync=false src.audio ! decodebin ! fakesink "
                "sync=false"
              : " ! fakesink name=out sync=false src.audio ! fakesink sync=false");
  Pipeline pipeline(description);
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  Cost cost = measure([&] { return video.buffers(); }, seconds);
  pipeline.set_state(GST_STATE_NULL);
  return cost;
}

Cost run_variant(const char *self, const Testbed &testbed, const char *variant, int seconds) {
  const TestAccount &a = testbed.account();
  gchar **env = g_get_environ();
  const std::pair<const char *, std::string> values[] = {{"BENCH_BROKER", testbed.broker_url()},
                                                         {"BENCH_CA", testbed.ca_file()},
                                                         {"BENCH_U", a.u},
                                                         {"BENCH_S", a.s},
                                                         {"BENCH_K", a.k},
                                                         {"BENCH_DUID", a.duid},
                                                         {"BENCH_LOCAL_KEY", a.local_key},
                                                         {"BENCH_PATTERN", a.pattern}};
  for (auto &[name, value] : values)
    env = g_environ_setenv(env, name, value.c_str(), TRUE);
  std::string seconds_text = std::to_string(seconds);
  const char *argv[] = {self, "--variant", variant, "--seconds", seconds_text.c_str(), nullptr};
  gchar *out = nullptr;
  Cost cost;
  if (g_spawn_sync(nullptr, const_cast<gchar **>(argv), env, G_SPAWN_DEFAULT, nullptr, nullptr,
                   &out, nullptr, nullptr, nullptr) &&
      out)
    sscanf(out, "cpu %lf peak %ld frames %d", &cost.cpu_per_minute, &cost.peak_kib, &cost.frames);
  g_free(out);
  g_strfreev(env);
  return cost;
}

void print_pair(const char *what, const Cost &ours, const Cost &bare) {
  printf("  %-22s roborocksrc %5.2f CPU s/min, peak %4ld MiB | bare webrtcbin %5.2f CPU s/min, "
         "peak %4ld MiB | ratio CPU %.2f, RSS %.2f\n",
         what, ours.cpu_per_minute, ours.peak_kib / 1024, bare.cpu_per_minute, bare.peak_kib / 1024,
         bare.cpu_per_minute > 0 ? ours.cpu_per_minute / bare.cpu_per_minute : 0,
         bare.peak_kib > 0 ? double(ours.peak_kib) / double(bare.peak_kib) : 0);
}

} // namespace

int main(int argc, char **argv) {
  gint seconds = 20;
  gchar *variant = nullptr;
  GOptionEntry entries[] = {
      {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "streaming time per variant (default 20)", "S"},
      {"variant", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &variant,
       "measure one variant in this process", "element|element-decode|bare|bare-decode"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  if (!parse_options(&argc, &argv, entries, "- what a stream costs"))
    return 2;
  require_private_network();
  if (variant) {
    std::string v = variant;
    bool decode = v.size() > 7 && v.compare(v.size() - 7, 7, "-decode") == 0;
    Cost cost =
        v.rfind("bare", 0) == 0 ? bare_webrtcbin(decode, seconds) : element(decode, seconds);
    printf("cpu %.3f peak %ld frames %d\n", cost.cpu_per_minute, cost.peak_kib, cost.frames);
    return 0;
  }
  printf("bench-cost: one 720p 15 fps stream with audio for %d s, each variant in a process of "
         "its own\n",
         seconds);
  Testbed testbed;
  for (bool decode : {false, true}) {
    Cost ours = run_variant(argv[0], testbed, decode ? "element-decode" : "element", seconds);
    Cost bare = run_variant(argv[0], testbed, decode ? "bare-decode" : "bare", seconds);
    print_pair(decode ? "decoding" : "depayloading only", ours, bare);
  }
  return 0;
}
