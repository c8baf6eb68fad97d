// SPDX-License-Identifier: LGPL-2.1-or-later
// roborocksrc against the robot simulator on a real TLS broker: pads,
// decoding, quality, audio, talk-back, remote control, navigation, recording,
// playbin, errors, and repeated start/stop.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/navigation.h>

#include "crypto.h"
#include "element_fixture.h"

using namespace roborock::test;
using namespace roborock::testbed;

namespace {

// The card's own line: no pad names, audio left unlinked.
void test_decodebin_autolink() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) + " ! decodebin ! videoconvert ! fakesink name=out");
  PadProbe video;
  attach(video, pipeline, "out");
  gint64 start = g_get_monotonic_time();
  g_assert_cmpint(pipeline.set_state(GST_STATE_PAUSED), ==, GST_STATE_CHANGE_NO_PREROLL); // live
  g_assert_cmpint(pipeline.set_state(GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  wait_buffers(pipeline, video, 30);
  g_test_message("first decoded frame %.0f ms after PLAYING",
                 (video.first_buffer_us() - start) / 1000.0);
  g_assert_cmpint(video.width(), ==, 1280);
  g_assert_cmpint(video.height(), ==, 720);
  // Viewing alone never starts voice chat: it would pause the robot's cleaning.
  int frames = video.buffers();
  g_assert_true(pipeline.wait_until([&] { return video.buffers() > frames + 30; }, 5000));
  g_assert_cmpuint(testbed.count_commands("start_voice_chat"), ==, 0);
  assert_no_errors(pipeline);
  std::vector<std::string> expected = {"connecting", "authenticating", "negotiating", "streaming"};
  g_assert_true(pipeline.roborock_states() == expected);
  // READY, not NULL: a pipeline flushes its bus on the way to NULL.
  pipeline.set_state(GST_STATE_READY);
  g_assert_true(pipeline.roborock_states().back() == "stopped");
}

// Named pads, both decoded: video, and 48 kHz audio (the robot's one
// microphone: mono) that is not silent.
void test_named_pads_with_audio() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) +
                    " src.video ! decodebin ! fakesink name=vout"
                    " src.audio ! decodebin ! audioconvert ! audio/x-raw,format=S16LE"
                    " ! fakesink name=aout");
  PadProbe video, audio;
  attach(video, pipeline, "vout");
  attach(audio, pipeline, "aout");
  std::vector<std::string> added; // pad-added runs on a streaming thread
  std::mutex added_mutex;
  struct Order {
    std::vector<std::string> *added;
    std::mutex *mutex;
  } order{&added, &added_mutex};
  g_signal_connect(pipeline.element("src"), "pad-added",
                   G_CALLBACK(+[](GstElement *, GstPad *pad, Order *o) {
                     std::lock_guard<std::mutex> lock(*o->mutex);
                     o->added->push_back(GST_PAD_NAME(pad));
                   }),
                   &order);
  // no-more-pads comes with the robot's answer, both pads made, before any
  // audio: decodebin and playbin never wait for audio that may not come.
  struct Finished {
    std::atomic<int> audio_buffers{-1};
    std::atomic<int> pads{0};
    PadProbe *audio;
  } finished;
  finished.audio = &audio;
  g_signal_connect(pipeline.element("src"), "no-more-pads",
                   G_CALLBACK(+[](GstElement *src, Finished *f) {
                     f->pads = src->numsrcpads;
                     f->audio_buffers = f->audio->buffers();
                   }),
                   &finished);
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 15);
  wait_buffers(pipeline, audio, 50);
  g_assert_cmpint(finished.pads, ==, 2);
  g_assert_cmpint(finished.audio_buffers, ==, 0);
  g_assert_cmpint(audio.rate(), ==, 48000);
  g_assert_cmpint(audio.channels(), ==, 1);
  g_test_message("robot audio peak %.3f", audio.audio_peak());
  g_assert_cmpfloat(audio.audio_peak(), >, 0.1); // the simulator's tone, not silence
  // The pads came in the documented order: video, then audio.
  {
    std::lock_guard<std::mutex> lock(added_mutex);
    g_assert_true(added == (std::vector<std::string>{"video", "audio"}));
  }
  assert_no_errors(pipeline);
}

// audio=false: no start_voice_chat, no audio pad, and no-more-pads right after video.
void test_audio_off() {
  Testbed testbed;
  Pipeline pipeline(source(testbed, "audio=false") + " ! decodebin ! fakesink name=out");
  PadProbe video;
  attach(video, pipeline, "out");
  bool no_more_pads = false;
  g_signal_connect(pipeline.element("src"), "no-more-pads",
                   G_CALLBACK(+[](GstElement *, bool *flag) { *flag = true; }), &no_more_pads);
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 15);
  g_assert_true(no_more_pads);
  g_assert_null(gst_element_get_static_pad(pipeline.element("src"), "audio"));
  g_assert_cmpuint(testbed.count_commands("start_voice_chat"), ==, 0);
  assert_no_errors(pipeline);
}

// Listening only: with "video" unlinked, the audio keeps flowing (its
// not-linked flow is combined, never fatal), session after session.
void test_audio_only() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) + " src.audio ! queue ! opusdec ! fakesink name=aout");
  PadProbe audio;
  attach(audio, pipeline, "aout");
  for (int run = 0; run < 8; run++) { // the bug it guards showed in 4 of 8 runs
    int before = audio.buffers();
    pipeline.set_state(GST_STATE_PLAYING);
    wait_buffers(pipeline, audio, before + 50);
    assert_no_errors(pipeline);
    g_assert_cmpfloat(audio.audio_peak(), >, 0.1); // the robot's tone
    pipeline.set_state(GST_STATE_NULL);
    pipeline.forget_messages();
  }
}

// A robot whose audio never flows (voice chat refused; models without a
// microphone exist), with both pads on ordinary synchronising sinks: GAP
// events on "audio" let its sink preroll, so the pipeline plays.
void test_audio_never_flows() {
  Testbed testbed({true, false, {"--silent=start_voice_chat"}});
  Pipeline pipeline(source(testbed) + " src.video ! decodebin ! fakesink name=out sync=true"
                                      " src.audio ! decodebin ! fakesink name=aout sync=true");
  PadProbe video, audio;
  attach(video, pipeline, "out");
  attach(audio, pipeline, "aout");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 30);
  GstState state;
  g_assert_cmpint(gst_element_get_state(pipeline.get(), &state, nullptr, 5 * GST_SECOND), ==,
                  GST_STATE_CHANGE_SUCCESS);
  g_assert_cmpint(state, ==, GST_STATE_PLAYING);
  g_assert_cmpint(audio.gaps(), >, 0);
  g_assert_cmpint(audio.pts_backwards(), ==, 0);
}

