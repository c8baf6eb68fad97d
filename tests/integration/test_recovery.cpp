// SPDX-License-Identifier: LGPL-2.1-or-later
// Recovery: a robot that stops sending, closes its peer connection without a
// word, or is killed. The element notices (media watchdog, ICE), ends its
// session on the robot, and restarts on its own with backoff; the same pads
// carry the new stream. When restarts run out: a clear RESOURCE/READ error.
#include <algorithm>
#include <cstring>
#include <string>

#include <gst/gst.h>

#include "element_fixture.h"

using namespace roborock::testbed;
using namespace roborock::test;

namespace {

constexpr const char *kRecovery = "media-timeout=2 max-restarts=3";

// After the fault: a "restarting" state and warning, then streaming again
// with frames on the very same pad.
void assert_restarted(Streaming &streaming, const Testbed &testbed, const char *reason) {
  Pipeline &pipeline = streaming.pipeline;
  GstPad *video_before = gst_element_get_static_pad(streaming.src(), "video");
  g_assert_true(
      pipeline.wait_until([&] { return count_state(pipeline, "restarting") >= 1; }, 15000));
  GstMessage *warning = wait_warning(pipeline, "restarting", 1000);
  g_assert_nonnull(warning);
  GError *error = nullptr;
  gst_message_parse_warning(warning, &error, nullptr);
  g_test_message("warning: %s", error->message);
  g_assert_nonnull(strstr(error->message, reason));
  g_assert_nonnull(strstr(error->message, "restarting (attempt 1"));
  g_error_free(error);
  g_assert_true(
      pipeline.wait_until([&] { return count_state(pipeline, "streaming") >= 2; }, 20000));
  int frames = streaming.video.buffers();
  wait_buffers(pipeline, streaming.video, frames + 1);
  auto faults = testbed.events_named("media-fault");
  if (!faults.empty()) // the figure docs/reliability.md quotes
    g_test_message("video back %.0f ms after the robot's fault",
                   g_get_real_time() / 1000.0 - event_number(faults[0], "ts_ms"));
  wait_buffers(pipeline, streaming.video, frames + 15);
  GstPad *video_after = gst_element_get_static_pad(streaming.src(), "video");
  g_assert_true(video_before == video_after);
  gst_object_unref(video_before);
  gst_object_unref(video_after);
  assert_no_errors(pipeline);
  // A new viewer session on the robot; the lost one was ended there first.
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), >=, 2);
}

// The robot stops sending (ICE stays up): the watchdog catches it.
void test_media_stall() {
  Testbed testbed({true, false, {"--stall-after=1"}});
  Streaming streaming(testbed, kRecovery, " ! decodebin ! fakesink name=out", 5);
  PadProbe pad; // the element's own pad: GAP events while the media is down
  GstPad *video = gst_element_get_static_pad(streaming.src(), "video");
  pad.attach(video);
  gst_object_unref(video);
  int gaps_before = pad.gaps();
  assert_restarted(streaming, testbed, "no video from the robot for 2 s");
  g_test_message("%d GAP events before the stall, %d in all", gaps_before, pad.gaps());
  g_assert_cmpint(pad.gaps(), >=, 5); // every 100 ms from 0.5 s into the 2 s stall on
  g_assert_cmpint(pad.pts_backwards(), ==, 0);
  g_assert_cmpuint(testbed.count_commands("stop_camera_preview"), >=, 1);
}

// The robot closes its peer connection without a word.
void test_peer_closed() {
  Testbed testbed({true, false, {"--close-after=1"}});
  Streaming streaming(testbed, kRecovery, " ! decodebin ! fakesink name=out", 5);
  assert_restarted(streaming, testbed, "");
}

// The robot is killed, and comes back a few seconds later.
void test_robot_killed() {
  Testbed testbed;
  Streaming streaming(testbed, std::string(kRecovery) + " max-restarts=-1",
                      " ! decodebin ! fakesink name=out", 5);
  testbed.stop_simulator();
  g_assert_true(streaming.pipeline.wait_until(
      [&] { return count_state(streaming.pipeline, "restarting") >= 1; }, 10000));
  testbed.start_simulator();
  assert_restarted(streaming, testbed, "no video from the robot");
}

