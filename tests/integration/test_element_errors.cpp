// SPDX-License-Identifier: LGPL-2.1-or-later
// The errors table and the warnings of docs/element.md, at element level:
// each row's situation made real, then its domain, code and text checked.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "element_fixture.h"

using namespace roborock::testbed;
using namespace roborock::test;

namespace {

// The first warning whose text contains `text_contains`, within `timeout_ms`.
void assert_warning(Pipeline &pipeline, const char *text_contains, unsigned timeout_ms) {
  GstMessage *message = wait_warning(pipeline, text_contains, timeout_ms);
  if (!message)
    g_error("no warning saying \"%s\" within %u ms", text_contains, timeout_ms);
  GError *error = nullptr;
  gst_message_parse_warning(message, &error, nullptr);
  g_test_message("warning: %s", error->message);
  g_assert_true(error->domain == GST_RESOURCE_ERROR);
  g_error_free(error);
  g_assert_cmpstr(GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), ==, "src");
  // A warning: the pipeline goes on.
  g_assert_true(pipeline.errors().empty());
}

// "broker unreachable, TLS failure": a certificate for another host.
void test_tls_host_name() {
  TestbedOptions options;
  options.start_simulator = false;
  options.broker_certificate_name = "other-broker.test";
  Testbed testbed(options);
  Pipeline pipeline(source(testbed) + " ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
               "certificate (CN=other-broker.test, DNS:other-broker.test) does not name");
}

// "robot does not answer": the broker is up, nobody serves the robot's topic.
void test_robot_silent() {
  TestbedOptions options;
  options.start_simulator = false;
  Testbed testbed(options);
  Pipeline pipeline(source(testbed) + " ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "did not answer", 15000);
}

// "no media path": the robot is reachable only through a relay, and the one
// the cloud names does not answer.
void test_no_media_path() {
  TestbedOptions options;
  options.start_turn = true;
  options.relay_only = true;
  options.simulator_args = {"--turn-url=turn:10.203.0.1:9"}; // nothing listens there
  Testbed testbed(options);
  Pipeline pipeline(source(testbed) + " ! decodebin ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  // libnice gives up on its checks after about 7 s; the setup deadline (20 s
  // with timeout=3) bounds each try. A failed path is tried once more
  // (recovery/media-path-retried), then reported.
  gint64 start = g_get_monotonic_time();
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "no media connection",
               50000);
  g_test_message("error %.1f s after PLAYING", (g_get_monotonic_time() - start) / 1e6);
  g_assert_cmpuint(count_state(pipeline, "restarting"), ==, 1);
}

// An answer we cannot play, posted at once (not as a timeout or a bare
// "internal data stream error" from downstream), and the robot's side ended.
void assert_unplayable_answer(const char *how, GQuark domain, gint code, const char *text) {
  Testbed testbed({true, false, {std::string("--answer-video=") + how}});
  Pipeline pipeline(source(testbed) + " ! decodebin ! fakesink");
  gint64 start = g_get_monotonic_time();
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, domain, code, text, 8000);
  g_test_message("error %.1f s after PLAYING", (g_get_monotonic_time() - start) / 1e6);
  g_assert_true(
      testbed.wait_until([&] { return testbed.count_commands("stop_camera_preview") >= 1; }, 5000));
  g_assert_cmpuint(testbed.count_commands("get_device_sdp"), >=, 1);
}

// Video as VP8 on the payload type we offered for H.264, or on one we did
// not offer: STREAM/CODEC_NOT_FOUND naming the codec.
void test_answer_vp8() {
  assert_unplayable_answer("vp8", GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND,
                           "video as VP8");
}

void test_answer_vp8_new_pt() {
  assert_unplayable_answer("vp8-new-pt", GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND,
                           "video as VP8");
}

// The video m-line refused (port 0).
void test_video_refused() {
  assert_unplayable_answer("rejected", GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
                           "refused to send video");
}

// gst-launch-1.0 with an unreachable broker exits every time, cleanly. The
// error comes within a millisecond, possibly while gst-launch is still in
// set_state(PAUSED): it used to hang then (it went on to PLAYING and waited).
void test_gst_launch_exits() {
  Testbed testbed({false, false, {}});
  std::string description = source(testbed) + " ! decodebin ! fakesink";
  // A port nothing listens on: refused at once.
  std::string refusing = "ssl://" + std::string(g_getenv("ROBOROCK_NETNS_ADDRESS")) + ":9";
  description.replace(description.find(testbed.broker_url()), testbed.broker_url().size(),
                      refusing);
  for (int run = 0; run < 10; run++) {
    gint64 start = g_get_monotonic_time();
    Launch launch = gst_launch(description);
    g_test_message("run %d: %.2f s", run, (g_get_monotonic_time() - start) / 1e6);
    if (!WIFEXITED(launch.status) || WEXITSTATUS(launch.status) != 1)
      g_error("run %d: gst-launch-1.0 %s:\n%s", run,
              WIFEXITED(launch.status) && WEXITSTATUS(launch.status) == 124 ? "hung"
                                                                            : "ended oddly",
              launch.output.c_str());
    launch.assert_clean_failure(); // once crashed at exit (the DTLS key warm-up under OpenSSL's
                                   // cleanup)
    g_assert_true(launch.says("cannot connect to MQTT broker"));
  }
}