// Timestamps of the buffers reaching a pad, in order.
struct TimestampLog {
  std::mutex mutex;
  std::vector<GstClockTime> pts;
  std::vector<bool> keyframe;
  std::vector<bool> discont;
  std::vector<std::string> caps; // every caps event, in order
  void attach(GstElement *sink) {
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad *, GstPadProbeInfo *info, gpointer data) {
          GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
          if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
            GstCaps *c = nullptr;
            gst_event_parse_caps(event, &c);
            gchar *text = gst_caps_to_string(c);
            auto *log = static_cast<TimestampLog *>(data);
            std::lock_guard<std::mutex> lock(log->mutex);
            log->caps.push_back(text);
            g_free(text);
          }
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *info, gpointer data) {
          auto *log = static_cast<TimestampLog *>(data);
          GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
          std::lock_guard<std::mutex> lock(log->mutex);
          log->pts.push_back(GST_BUFFER_PTS(buffer));
          log->keyframe.push_back(!GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT));
          log->discont.push_back(GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT));
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
    gst_object_unref(pad);
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return pts.size();
  }
};

// The start of a stream as a recording gets it: audio timestamps rise in
// 20 ms steps from the first buffer (a longer step only where the robot's
// audio really paused, flagged DISCONT; never a shorter one), and the first
// second of video is continuous (no isolated keyframes with the frames
// between them dropped) with rising timestamps.
void test_start_timestamps() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) + " src.video ! queue ! fakesink name=out"
                                      " src.audio ! queue ! fakesink name=aout");
  TimestampLog video, audio;
  video.attach(pipeline.element("out"));
  audio.attach(pipeline.element("aout"));
  pipeline.set_state(GST_STATE_PLAYING);
  g_assert_true(
      pipeline.wait_until([&] { return video.size() >= 45 && audio.size() >= 150; }, 20000));
  assert_no_errors(pipeline);
  std::lock_guard<std::mutex> video_lock(video.mutex), audio_lock(audio.mutex);
  std::string steps;
  int bad_steps = 0;
  for (size_t i = 1; i < 150; i++) {
    gint64 step = gint64(audio.pts[i]) - gint64(audio.pts[i - 1]);
    if (i < 60)
      steps += std::to_string(step / 100000) + " "; // 0.1 ms
    bool pause = audio.discont[i] && step > 20 * gint64(GST_MSECOND);
    if (step != 20 * gint64(GST_MSECOND) && !pause)
      bad_steps++;
  }
  g_test_message("audio steps (0.1 ms): %s", steps.c_str());
  std::string frames;
  GstClockTime first = video.pts[0];
  size_t in_first_second = 0;
  GstClockTime widest = 0;
  for (size_t i = 0; i < video.pts.size() && video.pts[i] < first + GST_SECOND; i++) {
    in_first_second++;
    if (i > 0)
      widest = std::max(widest, video.pts[i] - video.pts[i - 1]);
    frames +=
        std::to_string((video.pts[i] - first) / GST_MSECOND) + (video.keyframe[i] ? "K " : " ");
  }
  g_test_message("video, first second (ms from the first frame): %s", frames.c_str());
  g_test_message("widest step in the first second: %" GST_TIME_FORMAT, GST_TIME_ARGS(widest));
  g_assert_cmpint(bad_steps, ==, 0);
  // The caps "audio" announced before its data are the data's own: muxers
  // (mp4mux, splitmuxsink) refuse a change (the demo's recording failed so).
  g_assert_cmpuint(audio.caps.size(), >=, 1);
  for (const std::string &c : audio.caps)
    g_assert_cmpstr(c.c_str(), ==, audio.caps.front().c_str());
  g_assert_cmpuint(in_first_second, >=, 12); // 15 fps: no frame of the first GOP dropped
  for (size_t i = 1; i < video.pts.size(); i++)
    g_assert_cmpuint(video.pts[i], >, video.pts[i - 1]);
}

// A robot that lists its candidates only in its answer, in the second m-line
// (and ignores ours): the element moves them to the bundle's transport.
void test_candidates_in_answer() {
  Testbed testbed({true, false, {"--ice-in-answer", "--candidate-mline=1"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 10);
  assert_no_errors(streaming.pipeline);
  g_assert_cmpuint(testbed.events_named("ice-list").size(), ==, 0);
}

// Behind NAT, as real users are: the robot is reachable only through the
// TURN relay the cloud names, so the media must come through the element's
// own allocation (the simulator uses no relay of its own).
void test_relay_only() {
  TestbedOptions options;
  options.start_turn = true;
  options.relay_only = true;
  Testbed testbed(options);
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 10);
  assert_no_errors(streaming.pipeline);
  GstStructure *stats = nullptr;
  g_object_get(streaming.src(), "stats", &stats, nullptr);
  g_assert_nonnull(stats);
  g_test_message("selected pair: %s/%s", gst_structure_get_string(stats, "local-candidate-type"),
                 gst_structure_get_string(stats, "remote-candidate-type"));
  g_assert_cmpstr(gst_structure_get_string(stats, "local-candidate-type"), ==, "relay");
  gst_structure_free(stats);
}

// What the video pad promises recorders: it starts at a keyframe, and every
// frame has a timestamp, never going backwards.
void test_video_pad_guarantees() {
  Testbed testbed;
  Streaming streaming(testbed, "", " src.video ! fakesink name=out", 60); // the pad itself
  g_assert_true(streaming.video.first_buffer_was_keyframe());
  g_assert_cmpint(streaming.video.untimestamped(), ==, 0);
  g_assert_cmpint(streaming.video.pts_backwards(), ==, 0);
  assert_no_errors(streaming.pipeline);
}

// W/A/S/D drive like the arrows, and held keys combine: W+A arcs forward
// and left, S+D backs up turning right.
void test_navigation_wasd_combined() {
  Testbed testbed;
  Streaming streaming(testbed, "", " ! decodebin ! videoconvert ! fakesink name=out", 5);
  Pipeline &pipeline = streaming.pipeline;
  GstPad *sink = gst_element_get_static_pad(pipeline.element("out"), "sink");
  GstPad *upstream = gst_pad_get_peer(sink);
  auto key = [&](bool press, const char *name) {
    gst_pad_send_event(
        upstream, press ? gst_navigation_event_new_key_press(name, GST_NAVIGATION_MODIFIER_NONE)
                        : gst_navigation_event_new_key_release(name, GST_NAVIGATION_MODIFIER_NONE));
  };
  auto moved = [&](double velocity, double omega) {
    return pipeline.wait_until(
        [&] {
          for (auto &move : testbed.events_named("rc-move"))
            if (event_number(move, "velocity") == velocity && event_number(move, "omega") == omega)
              return true;
          return false;
        },
        3000);
  };
  key(true, "w");
  key(true, "a");
  g_assert_true(moved(0.2, 0.53)); // forward, arcing left
  key(false, "w");
  key(false, "a");
  g_assert_true(
      pipeline.wait_until([&] { return testbed.count_commands("app_rc_stop") == 1; }, 3000));
  key(true, "S");
  key(true, "D");
  g_assert_true(moved(-0.2, -0.53)); // backwards, turning right
  key(false, "S");
  key(false, "D");
  g_assert_true(
      pipeline.wait_until([&] { return testbed.count_commands("app_rc_stop") == 2; }, 3000));
  gst_object_unref(upstream);
  gst_object_unref(sink);
  assert_no_errors(pipeline);
}

// quality=sd gives 640x360; switching while playing gives 1280x720.
void test_quality_switch() {
  Testbed testbed;
  Streaming streaming(testbed, "quality=sd", " ! decodebin ! fakesink name=out", 10);
  Pipeline &pipeline = streaming.pipeline;
  PadProbe &video = streaming.video;
  g_assert_cmpint(video.width(), ==, 640);
  g_assert_cmpint(video.height(), ==, 360);
  gst_util_set_object_arg(G_OBJECT(pipeline.element("src")), "quality", "hd");
  g_assert_true(pipeline.wait_until([&] { return video.width() == 1280; }, 8000));
  g_assert_cmpint(video.height(), ==, 720);
  g_assert_cmpuint(testbed.count_commands("switch_video_quality"), ==, 1);
  assert_no_errors(pipeline);
}

// A tone fed to the talkback pad reaches the robot and is loud there.
void test_talkback() {
  Testbed testbed;
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " audiotestsrc is-live=true wave=sine freq=600 volume=0.5 ! src.talkback",
                      10);
  Pipeline &pipeline = streaming.pipeline;
  auto loud = [&] {
    for (auto &event : testbed.events_named("talkback"))
      if (event_number(event, "frames") >= 50 && event_number(event, "rms_db") > -20)
        return true;
    return false;
  };
  bool reached = pipeline.wait_until(loud, 10000);
  for (auto &event : testbed.events_named("talkback"))
    g_test_message("robot heard %g frames at %g dBFS", event_number(event, "frames"),
                   event_number(event, "rms_db"));
  g_assert_true(reached);
  auto offers = testbed.events_named("offer");
  g_assert_cmpuint(offers.size(), ==, 1);
  g_assert_cmpstr(event_string(offers[0], "audio_direction"), ==, "sendrecv");
  assert_no_errors(pipeline);
}