// A robot that never comes back: the restarts run out, then an error.
void test_restarts_run_out() {
  Testbed testbed;
  Streaming streaming(testbed, "media-timeout=2 max-restarts=2 timeout=2",
                      " ! decodebin ! fakesink name=out", 5);
  testbed.stop_simulator();
  assert_error(streaming.pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
               "2 restarts did not bring it back", 30000);
  g_assert_cmpuint(count_state(streaming.pipeline, "restarting"), ==, 2);
}

// The element with its keys from a credentials file, as Home Assistant
// users run it.
std::string file_source(const Testbed &testbed, const std::string &file) {
  const TestAccount &a = testbed.account();
  return "roborocksrc name=src credentials-file=" + file + " tls-ca-file=" + testbed.ca_file() +
         " duid=" + a.duid + " password=" + a.pattern + " client-id=element-test timeout=3";
}

// The account logs in again elsewhere and its keys are renewed: the broker
// refuses the old ones on the reconnect, the element reads the credentials
// file again and goes on with the new keys. The media never stops.
void test_keys_renewed() {
  Testbed testbed;
  Streaming streaming(file_source(testbed, testbed.write_credentials_file()) +
                          " ! decodebin ! fakesink name=out",
                      10);
  Pipeline &pipeline = streaming.pipeline;
  testbed.rotate_account_keys(true);
  g_assert_true(
      pipeline.wait_until([&] { return count_state(pipeline, "reconnecting") >= 1; }, 10000));
  g_assert_true(
      pipeline.wait_until([&] { return pipeline.roborock_states().back() == "streaming"; }, 20000));
  assert_no_errors(pipeline);
  g_assert_cmpuint(count_state(pipeline, "restarting"), ==, 0);
  g_assert_cmpuint(testbed.broker_log_count("not authorised"), ==, 1); // the old keys, once
  // Commands go through the new connection.
  g_assert_true(wait_robot_connected(testbed, 2, 20000));
  gboolean ok = FALSE;
  g_signal_emit_by_name(streaming.src(), "rc-start", &ok);
  g_assert_true(ok);
  int frames = streaming.video.buffers();
  wait_buffers(pipeline, streaming.video, frames + 10);
}

// Renewed keys the file does not have: one refused reconnect, then a clear
// error that says what to do; the old keys are not sent again.
void test_keys_refused() {
  Testbed testbed;
  Streaming streaming(file_source(testbed, testbed.write_credentials_file()) +
                          " ! decodebin ! fakesink name=out",
                      10);
  testbed.rotate_account_keys(false);
  assert_error(streaming.pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "refused",
               20000);
  ErrorInfo error = parse_error(streaming.pipeline.errors().front());
  g_assert_nonnull(strstr(error.text.c_str(), "same keys"));
  g_usleep(2000 * 1000); // a reconnect storm would show now
  g_assert_cmpuint(testbed.broker_log_count("not authorised"), ==, 1);
}

// A 10 s network blackout (every packet dropped): the stream comes back
// by itself once the network does. The time it takes is printed, for
// docs/reliability.md (figures, never timed assertions).
void test_blackout() {
  Testbed testbed;
  Streaming streaming(testbed, "max-restarts=-1", " ! decodebin ! fakesink name=out", 5);
  testbed.blackout(true);
  streaming.pipeline.wait_until([] { return false; }, 10000);
  int frames = streaming.video.buffers();
  testbed.blackout(false);
  gint64 back = g_get_monotonic_time();
  wait_buffers(streaming.pipeline, streaming.video, frames + 1);
  g_test_message("video back %.0f ms after a 10 s blackout ended (%zu restarts)",
                 (g_get_monotonic_time() - back) / 1000.0,
                 count_state(streaming.pipeline, "restarting"));
  wait_buffers(streaming.pipeline, streaming.video, frames + 15);
  assert_no_errors(streaming.pipeline);
}

