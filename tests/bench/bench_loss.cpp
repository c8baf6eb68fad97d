// SPDX-License-Identifier: LGPL-2.1-or-later
// Video under random UDP loss: frames decoded by roborocksrc ! decodebin out
// of the frames the simulator encoded, at 0, 5 and 10 % loss of every UDP
// packet (both ways, iptables' statistic match). Prints figures only.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "element_fixture.h"

using namespace roborock::testbed;
using namespace roborock::test;

namespace {

constexpr int kSeconds = 15;

void measure(double loss) {
  TestbedOptions options;
  options.udp_loss = loss;
  Testbed testbed(options);
  Pipeline pipeline(source(testbed, "timeout=10 max-restarts=-1") +
                    " ! decodebin ! fakesink name=out sync=false");
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  if (!pipeline.wait_until([&] { return video.buffers() > 0; }, 30000)) {
    printf("  loss %4.1f%%: no frame within 30 s\n", loss * 100);
    return;
  }
  // The simulator reports frames sent once a second: sample what was decoded
  // the moment a new report appears, at both ends of the window.
  struct Sample {
    double sent = 0, keyframes = 0, requests = 0;
    int decoded = 0;
  };
  auto sample = [&] {
    size_t reports = testbed.events_named("video-sent").size();
    pipeline.wait_until([&] { return testbed.events_named("video-sent").size() > reports; }, 3000);
    Sample at;
    at.decoded = video.buffers();
    auto events = testbed.events_named("video-sent");
    if (!events.empty()) {
      at.sent = event_number(events.back(), "frames");
      at.keyframes = event_number(events.back(), "keyframes");
      at.requests = event_number(events.back(), "keyframe-requests");
    }
    return at;
  };
  Sample before = sample();
  pipeline.wait_until([] { return false; }, kSeconds * 1000);
  Sample after = sample();
  double sent = after.sent - before.sent;
  int decoded = after.decoded - before.decoded;
  std::vector<std::string> states = pipeline.roborock_states();
  long restarts = std::count(states.begin(), states.end(), "restarting");
  printf("  loss %4.1f%%: %d of %.0f frames decoded over %d s (%.0f%%), %ld restarts; "
         "the robot sent %.0f keyframes, %.0f asked for\n",
         loss * 100, decoded, sent, kSeconds, sent > 0 ? 100.0 * decoded / sent : 0.0, restarts,
         after.keyframes - before.keyframes, after.requests - before.requests);
  pipeline.set_state(GST_STATE_NULL);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  require_private_network();
  printf("bench-loss: video frames decoded under random UDP loss (NACK on)\n");
  for (double loss : {0.0, 0.05, 0.10})
    measure(loss);
  return 0;
}