// Without a talkback pad the offer's audio is receive-only.
void test_no_talkback_is_recvonly() {
  Testbed testbed;
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 5);
  auto offers = testbed.events_named("offer");
  g_assert_cmpuint(offers.size(), ==, 1);
  g_assert_cmpstr(event_string(offers[0], "audio_direction"), ==, "recvonly");
}

// A talkback pad that never gets data stalls neither the stream nor shutdown.
void test_idle_talkback() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) + " ! decodebin ! fakesink name=out");
  GstPad *talkback = gst_element_request_pad_simple(pipeline.element("src"), "talkback");
  g_assert_nonnull(talkback);
  GstPadTemplate *templ =
      gst_element_get_pad_template(pipeline.element("src"), "talkback"); // only one pad
  g_assert_null(gst_element_request_pad(pipeline.element("src"), templ, nullptr, nullptr));
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 20);
  auto offers = testbed.events_named("offer");
  g_assert_cmpuint(offers.size(), ==, 1);
  ASSERT_STR_EQ(event_string(offers[0], "audio_direction"), "sendrecv");
  gint64 start = g_get_monotonic_time();
  g_assert_cmpint(pipeline.set_state(GST_STATE_NULL), ==, GST_STATE_CHANGE_SUCCESS);
  g_test_message("shutdown took %.0f ms", (g_get_monotonic_time() - start) / 1000.0);
  gst_element_release_request_pad(pipeline.element("src"), talkback);
  gst_object_unref(talkback);
  assert_no_errors(pipeline);
}

bool emit_bool(GstElement *element, const char *signal) {
  gboolean result = FALSE;
  g_signal_emit_by_name(element, signal, &result);
  return result;
}

// rc-start, rc-move, rc-stop and send-command reach the robot exactly.
void test_remote_control_signals() {
  Testbed testbed;
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 5);
  Pipeline &pipeline = streaming.pipeline;
  GstElement *src = pipeline.element("src");

  g_assert_true(emit_bool(src, "rc-start"));
  gboolean sent = FALSE;
  g_signal_emit_by_name(src, "rc-move", 0.2, 0.0, 500u, &sent);
  g_assert_true(sent);
  g_signal_emit_by_name(src, "rc-move", -0.15, 0.53, 300u, &sent);
  g_assert_true(sent);
  g_assert_true(emit_bool(src, "rc-stop"));
  auto moves = testbed.events_named("rc-move");
  g_assert_cmpuint(moves.size(), ==, 2); // rc-stop's reply came after both moves
  g_assert_cmpfloat(event_number(moves[0], "velocity"), ==, 0.2);
  g_assert_cmpfloat(event_number(moves[0], "omega"), ==, 0.0);
  g_assert_cmpfloat(event_number(moves[0], "duration"), ==, 500);
  g_assert_cmpfloat(event_number(moves[1], "velocity"), ==, -0.15);
  g_assert_cmpfloat(event_number(moves[1], "omega"), ==, 0.53);
  g_assert_cmpfloat(event_number(moves[1], "duration"), ==, 300);
  g_assert_cmpfloat(event_number(moves[1], "seqnum"), ==, event_number(moves[0], "seqnum") + 1);
  g_assert_cmpuint(testbed.count_commands("app_rc_start"), ==, 1);
  g_assert_cmpuint(testbed.count_commands("app_rc_end"), ==, 1);

  gchar *status = nullptr;
  g_signal_emit_by_name(src, "send-command", "get_homesec_connect_status", nullptr, &status);
  g_assert_nonnull(status);
  g_assert_nonnull(strstr(status, "element-test")); // we are the viewer
  g_free(status);
  gchar *unknown = nullptr;
  g_signal_emit_by_name(src, "send-command", "make_coffee", "{\"size\":2}", &unknown);
  g_assert_null(unknown);
  gchar *bad = nullptr;
  g_signal_emit_by_name(src, "send-command", "app_rc_start", "{not json", &bad);
  g_assert_null(bad);
  auto warning_with = [&](const char *text) {
    return pipeline.wait_message(
        [text](GstMessage *m) {
          return GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING &&
                 strstr(parse_error(m).text.c_str(), text);
        },
        1000);
  };
  g_assert_nonnull(warning_with("make_coffee is not supported by this firmware"));
  g_assert_nonnull(warning_with("params must be a JSON object or list"));
  assert_no_errors(pipeline);
}

