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

// The video jitter buffer's own account of the loss: packets lost for good,
// retransmissions asked for and those that came in time.
std::string jitterbuffer_stats(GstElement *pipeline) {
  std::string out;
  GstIterator *it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *element = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory *factory = gst_element_get_factory(element);
    if (factory && g_str_equal(GST_OBJECT_NAME(factory), "rtpjitterbuffer")) {
      GstStructure *stats = nullptr;
      g_object_get(element, "stats", &stats, nullptr);
      guint64 pushed = 0, lost = 0, rtx = 0, rtx_ok = 0;
      gst_structure_get_uint64(stats, "num-pushed", &pushed);
      gst_structure_get_uint64(stats, "num-lost", &lost);
      gst_structure_get_uint64(stats, "rtx-count", &rtx);
      gst_structure_get_uint64(stats, "rtx-success-count", &rtx_ok);
      char line[200];
      snprintf(line, sizeof line,
               "\n    jitter buffer %s: %" G_GUINT64_FORMAT " pushed, %" G_GUINT64_FORMAT
               " lost, %" G_GUINT64_FORMAT " retransmissions asked, %" G_GUINT64_FORMAT " came",
               GST_OBJECT_NAME(element), pushed, lost, rtx, rtx_ok);
      out += line;
      gst_structure_free(stats);
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return out;
}

void measure(double loss) {
  TestbedOptions options;
  options.udp_loss = loss;
  Testbed testbed(options);
  const char *latency = g_getenv("ROBOROCK_BENCH_LATENCY"); // the element's latency, ms
  std::string extra = std::string("timeout=10 max-restarts=-1") +
                      (latency ? std::string(" latency=") + latency : std::string());
  Pipeline pipeline(source(testbed, extra) + " ! decodebin ! fakesink name=out sync=false");
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  if (!pipeline.wait_until([&] { return video.buffers() > 0; }, 30000)) {
    printf("  loss %4.1f%%: no frame within 30 s\n", loss * 100);
    return;
  }
  DecodedShare share = decoded_share(testbed, pipeline, video, kSeconds * 1000);
  std::vector<std::string> states = pipeline.roborock_states();
  long restarts = std::count(states.begin(), states.end(), "restarting");
  printf("  loss %4.1f%%: %d of %.0f frames decoded over %d s (%.0f%%), %ld restarts; "
         "the robot sent %.0f keyframes, %.0f asked for%s\n",
         loss * 100, share.decoded, share.sent, kSeconds, share.percent(), restarts,
         share.keyframes, share.keyframe_requests, jitterbuffer_stats(pipeline.get()).c_str());
  if (GstMessage *warning = restarts ? wait_warning(pipeline, "restarting", 0) : nullptr) {
    GError *error = nullptr;
    gst_message_parse_warning(warning, &error, nullptr);
    printf("    first restart: %s\n", error->message);
    g_error_free(error);
  }
  pipeline.set_state(GST_STATE_NULL);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  require_private_network();
  const char *latency = g_getenv("ROBOROCK_BENCH_LATENCY");
  printf("bench-loss: video frames decoded under random UDP loss (NACK on), latency %s ms\n",
         latency ? latency : "200 (default)");
  // bench-loss [PERCENT...]: other loss rates, or one rate several times;
  // ROBOROCK_BENCH_LATENCY=MS sets the element's latency.
  std::vector<double> losses = {0.0, 0.05, 0.10};
  if (argc > 1)
    losses.clear();
  for (int i = 1; i < argc; i++)
    losses.push_back(g_ascii_strtod(argv[i], nullptr) / 100);
  for (double loss : losses)
    measure(loss);
  return 0;
}
