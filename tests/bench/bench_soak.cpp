// SPDX-License-Identifier: LGPL-2.1-or-later
// Soak: one roborocksrc streaming video and audio for ROBOROCK_SOAK_MINUTES
// (default 10) with a fault every minute, half a minute in, in turn: a 10 s
// network blackout, the robot killed for 5 s, the broker restarted, 20 s of
// 10 % UDP loss, the account's keys renewed (credentials file rewritten).
// Prints, per minute, the frames decoded and this process's RSS, threads and
// open files; then whether any of them grew. Figures only: tools/run-soak.
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "bench_util.h"
#include "element_fixture.h"

using namespace roborock::testbed;
using namespace roborock::test;

using roborock::bench::status_field;

namespace {

struct ProcessFigures {
  long rss_kib = 0;
  long threads = 0;
  long fds = 0;
};

ProcessFigures sample_process() {
  ProcessFigures figures;
  figures.rss_kib = status_field("VmRSS:");
  figures.threads = status_field("Threads:");
  if (DIR *dir = opendir("/proc/self/fd")) {
    while (dirent *entry = readdir(dir))
      if (entry->d_name[0] != '.')
        figures.fds++;
    closedir(dir);
    figures.fds--; // the directory itself
  }
  return figures;
}

struct Fault {
  const char *name;
  std::function<void(Testbed &, Pipeline &)> inject;
};

void pause_ms(Pipeline &pipeline, unsigned ms) {
  pipeline.wait_until([] { return false; }, ms);
}

std::vector<Fault> faults() {
  return {
      {"blackout 10 s",
       [](Testbed &t, Pipeline &p) {
         t.blackout(true);
         pause_ms(p, 10000);
         t.blackout(false);
       }},
      {"robot killed 5 s",
       [](Testbed &t, Pipeline &p) {
         t.stop_simulator();
         pause_ms(p, 5000);
         t.start_simulator();
       }},
      {"broker restart",
       [](Testbed &t, Pipeline &) {
         t.restart_broker();
       }},
      {"10 % loss 20 s",
       [](Testbed &t, Pipeline &p) {
         t.udp_loss(0.10);
         pause_ms(p, 20000);
         t.udp_loss(0);
       }},
      {"keys renewed",
       [](Testbed &t, Pipeline &) {
         t.rotate_account_keys(true);
       }},
  };
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  require_private_network();
  int minutes = g_getenv("ROBOROCK_SOAK_MINUTES") ? atoi(g_getenv("ROBOROCK_SOAK_MINUTES")) : 10;
  minutes = std::max(minutes, 1);
  printf("bench-soak: %d min of video and audio, a fault every minute\n", minutes);

  Testbed testbed;
  const TestAccount &a = testbed.account();
  Pipeline pipeline("roborocksrc name=src credentials-file=" + testbed.write_credentials_file() +
                    " tls-ca-file=" + testbed.ca_file() + " duid=" + a.duid +
                    " password=" + a.pattern +
                    " client-id=soak timeout=5 media-timeout=2 max-restarts=-1"
                    " src.video ! decodebin ! fakesink name=out"
                    " src.audio ! queue ! opusdec ! fakesink name=aout");
  PadProbe video, audio;
  attach(video, pipeline, "out");
  attach(audio, pipeline, "aout");
  pipeline.set_state(GST_STATE_PLAYING);
  if (!pipeline.wait_until([&] { return video.buffers() > 0; }, 30000)) {
    printf("  soak: no frame within 30 s\n");
    return 0;
  }

  printf("  soak %-6s %-18s %8s %8s %9s %8s %5s %9s\n", "minute", "fault", "video", "audio",
         "RSS MiB", "threads", "fds", "restarts");
  std::vector<Fault> all = faults();
  std::vector<ProcessFigures> samples;
  int video_before = video.buffers(), audio_before = audio.buffers();
  for (int minute = 1; minute <= minutes; minute++) {
    gint64 start = g_get_monotonic_time();
    pause_ms(pipeline, 30000);
    const Fault &fault = all[(minute - 1) % all.size()];
    fault.inject(testbed, pipeline);
    gint64 left_ms = 60000 - (g_get_monotonic_time() - start) / 1000;
    pause_ms(pipeline, unsigned(std::max<gint64>(left_ms, 0)));
    ProcessFigures figures = sample_process();
    samples.push_back(figures);
    std::vector<std::string> states = pipeline.roborock_states();
    long restarts = std::count(states.begin(), states.end(), "restarting");
    printf("  soak %-6d %-18s %8d %8d %9.1f %8ld %5ld %9ld\n", minute, fault.name,
           video.buffers() - video_before, audio.buffers() - audio_before, figures.rss_kib / 1024.0,
           figures.threads, figures.fds, restarts);
    fflush(stdout);
    video_before = video.buffers();
    audio_before = audio.buffers();
  }

  auto errors = pipeline.errors();
  printf("  soak errors: %zu%s%s\n", errors.size(), errors.empty() ? "" : ", the first: ",
         errors.empty() ? "" : parse_error(errors.front()).text.c_str());
  // Growth from the second sample on (the first minute still fills caches).
  const ProcessFigures &first = samples[std::min<size_t>(1, samples.size() - 1)];
  const ProcessFigures &last = samples.back();
  printf("  soak growth from minute %zu to %d: RSS %+.1f MiB, threads %+ld, fds %+ld\n",
         std::min<size_t>(2, samples.size()), minutes, (last.rss_kib - first.rss_kib) / 1024.0,
         last.threads - first.threads, last.fds - first.fds);
  pipeline.set_state(GST_STATE_NULL);
  return 0;
}