// Arrow keys from the video sink drive the robot; release stops; Escape ends.
void test_navigation_keys() {
  Testbed testbed;
  Streaming streaming(testbed, "", " ! decodebin ! videoconvert ! fakesink name=out", 5);
  Pipeline &pipeline = streaming.pipeline;
  // Navigation events travel upstream, as from a video window.
  GstPad *sink = gst_element_get_static_pad(pipeline.element("out"), "sink");
  GstPad *upstream_pad = gst_pad_get_peer(sink);
  auto upstream = [&](GstEvent *event) {
    gst_pad_send_event(upstream_pad, event);
  };
  upstream(gst_navigation_event_new_key_press("Up", GST_NAVIGATION_MODIFIER_NONE));
  g_usleep(900 * 1000); // held: the move repeats
  upstream(gst_navigation_event_new_key_press("Up", GST_NAVIGATION_MODIFIER_NONE)); // auto-repeat
  upstream(gst_navigation_event_new_key_release("Up", GST_NAVIGATION_MODIFIER_NONE));
  g_assert_true(pipeline.wait_until(
      [&] {
        return testbed.events_named("rc-move").size() >= 3 &&
               testbed.count_commands("app_rc_stop") == 1;
      },
      3000));
  upstream(gst_navigation_event_new_key_press("Left", GST_NAVIGATION_MODIFIER_NONE));
  upstream(gst_navigation_event_new_key_press("Escape", GST_NAVIGATION_MODIFIER_NONE));
  g_assert_true(
      pipeline.wait_until([&] { return testbed.count_commands("app_rc_end") == 1; }, 3000));
  gst_object_unref(upstream_pad);
  gst_object_unref(sink);

  auto moves = testbed.events_named("rc-move");
  g_assert_cmpuint(testbed.count_commands("app_rc_start"), ==, 1);
  // Held "Up": forward at 0.2 m/s, repeated (at once, then every 400 ms).
  size_t forward = 0;
  for (auto &move : moves)
    if (event_number(move, "velocity") == 0.2 && event_number(move, "omega") == 0 &&
        event_number(move, "duration") == 500)
      forward++;
  g_assert_cmpuint(forward, >=, 3);
  // Released: app_rc_stop (stop moving, as real robots expect it), not a
  // zero move. "Left": turning in place; Escape: app_rc_stop, then app_rc_end.
  bool turned_left = false;
  for (auto &move : moves) {
    g_assert_false(event_number(move, "velocity") == 0 && event_number(move, "omega") == 0);
    if (event_number(move, "velocity") == 0 && event_number(move, "omega") == 0.53)
      turned_left = true;
  }
  g_assert_true(turned_left);
  g_assert_cmpuint(testbed.count_commands("app_rc_stop"), ==, 2);
  auto commands = testbed.events_named("command", [](JsonObject *event) {
    const char *method = json_object_get_string_member(event, "method");
    return g_str_has_prefix(method, "app_rc_");
  });
  g_assert_cmpstr(event_string(commands.back(), "method"), ==, "app_rc_end");
  g_assert_cmpstr(event_string(commands[commands.size() - 2], "method"), ==, "app_rc_stop");
  for (size_t i = 1; i < moves.size(); i++) // seqnum strictly increases
    g_assert_cmpfloat(event_number(moves[i], "seqnum"), >, event_number(moves[i - 1], "seqnum"));
  assert_no_errors(pipeline);
}

// splitmuxsink records files that demux and decode.
void test_splitmuxsink_recording() {
  Testbed testbed;
  std::string pattern = testbed.dir() + "/rec%02d.mp4";
  Pipeline pipeline(source(testbed) + " src.video ! queue ! splitmuxsink name=mux location=" +
                    pattern + " max-size-time=2000000000");
  pipeline.set_state(GST_STATE_PLAYING);
  g_assert_true(pipeline.wait_until(
      [&] { return g_file_test((testbed.dir() + "/rec02.mp4").c_str(), G_FILE_TEST_EXISTS); },
      20000));
  gst_element_send_event(pipeline.get(), gst_event_new_eos());
  g_assert_nonnull(pipeline.wait_message(
      [](GstMessage *m) { return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS; }, 5000));
  pipeline.set_state(GST_STATE_NULL);
  assert_no_errors(pipeline);
  int total = 0;
  for (int i = 0; i < 2; i++) {
    gchar *file = g_strdup_printf(pattern.c_str(), i);
    Pipeline play(std::string("filesrc location=") + file +
                  " ! qtdemux ! h264parse name=parse ! avdec_h264 ! fakesink name=out sync=false");
    PadProbe frames, samples;
    attach(frames, play, "out");
    attach(samples, play, "parse");
    play.set_state(GST_STATE_PLAYING);
    g_assert_nonnull(play.wait_message(
        [](GstMessage *m) {
          return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR;
        },
        10000));
    assert_no_errors(play);
    g_test_message("%s: %d samples, %d frames decoded", file, samples.buffers(), frames.buffers());
    // Each file starts at a keyframe, and every sample in it decodes.
    g_assert_true(samples.first_buffer_was_keyframe());
    g_assert_cmpint(frames.buffers(), >=, 1); // the first GOP may be short: a keyframe at connect
    g_assert_cmpint(frames.buffers(), ==, samples.buffers());
    total += frames.buffers();
    g_free(file);
  }
  g_assert_cmpint(total, >=, 30); // two files of up to 2 s at 15 fps
}

// playbin with a roborock:// URI.
void test_playbin_uri() {
  Testbed testbed;
  const TestAccount &a = testbed.account();
  gchar *ca = g_uri_escape_string(testbed.ca_file().c_str(), nullptr, FALSE);
  gchar *broker = g_uri_escape_string(testbed.broker_url().c_str(), nullptr, FALSE);
  std::string uri = "roborock://" + a.duid + "?local-key=" + a.local_key + "&u=" + a.u +
                    "&s=" + a.s + "&k=" + a.k + "&password=" + a.pattern + "&mqtt-url=" + broker +
                    "&tls-ca-file=" + ca;
  g_free(ca);
  g_free(broker);
  Pipeline pipeline("playbin name=play video-sink=\"fakesink name=vout\" audio-sink=\"fakesink "
                    "name=aout\" uri=\"" +
                    uri + "\"");
  PadProbe video, audio;
  GstElement *vout = nullptr, *aout = nullptr;
  g_object_get(pipeline.get(), "video-sink", &vout, "audio-sink", &aout, nullptr);
  GstPad *vpad = gst_element_get_static_pad(vout, "sink");
  GstPad *apad = gst_element_get_static_pad(aout, "sink");
  video.attach(vpad);
  audio.attach(apad);
  gst_object_unref(vpad);
  gst_object_unref(apad);
  gst_object_unref(vout);
  gst_object_unref(aout);
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 15);
  wait_buffers(pipeline, audio, 10);
  assert_no_errors(pipeline);
}

