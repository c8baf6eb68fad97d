// SPDX-License-Identifier: LGPL-2.1-or-later
// What the element tests share: the element's properties for the testbed's
// robot, streaming until frames arrive, and error assertions.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <string>

#include <gst/gst.h>

#include "pipeline_probe.h"
#include "testbed.h"

namespace roborock::test {

using testbed::TestAccount;
using testbed::Testbed;

// The element's properties for the testbed's robot, as gst-launch syntax.
inline std::string source(const Testbed &testbed, const std::string &extra = "") {
  const TestAccount &a = testbed.account();
  return "roborocksrc name=src mqtt-url=" + testbed.broker_url() +
         " tls-ca-file=" + testbed.ca_file() + " rriot-u=" + a.u + " rriot-s=" + a.s +
         " rriot-k=" + a.k + " duid=" + a.duid + " local-key=" + a.local_key +
         " password=" + a.pattern + " client-id=element-test timeout=3 " + extra;
}

inline void attach(PadProbe &probe, Pipeline &pipeline, const char *element) {
  GstPad *pad = gst_element_get_static_pad(pipeline.element(element), "sink");
  probe.attach(pad);
  gst_object_unref(pad);
}

inline void assert_no_errors(Pipeline &pipeline) {
  auto errors = pipeline.errors();
  if (!errors.empty())
    g_error("unexpected error: %s", parse_error(errors.front()).text.c_str());
}

inline void wait_buffers(Pipeline &pipeline, PadProbe &probe, int count,
                         unsigned timeout_ms = 20000) {
  if (!pipeline.wait_until([&] { return probe.buffers() >= count || !pipeline.errors().empty(); },
                           timeout_ms) ||
      probe.buffers() < count) {
    auto errors = pipeline.errors();
    g_error("%d of %d buffers; %s", probe.buffers(), count,
            errors.empty() ? "no error" : parse_error(errors.front()).text.c_str());
  }
}

// "<source extra> <tail>" playing until `frames` frames reached the sink named
// "out". Members in this order: the probe goes before the pipeline.
struct Streaming {
  Pipeline pipeline;
  PadProbe video;

  Streaming(const Testbed &testbed, const std::string &extra, const std::string &tail, int frames)
      : Streaming(source(testbed, extra) + tail, frames) {}
  // A whole description (a sink named "out" among it).
  Streaming(const std::string &description, int frames) : pipeline(description) {
    attach(video, pipeline, "out");
    pipeline.set_state(GST_STATE_PLAYING);
    wait_buffers(pipeline, video, frames);
  }
  GstElement *src() const { return pipeline.element("src"); }
};

inline void assert_error(Pipeline &pipeline, GQuark domain, gint code, const char *text_contains,
                         unsigned timeout_ms = 8000) {
  GstMessage *message = pipeline.wait_error(timeout_ms);
  if (!message)
    g_error("no error within %u ms", timeout_ms);
  ErrorInfo error = parse_error(message);
  g_test_message("error: %s", error.text.c_str());
  if (error.domain != domain || error.code != code)
    g_error("error %s/%d \"%s\", expected %s/%d", g_quark_to_string(error.domain), error.code,
            error.text.c_str(), g_quark_to_string(domain), code);
  if (!strstr(error.text.c_str(), text_contains))
    g_error("error text \"%s\" lacks \"%s\"", error.text.c_str(), text_contains);
  g_assert_cmpstr(error.source.c_str(), ==, "src");
}

// gst-launch-1.0 DESCRIPTION as a user runs it, under `timeout` (exit 124: it
// hung), with the system plugins of `plugin_dir` only, if given.
struct Launch {
  int status = 0; // as waitpid gives it
  std::string output;

  // Ended by itself with a failure: not by a signal (a crash at exit shows as
  // gst-launch's "Caught SIG..."), nor by the timeout.
  void assert_clean_failure() const {
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), !=, 0);
    g_assert_cmpint(WEXITSTATUS(status), !=, 124);
    g_assert_null(strstr(output.c_str(), "Caught SIG"));
  }
  bool says(const char *text) const { return strstr(output.c_str(), text) != nullptr; }
};