// A partial install: every system plugin but good's RTP (de)payloaders. The
// element says what to install before it asks the robot for anything, and
// gst-launch-1.0 exits cleanly (an assertion used to abort the process when
// the first packet arrived).
void test_missing_depayloader() {
  Testbed testbed;
  std::string plugins = testbed.dir() + "/no-rtp";
  g_mkdir(plugins.c_str(), 0700);
  const char *system = "/usr/lib/x86_64-linux-gnu/gstreamer-1.0";
  GDir *dir = g_dir_open(system, 0, nullptr);
  g_assert_nonnull(dir);
  while (const char *name = g_dir_read_name(dir)) {
    if (!g_str_has_suffix(name, ".so") || g_strcmp0(name, "libgstrtp.so") == 0)
      continue;
    std::string from = std::string(system) + "/" + name, to = plugins + "/" + name;
    g_assert_cmpint(symlink(from.c_str(), to.c_str()), ==, 0);
  }
  g_dir_close(dir);
  Launch launch = gst_launch(source(testbed) + " ! decodebin ! fakesink", plugins,
                             testbed.dir() + "/registry.bin");
  g_test_message("%s", launch.output.c_str());
  launch.assert_clean_failure();
  g_assert_true(launch.says("rtph264depay is missing: install gstreamer1.0-plugins-good"));
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 0);
}

// "webrtcbin missing": gst-launch-1.0 with only the core elements and ours.
void test_webrtcbin_missing() {
  Testbed testbed;
  std::string plugins = testbed.dir() + "/core-only";
  g_mkdir(plugins.c_str(), 0700);
  std::string core = plugins + "/libgstcoreelements.so";
  g_assert_cmpint(
      symlink("/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstcoreelements.so", core.c_str()), ==,
      0);
  Launch launch =
      gst_launch(source(testbed) + " ! fakesink", plugins, testbed.dir() + "/registry.bin");
  g_test_message("%s", launch.output.c_str());
  launch.assert_clean_failure();
  g_assert_true(launch.says("webrtcbin is missing"));
  g_assert_true(launch.says("gstreamer1.0-plugins-bad"));
}

// Warning: a robot with no TURN relay to give; the stream goes on.
void test_warning_no_turn() {
  Testbed testbed; // no --turn-url: get_turn_server is "unknown_method"
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 5);
  assert_warning(streaming.pipeline, "TURN relay", 1000);
}

// Warning: voice chat unanswered; video goes on.
void test_warning_audio_refused() {
  Testbed testbed({true, false, {"--silent=start_voice_chat"}});
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! fakesink",
                      5);
  assert_warning(streaming.pipeline, "robot audio and talk-back unavailable", 15000);
  int frames = streaming.video.buffers();
  wait_buffers(streaming.pipeline, streaming.video, frames + 5);
}

// Warning: a broker URL without TLS (tests and local setups only) sends the
// derived password in clear; said once, before anything is sent.
void test_warning_plain_mqtt() {
  Testbed testbed({false, false, {}});
  std::string description = source(testbed) + " ! fakesink";
  std::string plain = "tcp://" + std::string(g_getenv("ROBOROCK_NETNS_ADDRESS")) + ":9";
  description.replace(description.find(testbed.broker_url()), testbed.broker_url().size(), plain);
  Pipeline pipeline(description);
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "cannot connect");
  g_assert_nonnull(wait_warning(pipeline, "is plain MQTT", 1000));
}

// Warning: a quality switch the robot does not answer.
void test_warning_quality_refused() {
  Testbed testbed({true, false, {"--silent=switch_video_quality"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 5);
  gst_util_set_object_arg(G_OBJECT(streaming.src()), "quality", "sd");
  assert_warning(streaming.pipeline, "cannot switch video quality", 15000);
}

// Warning: a remote-control command that fails returns FALSE and says why.
void test_warning_rc_failure() {
  Testbed testbed({true, false, {"--silent=app_rc_start"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 5);
  gboolean ok = TRUE;
  g_signal_emit_by_name(streaming.src(), "rc-start", &ok);
  g_assert_false(ok);
  assert_warning(streaming.pipeline, "rc-start", 1000);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings();
  g_test_add_func("/errors/tls-host-name", test_tls_host_name);
  g_test_add_func("/errors/robot-silent", test_robot_silent);
  g_test_add_func("/errors/no-media-path", test_no_media_path);
  g_test_add_func("/errors/webrtcbin-missing", test_webrtcbin_missing);
  g_test_add_func("/errors/missing-depayloader", test_missing_depayloader);
  g_test_add_func("/errors/gst-launch-exits", test_gst_launch_exits);
  g_test_add_func("/errors/answer-vp8", test_answer_vp8);
  g_test_add_func("/errors/answer-vp8-new-pt", test_answer_vp8_new_pt);
  g_test_add_func("/errors/video-refused", test_video_refused);
  g_test_add_func("/warnings/no-turn", test_warning_no_turn);
  g_test_add_func("/warnings/audio-refused", test_warning_audio_refused);
  g_test_add_func("/warnings/quality-refused", test_warning_quality_refused);
  g_test_add_func("/warnings/plain-mqtt", test_warning_plain_mqtt);
  g_test_add_func("/warnings/rc-failure", test_warning_rc_failure);
  return g_test_run();
}