// No account setting at all: the login tool's file (here named by
// ROBOROCK_CREDENTIALS), and the robot chosen by its name in any case.
void test_duid_by_name_default_file() {
  Testbed testbed;
  g_setenv("ROBOROCK_CREDENTIALS", testbed.write_credentials_file().c_str(), TRUE);
  Streaming streaming("roborocksrc name=src duid=\"simulated ROBOT\" password=" +
                          testbed.account().pattern + " tls-ca-file=" + testbed.ca_file() +
                          " client-id=element-test timeout=3 ! decodebin ! fakesink name=out",
                      10);
  assert_no_errors(streaming.pipeline);
  g_unsetenv("ROBOROCK_CREDENTIALS");
}

// roborock://NAME: the URI playbin logs names the robot and nothing secret;
// the account comes from the login tool's file.
void test_playbin_uri_by_name() {
  Testbed testbed;
  g_setenv("ROBOROCK_CREDENTIALS", testbed.write_credentials_file().c_str(), TRUE);
  g_autofree gchar *ca = g_uri_escape_string(testbed.ca_file().c_str(), nullptr, FALSE);
  std::string uri =
      "roborock://Simulated%20Robot?password=" + testbed.account().pattern + "&tls-ca-file=" + ca;
  Pipeline pipeline("playbin name=play video-sink=\"fakesink name=vout\" audio-sink=fakesink "
                    "uri=\"" +
                    uri + "\"");
  PadProbe video;
  GstElement *vout = nullptr;
  g_object_get(pipeline.get(), "video-sink", &vout, nullptr);
  GstPad *vpad = gst_element_get_static_pad(vout, "sink");
  video.attach(vpad);
  gst_object_unref(vpad);
  gst_object_unref(vout);
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 10);
  assert_no_errors(pipeline);
  GstElement *source = nullptr;
  g_object_get(pipeline.get(), "source", &source, nullptr);
  g_assert_nonnull(source);
  g_autofree gchar *reported = gst_uri_handler_get_uri(GST_URI_HANDLER(source));
  g_assert_cmpstr(reported, ==, "roborock://Simulated%20Robot");
  gst_object_unref(source);
  g_unsetenv("ROBOROCK_CREDENTIALS");
}

void link_video_pad(GstElement *, GstPad *pad, gpointer decoder) {
  if (g_str_has_prefix(GST_PAD_NAME(pad), "video")) {
    GstPad *sink = gst_element_get_static_pad(GST_ELEMENT(decoder), "sink");
    g_assert_cmpint(gst_pad_link(pad, sink), ==, GST_PAD_LINK_OK);
    gst_object_unref(sink);
  }
}

// The device provider lists the robots of the login tool's file, through
// gst-device-monitor-1.0 as users run it, and its device streams.
void test_device_provider() {
  Testbed testbed;
  std::string file = testbed.write_credentials_file();
  g_setenv("ROBOROCK_CREDENTIALS", file.c_str(), TRUE);
  Launch monitor = run_command_line("gst-device-monitor-1.0 Source/Network");
  g_assert_true(monitor.says("name  : Simulated robot"));
  g_assert_true(monitor.says("class : Video/Audio/Source/Network"));
  g_assert_true(monitor.says(("roborock.duid = " + testbed.account().duid).c_str()));
  for (const std::string &secret :
       {testbed.account().local_key, testbed.account().s, testbed.account().k})
    g_assert_false(monitor.says(secret.c_str()));

  GstDeviceMonitor *devices = gst_device_monitor_new();
  gst_device_monitor_add_filter(devices, "Source/Network", nullptr);
  GList *found = gst_device_monitor_get_devices(devices);
  GstDevice *robot = nullptr;
  for (GList *item = found; item; item = item->next) {
    g_autofree gchar *name = gst_device_get_display_name(GST_DEVICE(item->data));
    if (g_str_equal(name, "Simulated robot"))
      robot = GST_DEVICE(gst_object_ref(item->data));
  }
  g_list_free_full(found, gst_object_unref);
  gst_object_unref(devices);
  g_assert_nonnull(robot);
  GstElement *src = gst_device_create_element(robot, "src");
  gst_object_unref(robot);
  g_assert_nonnull(src);
  g_object_set(src, "password", testbed.account().pattern.c_str(), "tls-ca-file",
               testbed.ca_file().c_str(), "timeout", 3, nullptr);
  Pipeline pipeline("decodebin name=dec ! fakesink name=out");
  gst_bin_add(GST_BIN(pipeline.get()), src);
  g_signal_connect(src, "pad-added", G_CALLBACK(link_video_pad), pipeline.element("dec"));
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 10);
  assert_no_errors(pipeline);
  g_unsetenv("ROBOROCK_CREDENTIALS");
}

void test_uri_handling() {
  GstElement *src = gst_element_make_from_uri(
      GST_URI_SRC, "roborock://abc123?password=2580&region=eu&quality=sd&audio=false", "src",
      nullptr);
  g_assert_nonnull(src);
  gchar *duid = nullptr, *region = nullptr, *password = nullptr, *uri = nullptr;
  gboolean audio = TRUE;
  g_object_get(src, "duid", &duid, "region", &region, "password", &password, "audio", &audio,
               nullptr);
  g_assert_cmpstr(duid, ==, "abc123");
  g_assert_cmpstr(region, ==, "eu");
  g_assert_cmpstr(password, ==, "********"); // secrets read back masked
  g_assert_false(audio);
  uri = gst_uri_handler_get_uri(GST_URI_HANDLER(src));
  g_assert_cmpstr(uri, ==, "roborock://abc123"); // no secrets in the URI others see
  GError *error = nullptr;
  g_assert_false(gst_uri_handler_set_uri(GST_URI_HANDLER(src), "roborock://x?bogus=1", &error));
  g_assert_nonnull(strstr(error->message, "bogus"));
  g_clear_error(&error);
  g_assert_false(gst_uri_handler_set_uri(GST_URI_HANDLER(src), "roborock://", &error));
  g_clear_error(&error);
  g_free(duid);
  g_free(region);
  g_free(password);
  g_free(uri);
  gst_object_unref(src);
}

