// SPDX-License-Identifier: LGPL-2.1-or-later
// Repeated NULL -> PLAYING (first frame) -> NULL against the simulator: no
// hang, no error, and nothing that grows per cycle. Run it with
// GST_TRACERS=leaks to compare live GStreamer objects by type between an early
// cycle and the last one; run it under valgrind (tools/check-leaks) to look for
// lost heap blocks.
//
//   test-cycles [--cycles N]
#include <map>
#include <string>

#include <gst/gst.h>

#include "pipeline_probe.h"
#include "test_macros.h"
#include "testbed.h"

using namespace roborock::test;
using namespace roborock::testbed;

namespace {

gint cycles = 50;
gint frame_timeout_s = 20; // more under valgrind

GstTracer *leaks_tracer() {
  GstTracer *found = nullptr;
  GList *tracers = gst_tracing_get_active_tracers();
  for (GList *l = tracers; l; l = l->next)
    if (g_strcmp0(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer") == 0)
      found = GST_TRACER(gst_object_ref(l->data));
  g_list_free_full(tracers, gst_object_unref);
  return found;
}

// Objects created minus objects freed since tracking started, per type. The
// activity checkpoints name types and addresses only: unlike
// get-live-objects they take no references, which could revive objects that
// other threads are just finalizing.
std::map<std::string, int> growth_since_tracking(GstTracer *tracer) {
  std::map<std::string, int> growth;
  GstStructure *checkpoint = nullptr;
  g_signal_emit_by_name(tracer, "activity-get-checkpoint", &checkpoint);
  struct {
    const char *list;
    int sign;
  } parts[] = {{"objects-created-list", +1}, {"objects-removed-list", -1}};
  for (auto &part : parts) {
    const GValue *list = gst_structure_get_value(checkpoint, part.list);
    for (guint i = 0; list && i < gst_value_list_get_size(list); i++) {
      const GstStructure *info = gst_value_get_structure(gst_value_list_get_value(list, i));
      growth[gst_structure_get_string(info, "type-name")] += part.sign;
    }
  }
  gst_structure_free(checkpoint);
  return growth;
}

bool tracing_leaks() {
  const char *tracers = g_getenv("GST_TRACERS");
  return tracers && strstr(tracers, "leaks");
}

void test_start_stop_cycles() {
  Testbed testbed;
  const TestAccount &a = testbed.account();
  Pipeline pipeline(
      "roborocksrc name=src mqtt-url=" + testbed.broker_url() + " tls-ca-file=" +
      testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s + " rriot-k=" + a.k +
      " duid=" + a.duid + " local-key=" + a.local_key + " password=" + a.pattern +
      " client-id=cycles timeout=" + std::to_string(std::max(10, frame_timeout_s / 3)) +
      // The watchdog runs but never fires, even under valgrind:
      // these cycles count sessions, a restart would add one.
      " media-timeout=" + std::to_string(std::max(10, frame_timeout_s)) + " ! fakesink name=out");
  PadProbe frames;
  GstPad *pad = gst_element_get_static_pad(pipeline.element("out"), "sink");
  frames.attach(pad);
  gst_object_unref(pad);

  const int baseline_cycle = std::min(5, cycles - 1);
  GstTracer *tracer = tracing_leaks() ? leaks_tracer() : nullptr;
  gint64 slowest_stop_us = 0, slowest_start_us = 0;
  for (int cycle = 1; cycle <= cycles; cycle++) {
    int before = frames.buffers();
    gint64 start = g_get_monotonic_time();
    g_assert_cmpint(pipeline.set_state(GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
    if (!pipeline.wait_until(
            [&] { return frames.buffers() > before || !pipeline.errors().empty(); },
            unsigned(frame_timeout_s) * 1000) ||
        frames.buffers() == before)
      g_error("cycle %d: no frame (%s)", cycle,
              pipeline.errors().empty() ? "no error"
                                        : parse_error(pipeline.errors().front()).text.c_str());
    slowest_start_us = std::max(slowest_start_us, g_get_monotonic_time() - start);
    gint64 stop = g_get_monotonic_time();
    g_assert_cmpint(pipeline.set_state(GST_STATE_NULL), ==, GST_STATE_CHANGE_SUCCESS);
    slowest_stop_us = std::max(slowest_stop_us, g_get_monotonic_time() - stop);
    if (!pipeline.errors().empty())
      g_error("cycle %d: %s", cycle, parse_error(pipeline.errors().front()).text.c_str());
    pipeline.forget_messages();
    if (cycle == baseline_cycle && tracer)
      g_signal_emit_by_name(tracer, "activity-start-tracking");
  }
  g_test_message("%d cycles; slowest start to first frame %.0f ms, slowest stop %.0f ms", cycles,
                 slowest_start_us / 1000.0, slowest_stop_us / 1000.0);
  // Each viewer session ended on the robot, by exactly one stop. (A robot that
  // releases its camera slowly, --slow-release, also sees the next start end
  // the stale session again; that stop ends nothing.)
  size_t ended = testbed
                     .events_named("stop-preview",
                                   [](JsonObject *event) {
                                     return json_object_get_boolean_member(event, "ended");
                                   })
                     .size();
  g_assert_cmpuint(ended, ==, size_t(cycles));

  if (!tracer) {
    g_test_message("GST_TRACERS=leaks not set: object growth not checked");
    return;
  }
  // Let finalizations still running on other threads complete.
  g_usleep(500 * 1000);
  int grown = 0;
  for (auto &entry : growth_since_tracking(tracer)) {
    if (entry.second > 0) {
      g_test_message("grew: %s +%d", entry.first.c_str(), entry.second);
      grown++;
    }
  }
  g_test_message("%d object types grew over cycles %d..%d", grown, baseline_cycle + 1, cycles);
  g_signal_emit_by_name(tracer, "activity-stop-tracking");
  gst_object_unref(tracer);
  g_assert_cmpint(grown, ==, 0);
}

} // namespace

int main(int argc, char **argv) {
  GOptionEntry entries[] = {
      {"cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "start/stop cycles (default 50)", "N"},
      {"frame-timeout", 0, 0, G_OPTION_ARG_INT, &frame_timeout_s,
       "seconds to wait for each first frame (default 20)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  GOptionContext *context = g_option_context_new(nullptr);
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_set_ignore_unknown_options(context, TRUE);
  g_option_context_parse(context, &argc, &argv, nullptr);
  g_option_context_free(context);
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings();
  g_test_add_func("/cycles/start-stop", test_start_stop_cycles);
  int status = g_test_run();
  gst_deinit();
  return status;
}