// Random loss of every UDP packet, both ways: lost packets are asked for
// again (NACK, and the robot's retransmissions) in time for the jitter
// buffer, and a frame still lost gets a keyframe request. The floors are
// issue 10's goals; bench-loss prints the same figure with more detail.
void assert_decoded_under_loss(double loss, double floor_percent) {
  TestbedOptions options;
  options.udp_loss = loss;
  Testbed testbed(options);
  Streaming streaming(testbed, "max-restarts=-1", " ! decodebin ! fakesink name=out sync=false", 1);
  DecodedShare share = decoded_share(testbed, streaming.pipeline, streaming.video, 10000);
  g_test_message("%.0f %% loss: %d of %.0f frames decoded (%.0f %%), %.0f keyframes asked for",
                 loss * 100, share.decoded, share.sent, share.percent(), share.keyframe_requests);
  g_assert_cmpfloat(share.sent, >, 100);
  g_assert_cmpfloat(share.percent(), >=, floor_percent);
  assert_no_errors(streaming.pipeline);
}

void test_loss_5() {
  assert_decoded_under_loss(0.05, 85);
}

void test_loss_10() {
  assert_decoded_under_loss(0.10, 70);
}

// A frame lost for good (no retransmission can bring it back), and the
// keyframe request that follows lost as well: the element asks again, and
// the picture comes back long before the robot's next periodic keyframe
// (40 s away here). rtph264depay alone asks once and then waits.
void test_keyframe_asked_again() {
  Testbed testbed(
      {true,
       false,
       {"--keyframe-interval=600", "--lose-frame-after=2", "--ignore-keyframe-requests=1"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out sync=false", 5);
  g_assert_true(testbed.wait_until(
      [&] {
        return !testbed
                    .events_named("media-fault",
                                  [](JsonObject *o) {
                                    return g_strcmp0(json_object_get_string_member_with_default(
                                                         o, "kind", ""),
                                                     "lost-frame") == 0;
                                  })
                    .empty();
      },
      8000));
  g_assert_true(testbed.wait_until(
      [&] { return testbed.events_named("keyframe-request-ignored").size() == 1; }, 5000));
  // Decoding stops at the lost frame and starts again at a keyframe asked for.
  int frames = streaming.video.buffers();
  gint64 asked = g_get_monotonic_time();
  wait_buffers(streaming.pipeline, streaming.video, frames + 1, 10000);
  g_test_message("picture back %.0f ms after the first request was lost",
                 (g_get_monotonic_time() - asked) / 1000.0);
  wait_buffers(streaming.pipeline, streaming.video, frames + 30, 10000);
  auto sent = testbed.events_named("video-sent");
  g_assert_false(sent.empty());
  g_test_message("after the loss: %.0f keyframes sent in all, %.0f requests reached the encoder",
                 roborock::testbed::event_number(sent.back(), "keyframes"),
                 roborock::testbed::event_number(sent.back(), "keyframe-requests"));
  assert_no_errors(streaming.pipeline);
  g_assert_cmpuint(count_state(streaming.pipeline, "restarting"), ==, 0);
}

// The first media path fails (ICE gives up before anything flowed): the
// element tries once more, and the second session streams. Under packet
// loss libnice can give up on a path that works; a second failure in a row
// is the error (errors/no-media-path).
void test_media_path_retried() {
  Testbed testbed({true, false, {"--media-path-fails-once"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 10);
  assert_no_errors(streaming.pipeline);
  g_assert_cmpuint(count_state(streaming.pipeline, "restarting"), ==, 1);
  GstMessage *warning = wait_warning(streaming.pipeline, "restarting", 0);
  g_assert_nonnull(warning);
  GError *error = nullptr;
  gst_message_parse_warning(warning, &error, nullptr);
  g_test_message("warning: %s", error->message);
  g_assert_nonnull(strstr(error->message, "ICE failed"));
  g_error_free(error);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 2);
}

// An answer webrtcbin refuses fails at once (webrtcbin's promise is
// checked), not at the setup deadline, and ends our session on the robot.
void test_answer_rejected() {
  Testbed testbed({true, false, {"--bad-answer"}});
  Pipeline pipeline(source(testbed, "timeout=10") + " ! decodebin ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  gint64 start = g_get_monotonic_time();
  // The deadline would be 30 s; the rejection comes with the answer.
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
               "webrtcbin rejected the robot's answer", 8000);
  g_test_message("error after %.0f ms", (g_get_monotonic_time() - start) / 1000.0);
  g_assert_true(
      testbed.wait_until([&] { return testbed.count_commands("stop_camera_preview") == 1; }, 3000));
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1); // no restart
}

// A recording across a restart keeps going: the video pad's timestamps keep
// rising, the new stream starts with a DISCONT keyframe, and every file
// splitmuxsink wrote plays end to end.
void test_recording_across_restart() {
  Testbed testbed({true, false, {"--stall-after=2"}});
  std::string pattern = testbed.dir() + "/rec%02d.mp4";
  Pipeline pipeline(source(testbed, kRecovery) +
                    " src.video ! tee name=t ! queue ! splitmuxsink location=" + pattern +
                    " max-size-time=2000000000 t. ! queue ! fakesink name=out");
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 10);
  g_assert_true(
      pipeline.wait_until([&] { return count_state(pipeline, "streaming") >= 2; }, 25000));
  int frames = video.buffers();
  wait_buffers(pipeline, video, frames + 45); // 3 s more
  gst_element_send_event(pipeline.get(), gst_event_new_eos());
  g_assert_nonnull(pipeline.wait_message(
      [](GstMessage *m) { return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS; }, 10000));
  pipeline.set_state(GST_STATE_NULL);
  assert_no_errors(pipeline);
  g_assert_cmpint(video.untimestamped(), ==, 0);
  g_assert_cmpint(video.pts_backwards(), ==, 0);
  g_assert_cmpint(video.disconts(), >=, 1);
  int files = 0, total = 0;
  for (;; files++) {
    gchar *file = g_strdup_printf(pattern.c_str(), files);
    bool exists = g_file_test(file, G_FILE_TEST_EXISTS);
    if (exists) {
      Pipeline play(
          std::string("filesrc location=") + file +
          " ! qtdemux ! h264parse name=parse ! avdec_h264 ! fakesink name=dec sync=false");
      PadProbe samples, decoded;
      attach(samples, play, "parse");
      attach(decoded, play, "dec");
      play.set_state(GST_STATE_PLAYING);
      g_assert_nonnull(play.wait_message(
          [](GstMessage *m) {
            return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS ||
                   GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR;
          },
          10000));
      assert_no_errors(play);
      g_test_message("%s: %d samples, %d decoded", file, samples.buffers(), decoded.buffers());
      g_assert_true(samples.first_buffer_was_keyframe());
      g_assert_cmpint(decoded.buffers(), ==, samples.buffers());
      total += decoded.buffers();
    }
    g_free(file);
    if (!exists)
      break;
  }
  g_assert_cmpint(files, >=, 3);
  g_assert_cmpint(total, >=, frames); // what came before the stall, and after
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings();
  g_test_add_func("/recovery/media-stall", test_media_stall);
  g_test_add_func("/recovery/peer-closed", test_peer_closed);
  g_test_add_func("/recovery/robot-killed", test_robot_killed);
  g_test_add_func("/recovery/restarts-run-out", test_restarts_run_out);
  g_test_add_func("/recovery/recording-across-restart", test_recording_across_restart);
  g_test_add_func("/recovery/answer-rejected", test_answer_rejected);
  g_test_add_func("/recovery/blackout", test_blackout);
  g_test_add_func("/recovery/loss-5", test_loss_5);
  g_test_add_func("/recovery/loss-10", test_loss_10);
  g_test_add_func("/recovery/keyframe-asked-again", test_keyframe_asked_again);
  g_test_add_func("/recovery/media-path-retried", test_media_path_retried);
  g_test_add_func("/recovery/keys-renewed", test_keys_renewed);
  g_test_add_func("/recovery/keys-refused", test_keys_refused);
  return g_test_run();
}