void test_error_missing_credentials() {
  Pipeline pipeline("roborocksrc name=src duid=abc password=2580 ! fakesink");
  g_assert_cmpint(pipeline.set_state(GST_STATE_PLAYING), ==, GST_STATE_CHANGE_FAILURE);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, "credentials-file", 1000);
  Pipeline bad_file("roborocksrc name=src credentials-file=/nonexistent/user_data.json ! fakesink");
  g_assert_cmpint(bad_file.set_state(GST_STATE_PLAYING), ==, GST_STATE_CHANGE_FAILURE);
  assert_error(bad_file, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, "/nonexistent", 1000);
}

void test_error_wrong_pattern() {
  Testbed testbed;
  Pipeline pipeline(source(testbed) + " password=13579 ! decodebin ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "not retried");
  // Short text for people; the robot's words in the debug string; kind,
  // robot code and method in the details structure, for applications.
  GstMessage *message = pipeline.errors().front();
  GError *error = nullptr;
  gchar *debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  g_assert_null(strstr(error->message, "the robot said"));
  g_assert_nonnull(strstr(debug, "the robot said: code"));
  g_error_free(error);
  g_free(debug);
  const GstStructure *details = nullptr;
  gst_message_parse_error_details(message, &details);
  g_assert_nonnull(details);
  g_assert_true(gst_structure_has_name(details, "roborock-error"));
  g_assert_cmpstr(gst_structure_get_string(details, "kind"), ==, "wrong-password");
  g_assert_cmpstr(gst_structure_get_string(details, "method"), ==, "check_homesec_password");
  gint64 robot_code = 0;
  g_assert_true(gst_structure_get_int64(details, "robot-code", &robot_code));
  g_assert_cmpint(robot_code, !=, 0);
  pipeline.set_state(GST_STATE_NULL);
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 1);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 0);
}

// A rejected pattern is never sent again: not by the same pipeline going
// NULL -> PLAYING again (as recorders and supervisors do after an error), nor
// by other processes (the record in the cache directory). The right pattern
// still works, and the record holds no pattern.
void test_rejected_pattern_remembered() {
  Testbed testbed;
  const char *wrong = "258025802";
  std::string description = source(testbed) + " password=" + wrong + " ! decodebin ! fakesink";
  Pipeline pipeline(description);
  for (int run = 0; run < 3; run++) {
    pipeline.set_state(GST_STATE_PLAYING);
    assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED,
                 run == 0 ? "not retried" : "rejected this pattern password at");
    pipeline.set_state(GST_STATE_NULL);
    pipeline.forget_messages();
  }
  for (int process = 0; process < 3; process++) {
    Launch launch = gst_launch(description);
    launch.assert_clean_failure();
    g_assert_true(launch.says("rejected this pattern password at"));
  }
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 1);

  std::string record = std::string(g_getenv("XDG_CACHE_HOME")) + "/roborocksrc/rejected-patterns";
  gchar *text = nullptr;
  g_assert_true(g_file_get_contents(record.c_str(), &text, nullptr, nullptr));
  g_assert_null(strstr(text, wrong));
  g_free(text);
  GStatBuf st;
  g_assert_cmpint(g_stat(record.c_str(), &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  Streaming right(testbed, "", " ! decodebin ! fakesink name=out", 5);
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 2);
}

void test_error_busy() {
  Testbed testbed({true, false, {"--viewer=the-phone-app"}});
  Pipeline pipeline(source(testbed) + " ! decodebin ! fakesink");
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY, "busy");
}

void test_error_broker_down() {
  Testbed testbed({false, false, {}});
  std::string description = source(testbed) + " ! decodebin ! fakesink";
  description.replace(description.find(testbed.broker_url()), testbed.broker_url().size(),
                      testbed.dead_broker_url());
  Pipeline pipeline(description);
  gint64 start = g_get_monotonic_time();
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
               testbed.dead_broker_url().c_str(), 5000);
  g_test_message("error after %.0f ms", (g_get_monotonic_time() - start) / 1000.0);
}

void test_error_broker_refuses() {
  Testbed testbed;
  std::string description = source(testbed) + " rriot-s=wrong ! decodebin ! fakesink";
  Pipeline pipeline(description);
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "not authorized");
}

// Junk on the reply topic (other apps' traffic under another key, a bad CRC,
// frames cut short, garbage) before every reply: each is dropped and
// counted, the reply after it used, on the same MQTT connection. OpenSSL's
// "bad decrypt" left queued once made the next TLS read fail.
void test_junk_frames() {
  Testbed testbed({true, false, {"--junk-before-replies"}});
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 10);
  for (const char *signal : {"rc-start", "rc-stop"}) {
    gboolean ok = FALSE;
    g_signal_emit_by_name(streaming.src(), signal, &ok);
    g_assert_true(ok);
  }
  assert_no_errors(streaming.pipeline);
  GstStructure *stats = nullptr;
  g_object_get(streaming.src(), "stats", &stats, nullptr);
  guint undecodable = 0;
  g_assert_true(gst_structure_get_uint(stats, "undecodable-frames", &undecodable));
  gst_structure_free(stats);
  std::string login = "u'" + testbed.account().mqtt_username + "'";
  g_assert_cmpuint(testbed.broker_log_count(login.c_str()), ==, 1); // never reconnected
  size_t replies = testbed.events_named("malformed-replies").size();
  g_test_message("%u undecodable frames around %zu replies", undecodable, replies);
  g_assert_cmpuint(replies, >=, 5);
  g_assert_cmpuint(undecodable, >=, 6 * replies - 6); // a reply may still be on its way
  int frames = streaming.video.buffers();
  wait_buffers(streaming.pipeline, streaming.video, frames + 10);
}

// Application handlers may call back into the element from within its own
// calls: deep-element-added (webrtcbin and the chains join the element while
// a session starts), pad-added and no-more-pads read the stats and set a
// property. No lock of the element's may be held across those calls.
struct CallBacks {
  GstElement *src = nullptr;
  std::atomic<int> elements_added{0}, pads_added{0}, no_more_pads{0};
};

void read_back(GstElement *src) {
  GstStructure *stats = nullptr;
  g_object_get(src, "stats", &stats, nullptr);
  g_assert_nonnull(stats);
  gst_structure_free(stats);
  gint restarts = 0;
  g_object_get(src, "max-restarts", &restarts, nullptr);
  g_object_set(src, "max-restarts", restarts, nullptr);
}