inline Launch gst_launch(const std::string &description, const std::string &plugin_dir = "",
                         const std::string &registry = "") {
  gchar **env = g_get_environ();
  if (!plugin_dir.empty()) {
    env = g_environ_setenv(env, "GST_PLUGIN_SYSTEM_PATH_1_0", plugin_dir.c_str(), TRUE);
    env = g_environ_setenv(env, "GST_REGISTRY", registry.c_str(), TRUE);
  }
  std::string command = "timeout 60 gst-launch-1.0 " + description;
  gchar **argv = nullptr;
  g_assert_true(g_shell_parse_argv(command.c_str(), nullptr, &argv, nullptr));
  gchar *out = nullptr, *err = nullptr;
  Launch launch;
  g_assert_true(g_spawn_sync(nullptr, argv, env, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out, &err,
                             &launch.status, nullptr));
  launch.output = std::string(out) + err;
  g_free(out);
  g_free(err);
  g_strfreev(argv);
  g_strfreev(env);
  return launch;
}

// A command line (gst-device-monitor-1.0, gst-inspect-1.0 ...) with a 30 s
// limit, its stdout and stderr together.
inline Launch run_command_line(const std::string &command) {
  Launch run;
  gchar *out = nullptr, *err = nullptr;
  g_assert_true(g_spawn_command_line_sync(("timeout 30 " + command).c_str(), &out, &err,
                                          &run.status, nullptr));
  run.output = std::string(out) + err;
  g_free(out);
  g_free(err);
  g_test_message("%s:\n%s", command.c_str(), run.output.c_str());
  return run;
}

// The first warning whose text contains `text`, within `timeout_ms` (null if none).
// How many roborock-state messages said `state` so far.
inline size_t count_state(Pipeline &pipeline, const char *state) {
  auto states = pipeline.roborock_states();
  return size_t(std::count(states.begin(), states.end(), state));
}

inline GstMessage *wait_warning(Pipeline &pipeline, const char *text, unsigned timeout_ms) {
  return pipeline.wait_message(
      [text](GstMessage *m) {
        if (GST_MESSAGE_TYPE(m) != GST_MESSAGE_WARNING)
          return false;
        GError *e = nullptr;
        gst_message_parse_warning(m, &e, nullptr);
        bool found = strstr(e->message, text) != nullptr;
        g_error_free(e);
        return found;
      },
      timeout_ms);
}

// The simulator's MQTT connection came up `times` times (it reconnects on its
// own schedule after a broker restart; commands before that rightly time out).
inline bool wait_robot_connected(const Testbed &testbed, size_t times, unsigned timeout_ms) {
  return testbed.wait_until(
      [&] {
        return testbed
                   .events_named("mqtt",
                                 [](JsonObject *e) {
                                   return g_strcmp0(roborock::json_object_string(e, "state"),
                                                    "connected") == 0;
                                 })
                   .size() == times;
      },
      timeout_ms);
}

// Video frames the robot sent and the pipeline decoded over a window: the
// simulator reports its counts once a second, so each end of the window is
// sampled the moment a new report appears.
struct DecodedShare {
  double sent = 0, keyframes = 0, keyframe_requests = 0;
  int decoded = 0;
  double percent() const { return sent > 0 ? 100.0 * decoded / sent : 0.0; }
};

inline DecodedShare decoded_share(const Testbed &testbed, Pipeline &pipeline, PadProbe &decoded,
                                  unsigned window_ms) {
  auto sample = [&] {
    size_t reports = testbed.events_named("video-sent").size();
    pipeline.wait_until([&] { return testbed.events_named("video-sent").size() > reports; }, 3000);
    DecodedShare at;
    at.decoded = decoded.buffers();
    auto events = testbed.events_named("video-sent");
    if (!events.empty()) {
      at.sent = testbed::event_number(events.back(), "frames");
      at.keyframes = testbed::event_number(events.back(), "keyframes");
      at.keyframe_requests = testbed::event_number(events.back(), "keyframe-requests");
    }
    return at;
  };
  // The window opens once the pipeline keeps pace with the robot. Frames sent
  // while the media connected may come as a burst that the decoder works off
  // during the first seconds; counted in, they lifted the share above 110 %
  // and so hid real losses.
  constexpr int kMaxCatchUpReports = 5;
  DecodedShare before = sample();
  for (int report = 0; report < kMaxCatchUpReports; report++) {
    DecodedShare next = sample();
    double behind_before = before.sent - before.decoded, behind_next = next.sent - next.decoded;
    before = next;
    if (behind_next >= behind_before - 2)
      break;
  }
  pipeline.wait_until([] { return false; }, window_ms);
  DecodedShare after = sample();
  return {after.sent - before.sent, after.keyframes - before.keyframes,
          after.keyframe_requests - before.keyframe_requests, after.decoded - before.decoded};
}

} // namespace roborock::test