void test_handlers_call_back() {
  Testbed testbed;
  Pipeline pipeline(source(testbed, "audio=false") + " ! decodebin ! fakesink name=out");
  CallBacks calls;
  calls.src = pipeline.element("src");
  g_signal_connect(pipeline.get(), "deep-element-added",
                   G_CALLBACK(+[](GstBin *, GstBin *bin, GstElement *, CallBacks *c) {
                     if (GST_ELEMENT(bin) != c->src &&
                         !gst_object_has_as_ancestor(GST_OBJECT(bin), GST_OBJECT(c->src)))
                       return;
                     read_back(c->src); // on webrtcbin's own thread too
                     c->elements_added++;
                   }),
                   &calls);
  g_signal_connect(calls.src, "pad-added", G_CALLBACK(+[](GstElement *, GstPad *, CallBacks *c) {
                     read_back(c->src);
                     c->pads_added++;
                   }),
                   &calls);
  g_signal_connect(calls.src, "no-more-pads", G_CALLBACK(+[](GstElement *, CallBacks *c) {
                     read_back(c->src);
                     c->no_more_pads++;
                   }),
                   &calls);
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 10);
  g_assert_cmpint(calls.elements_added, >, 0);
  g_assert_cmpint(calls.pads_added, ==, 1);
  g_assert_cmpint(calls.no_more_pads, ==, 1);
  assert_no_errors(pipeline);
  pipeline.set_state(GST_STATE_NULL);
}

void test_stats() {
  Testbed testbed;
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! queue ! opusdec ! fakesink name=aout"
                      " audiotestsrc is-live=true wave=sine volume=0.3 ! src.talkback",
                      30);
  PadProbe audio;
  attach(audio, streaming.pipeline, "aout");
  wait_buffers(streaming.pipeline, audio, 20);
  Pipeline &pipeline = streaming.pipeline;
  GstStructure *stats = nullptr;
  g_object_get(pipeline.element("src"), "stats", &stats, nullptr);
  g_assert_nonnull(stats);
  gchar *text = gst_structure_to_string(stats);
  g_test_message("%s", text);
  g_free(text);
  guint64 frames = 0, bytes = 0, packets = 0;
  g_assert_cmpstr(gst_structure_get_string(stats, "state"), ==, "streaming");
  g_assert_true(gst_structure_get_uint64(stats, "video-frames", &frames));
  g_assert_true(gst_structure_get_uint64(stats, "bytes-received", &bytes));
  g_assert_true(gst_structure_get_uint64(stats, "packets-received", &packets));
  g_assert_cmpuint(frames, >=, 30);
  g_assert_cmpuint(bytes, >, 10000);
  g_assert_cmpuint(packets, >=, frames);
  // Every documented field, with its type and a value that fits this run.
  guint64 audio_frames = 0, talkback_frames = 0;
  gint64 lost = -1;
  guint reconnects = 99, undecodable = 99;
  gdouble rtt = 0, jitter = 0;
  g_assert_true(gst_structure_get_uint64(stats, "audio-frames", &audio_frames));
  g_assert_true(gst_structure_get_uint64(stats, "talkback-frames", &talkback_frames));
  g_assert_true(gst_structure_get_int64(stats, "packets-lost", &lost));
  g_assert_true(gst_structure_get_uint(stats, "reconnects", &reconnects));
  g_assert_true(gst_structure_get_uint(stats, "undecodable-frames", &undecodable));
  g_assert_cmpuint(undecodable, ==, 0);
  g_assert_true(gst_structure_get_double(stats, "round-trip-time", &rtt));
  g_assert_true(gst_structure_get_double(stats, "jitter", &jitter));
  g_assert_cmpuint(audio_frames, >=, 20);
  g_assert_cmpuint(talkback_frames, >, 0);
  g_assert_cmpint(lost, ==, 0); // no loss on the veth
  g_assert_cmpuint(reconnects, ==, 0);
  g_assert_true(rtt == -1 || (rtt >= 0 && rtt < 1));
  g_assert_cmpfloat(jitter, >=, -1);
  g_assert_cmpstr(gst_structure_get_string(stats, "local-candidate-type"), ==, "host");
  // The robot's side: its host candidate, or peer-reflexive when its checks
  // reach us before its candidate list does (flaky polls, --setup real).
  std::string remote = gst_structure_get_string(stats, "remote-candidate-type");
  g_assert_true(remote == "host" || remote == "prflx");
  gst_structure_free(stats);
}

// Every secret property reads back masked, never as itself; unset is NULL.
void test_secrets_masked() {
  GstElement *src = gst_element_factory_make("roborocksrc", nullptr);
  for (const char *name : {"local-key", "rriot-s", "rriot-k", "password"}) {
    gchar *value = nullptr;
    g_object_get(src, name, &value, nullptr);
    g_assert_null(value);
    g_object_set(src, name, "Secret0123456789", nullptr);
    g_object_get(src, name, &value, nullptr);
    g_assert_cmpstr(value, ==, "********");
    g_free(value);
  }
  // Non-secrets read back as they are.
  g_object_set(src, "rriot-u", "user0001", "duid", "duid0001", nullptr);
  gchar *user = nullptr, *duid = nullptr;
  g_object_get(src, "rriot-u", &user, "duid", &duid, nullptr);
  g_assert_cmpstr(user, ==, "user0001");
  g_assert_cmpstr(duid, ==, "duid0001");
  g_free(user);
  g_free(duid);
  gst_object_unref(src);
}

// The default client-id is the same in every process on this machine (the
// robot ends a stale session under it): 8 hex digits of an md5 of the
// machine id (or the host name).
void test_client_id_across_processes() {
  std::string script =
      "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst; "
      "Gst.init(None); print(Gst.ElementFactory.make('roborocksrc').get_property('client-id'))";
  std::string ids[2];
  for (std::string &id : ids) {
    const gchar *argv[] = {"/usr/bin/python3", "-c", script.c_str(), nullptr};
    gchar *out = nullptr;
    gint status = 0;
    g_assert_true(g_spawn_sync(nullptr, const_cast<gchar **>(argv), nullptr, G_SPAWN_DEFAULT,
                               nullptr, nullptr, &out, nullptr, &status, nullptr));
    g_assert_true(g_spawn_check_wait_status(status, nullptr));
    id = g_strstrip(out);
    g_free(out);
  }
  g_test_message("client-id %s", ids[0].c_str());
  ASSERT_STR_EQ(ids[0], ids[1]);
  gchar *machine = nullptr;
  std::string seed = "roborocksrc:";
  if (g_file_get_contents("/etc/machine-id", &machine, nullptr, nullptr) && *g_strstrip(machine))
    seed += machine;
  else
    seed += g_get_host_name(); // containers without a machine id
  g_free(machine);
  gchar *md5 = g_compute_checksum_for_string(G_CHECKSUM_MD5, seed.c_str(), -1);
  ASSERT_STR_EQ(ids[0], std::string(md5, 8));
  g_free(md5);
}

// The broker goes away while streaming: the media goes on (it does not pass
// through MQTT), the session reports reconnecting, reconnects with backoff,
// re-subscribes, and commands work again.
void test_broker_restart() {
  Testbed testbed;
  Streaming streaming(testbed, "", " ! decodebin ! fakesink name=out", 10);
  Pipeline &pipeline = streaming.pipeline;
  testbed.stop_broker();
  auto has_state = [&](const char *state) {
    auto states = pipeline.roborock_states();
    return std::find(states.begin(), states.end(), state) != states.end();
  };
  g_assert_true(pipeline.wait_until([&] { return has_state("reconnecting"); }, 10000));
  int frames = streaming.video.buffers();
  g_assert_true(pipeline.wait_until([&] { return streaming.video.buffers() > frames + 15; }, 5000));
  testbed.restart_broker();
  g_assert_true(
      pipeline.wait_until([&] { return pipeline.roborock_states().back() == "streaming"; }, 20000));
  // The robot reconnects on its own schedule; a command before that would
  // rightly time out.
  g_assert_true(wait_robot_connected(testbed, 2, 20000));
  gboolean ok = FALSE;
  g_signal_emit_by_name(streaming.src(), "rc-start", &ok);
  g_assert_true(ok); // re-subscribed: the reply came back
  GstStructure *stats = nullptr;
  g_object_get(streaming.src(), "stats", &stats, nullptr);
  guint reconnects = 0;
  g_assert_true(gst_structure_get_uint(stats, "reconnects", &reconnects));
  g_assert_cmpuint(reconnects, ==, 1);
  gst_structure_free(stats);
  assert_no_errors(pipeline);
}

// Run with GST_DEBUG=*:9 and GST_DEBUG_FILE set (meson does): no secret of
// the user's may appear in the log, at any level.
void test_no_secrets_in_logs() {
  const char *log_path = g_getenv("GST_DEBUG_FILE");
  if (!log_path || g_strcmp0(g_getenv("GST_DEBUG"), "*:9") != 0)
    g_error("run with GST_DEBUG=*:9 and GST_DEBUG_FILE (meson test does)");
  Testbed testbed({true, true, {}}); // with a TURN relay: its credentials are secrets too
  const TestAccount &a = testbed.account();
  // Properties set directly: gst-launch's parser logs pipeline descriptions.
  Pipeline pipeline("roborocksrc name=src ! decodebin ! fakesink name=out "
                    "audiotestsrc is-live=true ! src.talkback");
  g_object_set(pipeline.element("src"), "mqtt-url", testbed.broker_url().c_str(), "tls-ca-file",
               testbed.ca_file().c_str(), "rriot-u", a.u.c_str(), "rriot-s", a.s.c_str(), "rriot-k",
               a.k.c_str(), "duid", a.duid.c_str(), "local-key", a.local_key.c_str(), "password",
               a.pattern.c_str(), nullptr);
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  // Decoded frames prove the whole session ran (login, commands, TURN, media).
  // Logging everything at level 9 makes decoding crawl, and slower still on
  // a busy machine: a few frames are enough, with time to spare.
  wait_buffers(pipeline, video, 3, 60000);
  gboolean ok = FALSE;
  g_signal_emit_by_name(pipeline.element("src"), "rc-start", &ok);
  pipeline.set_state(GST_STATE_NULL);

  gchar *log = nullptr;
  gsize size = 0;
  g_assert_true(g_file_get_contents(log_path, &log, &size, nullptr));
  g_test_message("searched %zu MB of level-9 log", size >> 20);
  g_assert_cmpuint(size, >, 100000); // the log really was written
  g_autofree char *escaped_turn_password =
      g_uri_escape_string(Testbed::kTurnPassword, nullptr, FALSE);
  std::string secrets[] = {a.local_key,
                           a.s,
                           a.k,
                           a.pattern,
                           a.mqtt_password,
                           roborock::md5_hex(a.pattern),
                           Testbed::kTurnPassword,
                           escaped_turn_password};
  for (const std::string &secret : secrets)
    if (memmem(log, size, secret.data(), secret.size()))
      g_error("a secret (%zu characters) appears in the debug log", secret.size());
  g_free(log);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings();
  g_test_add_func("/element/decodebin-autolink", test_decodebin_autolink);
  g_test_add_func("/element/named-pads-with-audio", test_named_pads_with_audio);
  g_test_add_func("/element/audio-off", test_audio_off);
  g_test_add_func("/element/audio-only", test_audio_only);
  g_test_add_func("/element/audio-never-flows", test_audio_never_flows);
  g_test_add_func("/element/start-timestamps", test_start_timestamps);
  g_test_add_func("/element/candidates-in-answer", test_candidates_in_answer);
  g_test_add_func("/element/relay-only", test_relay_only);
  g_test_add_func("/element/quality-switch", test_quality_switch);
  g_test_add_func("/element/talkback", test_talkback);
  g_test_add_func("/element/no-talkback-is-recvonly", test_no_talkback_is_recvonly);
  g_test_add_func("/element/idle-talkback", test_idle_talkback);
  g_test_add_func("/element/remote-control-signals", test_remote_control_signals);
  g_test_add_func("/element/navigation-keys", test_navigation_keys);
  g_test_add_func("/element/navigation-wasd-combined", test_navigation_wasd_combined);
  g_test_add_func("/element/video-pad-guarantees", test_video_pad_guarantees);
  g_test_add_func("/element/splitmuxsink-recording", test_splitmuxsink_recording);
  g_test_add_func("/element/playbin-uri", test_playbin_uri);
  g_test_add_func("/element/uri-handling", test_uri_handling);
  g_test_add_func("/element/duid-by-name-default-file", test_duid_by_name_default_file);
  g_test_add_func("/element/playbin-uri-by-name", test_playbin_uri_by_name);
  g_test_add_func("/element/device-provider", test_device_provider);
  g_test_add_func("/element/error-missing-credentials", test_error_missing_credentials);
  g_test_add_func("/element/error-wrong-pattern", test_error_wrong_pattern);
  g_test_add_func("/element/rejected-pattern-remembered", test_rejected_pattern_remembered);
  g_test_add_func("/element/error-busy", test_error_busy);
  g_test_add_func("/element/error-broker-down", test_error_broker_down);
  g_test_add_func("/element/error-broker-refuses", test_error_broker_refuses);
  g_test_add_func("/element/stats", test_stats);
  g_test_add_func("/element/handlers-call-back", test_handlers_call_back);
  g_test_add_func("/element/junk-frames", test_junk_frames);
  g_test_add_func("/element/secrets-masked", test_secrets_masked);
  g_test_add_func("/element/client-id-across-processes", test_client_id_across_processes);
  g_test_add_func("/element/broker-restart", test_broker_restart);
  g_test_add_func("/element/no-secrets-in-logs", test_no_secrets_in_logs);
  return g_test_run();
}
