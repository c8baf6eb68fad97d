// SPDX-License-Identifier: LGPL-2.1-or-later
// roborocksrc against the simulator behaving as real robots do (each case one
// of roborock-sim's real-robot switches; docs/protocol.md says where each
// behaviour comes from). The whole suite also runs against the --real
// preset; these cases pin each behaviour down on its own.
#include <regex>

#include "element_fixture.h"

using namespace roborock::test;
using namespace roborock::testbed;

namespace {

// The params of the `method` commands the robot saw, as JSON text.
// The order in which the robot saw the commands.
std::vector<std::string> command_order(const Testbed &testbed) {
  std::vector<std::string> out;
  for (auto &event : testbed.events_named("command"))
    out.push_back(event_string(event, "method"));
  return out;
}

size_t index_of(const std::vector<std::string> &list, const char *item) {
  for (size_t i = 0; i < list.size(); i++)
    if (list[i] == item)
      return i;
  g_error("%s never sent", item);
}

std::string without_password(const Testbed &testbed) {
  std::string line = source(testbed);
  std::string password = " password=" + testbed.account().pattern;
  line.erase(line.find(password), password.size());
  return line;
}

const char *kVideoOnly = " ! decodebin ! videoconvert ! fakesink name=out";

// 1. TURN only after the preview; "retry" in all its forms is asked again,
// and the element's relay carries candidates.
void test_turn_after_preview() {
  Testbed testbed({true, true, {"--turn-after-preview", "--turn-retries=3"}});
  Streaming streaming(testbed, "", kVideoOnly, 10);
  auto order = command_order(testbed);
  g_assert_cmpuint(index_of(order, "start_camera_preview"), <, index_of(order, "get_turn_server"));
  g_assert_cmpuint(testbed.count_commands("get_turn_server"), ==, 4); // 3 x retry, then TURN
  g_assert_cmpuint(index_of(order, "send_sdp_to_robot"), >, index_of(order, "get_turn_server"));
  bool relay = false;
  for (auto &candidate : testbed.events_named("remote-candidate"))
    relay = relay || strstr(event_string(candidate, "candidate"), "typ relay");
  g_assert_true(relay); // the element allocated on the robot's relay
  for (GstMessage *message : streaming.pipeline.messages())
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING)
      g_error("unexpected warning: %s", parse_error(message).text.c_str());
}

// 2. Robot candidates tagged for m-line 1 (mid "1") still connect under BUNDLE.
void test_candidates_for_second_mline() {
  Testbed testbed({true, false, {"--candidate-mline=1"}});
  Streaming streaming(testbed, "", kVideoOnly, 10);
  assert_no_errors(streaming.pipeline);
}

// 3. The offer as real robots answer it; a strict robot streams video, its
// audio and talk-back, all at once.
void test_offer_form() {
  Testbed testbed({true, false, {"--strict-offer", "--voice-chat-flags"}});
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! queue ! opusdec ! fakesink name=aout"
                      " audiotestsrc is-live=true wave=sine freq=600 volume=0.5 ! src.talkback",
                      10);
  PadProbe audio;
  attach(audio, streaming.pipeline, "aout");
  wait_buffers(streaming.pipeline, audio, 20);
  auto voice = testbed.command_params("start_voice_chat");
  g_assert_cmpstr(voice.back().c_str(), ==, "{\"record\":true,\"play\":true}");
  auto offers = testbed.events_named("offer");
  g_assert_cmpuint(offers.size(), ==, 1);
  g_assert_cmpstr(event_string(offers[0], "mids"), ==, "0,1");
  g_assert_cmpstr(event_string(offers[0], "ports"), ==, "9,9");
  g_assert_cmpstr(event_string(offers[0], "bundle"), ==, "0 1");
  g_assert_false(
      json_object_get_boolean_member(json_node_get_object(offers[0].get()), "bundle_only"));
  // With talk-back: Opus only (what the chain encodes); see pcmu-answer.
  g_assert_cmpstr(event_string(offers[0], "audio_codecs"), ==, "OPUS/48000/2");
  g_assert_nonnull(strstr(event_string(offers[0], "opus_fmtp"), "minptime=10;useinbandfec=1"));
  g_assert_true(streaming.pipeline.wait_until(
      [&] {
        for (auto &event : testbed.events_named("talkback"))
          if (event_number(event, "frames") >= 50 && event_number(event, "rms_db") > -20)
            return true;
        return false;
      },
      10000));
  assert_no_errors(streaming.pipeline);
}

// 3. A robot that answers PCMU: the audio pad carries mu-law.
void test_pcmu_answer() {
  Testbed testbed({true, false, {"--audio-codec=PCMU"}});
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! queue ! mulawdec ! fakesink name=aout",
                      5);
  PadProbe audio;
  attach(audio, streaming.pipeline, "aout");
  wait_buffers(streaming.pipeline, audio, 20);
  g_assert_cmpint(audio.rate(), ==, 8000);
  // Receive-only audio offers Opus first, then G.711, as real clients do.
  auto offers = testbed.events_named("offer");
  g_assert_cmpstr(event_string(offers[0], "audio_codecs"), ==, "OPUS/48000/2,PCMU/8000,PCMA/8000");
  g_assert_nonnull(strstr(event_string(offers[0], "opus_fmtp"), "minptime=10;useinbandfec=1"));
  assert_no_errors(streaming.pipeline);
}

// 4. A linked audio pad asks for the microphone only; talk-back adds play
// and the volume.
void test_voice_chat_record() {
  Testbed testbed({true, false, {"--voice-chat-flags"}});
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! queue ! opusdec ! fakesink name=aout",
                      5);
  PadProbe audio;
  attach(audio, streaming.pipeline, "aout");
  wait_buffers(streaming.pipeline, audio, 20);
  auto voice = testbed.command_params("start_voice_chat");
  g_assert_cmpuint(voice.size(), ==, 1);
  g_assert_cmpstr(voice[0].c_str(), ==, "{\"record\":true,\"play\":false}");
  g_assert_cmpuint(testbed.count_commands("set_voice_chat_volume"), ==, 0);
}

void test_voice_chat_play() {
  Testbed testbed({true, false, {"--voice-chat-flags"}});
  Streaming streaming(testbed, "talkback-volume=35",
                      " src.video ! decodebin ! fakesink name=out"
                      " audiotestsrc is-live=true wave=sine volume=0.5 ! src.talkback",
                      5);
  g_assert_true(streaming.pipeline.wait_until(
      [&] { return testbed.count_commands("set_voice_chat_volume") == 1; }, 5000));
  auto voice = testbed.command_params("start_voice_chat");
  g_assert_cmpuint(voice.size(), ==, 1);
  g_assert_cmpstr(voice[0].c_str(), ==, "{\"record\":false,\"play\":true}");
  auto volume = testbed.command_params("set_voice_chat_volume");
  g_assert_cmpstr(volume[0].c_str(), ==, "{\"volume\":35}");
  g_assert_true(streaming.pipeline.wait_until(
      [&] { return !testbed.events_named("talkback").empty(); }, 5000));
}

// 4. A robot that takes only start_voice_chat []: the element falls back.
void test_voice_chat_list_only() {
  Testbed testbed({true, false, {"--voice-chat-list-only"}});
  Streaming streaming(testbed, "",
                      " src.video ! decodebin ! fakesink name=out"
                      " src.audio ! queue ! opusdec ! fakesink name=aout",
                      5);
  PadProbe audio;
  attach(audio, streaming.pipeline, "aout");
  wait_buffers(streaming.pipeline, audio, 20);
  auto voice = testbed.command_params("start_voice_chat");
  g_assert_cmpuint(voice.size(), ==, 2);
  g_assert_cmpstr(voice[1].c_str(), ==, "[]");
}

// 5. Only "ok" is success: anything else ends before the pattern goes again.
void test_password_result_not_ok() {
  Testbed testbed({true, false, {"--password-result=[\"fail\"]"}});
  Pipeline pipeline(source(testbed) + kVideoOnly);
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "did not confirm");
  g_usleep(500 * 1000);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 0);
}

// 5. The robot's refusals, explained.
void test_preview_refusals() {
  struct Case {
    const char *flag;
    gint code;
    const char *text;
  } cases[] = {
      {"--preview-error=-101:robot is charging", GST_RESOURCE_ERROR_OPEN_READ, "dock"},
      {"--preview-error=-116:emptying dust bin", GST_RESOURCE_ERROR_OPEN_READ, "dust bin"},
      {"--preview-error=-106:password errors too frequent", GST_RESOURCE_ERROR_NOT_AUTHORIZED,
       "locked"},
      {"--preview-error=-42:odd state", GST_RESOURCE_ERROR_FAILED, "refused to start the camera"},
  };
  for (const Case &c : cases) {
    Testbed testbed({true, false, {c.flag}});
    Pipeline pipeline(source(testbed) + kVideoOnly);
    pipeline.set_state(GST_STATE_PLAYING);
    assert_error(pipeline, GST_RESOURCE_ERROR, c.code, c.text);
    g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1);
  }
}

// 5. "too frequent": one more try a second later, which works.
void test_preview_too_frequent_once() {
  // With TURN after the preview, the TURN retries run while the preview retry
  // waits: neither may cancel the other.
  Testbed testbed(
      {true, false, {"--preview-error=-115:operation too frequent:1", "--turn-after-preview"}});
  Streaming streaming(testbed, "", kVideoOnly, 5);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 2);
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 1);
}

// 6. A robot without a pattern streams with no password set.
void test_no_pattern() {
  Testbed testbed({true, false, {"--no-pattern"}});
  Pipeline pipeline(without_password(testbed) + kVideoOnly);
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 5);
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 0);
  auto viewers = testbed.events_named("viewer");
  g_assert_true(
      json_object_get_boolean_member(json_node_get_object(viewers[0].get()), "password_empty"));
}

// 6. A robot with a pattern, and none set: the error says one is needed.
void test_pattern_needed() {
  Testbed testbed;
  Pipeline pipeline(without_password(testbed) + kVideoOnly);
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED,
               "needs its pattern");
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1);
}

// 7. An error reply and a missed reply while polling are not fatal.
void test_flaky_polls() {
  Testbed testbed({true, false, {"--flaky-polls"}});
  Streaming streaming(testbed, "", kVideoOnly, 5);
  assert_no_errors(streaming.pipeline);
}

// 7. A docked robot ("retry" for ever): a clear error naming the dock, within
// the setup deadline (timeout=3: 20 s).
void test_docked() {
  Testbed testbed({true, false, {"--docked"}});
  Pipeline pipeline(source(testbed) + kVideoOnly);
  gint64 start = g_get_monotonic_time();
  pipeline.set_state(GST_STATE_PLAYING);
  assert_error(pipeline, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ, "dock", 25000);
  g_assert_cmpint(g_get_monotonic_time() - start, <, 22 * G_USEC_PER_SEC);
}

// 8. Remote control as real robots take it: moves as a one-element list.
void test_rc_list_params() {
  Testbed testbed({true, false, {"--rc-list-params"}});
  Streaming streaming(testbed, "", kVideoOnly, 5);
  gboolean ok = FALSE;
  g_signal_emit_by_name(streaming.src(), "rc-start", &ok);
  g_assert_true(ok);
  g_signal_emit_by_name(streaming.src(), "rc-move", 0.2, 0.0, 500u, &ok);
  g_assert_true(ok);
  g_assert_true(streaming.pipeline.wait_until(
      [&] { return testbed.events_named("rc-move").size() == 1; }, 3000));
  g_signal_emit_by_name(streaming.src(), "rc-stop", &ok);
  g_assert_true(ok);
  g_assert_cmpuint(testbed.count_commands("app_rc_end"), ==, 1);
  assert_no_errors(streaming.pipeline);
}

// 9. The default client id: 8 hex characters, stable; a stale session of
// ours is ended by name and the slot re-checked until free.
void test_client_id_and_stale_session() {
  std::string id;
  {
    Testbed probe;
    std::string line = source(probe);
    line.erase(line.find(" client-id=element-test"), strlen(" client-id=element-test"));
    Pipeline pipeline(line + kVideoOnly);
    PadProbe video;
    attach(video, pipeline, "out");
    pipeline.set_state(GST_STATE_PLAYING);
    wait_buffers(pipeline, video, 3);
    id = event_string(probe.events_named("viewer").front(), "client_id");
  }
  g_assert_true(std::regex_match(id, std::regex("[0-9a-f]{8}")));
  Testbed testbed(
      {true, false, {"--viewer=" + id, "--stop-needs-client-id", "--slow-release=800"}});
  std::string line = source(testbed);
  line.replace(line.find("client-id=element-test"), strlen("client-id=element-test"),
               "client-id=" + id);
  Pipeline pipeline(line + kVideoOnly);
  PadProbe video;
  attach(video, pipeline, "out");
  pipeline.set_state(GST_STATE_PLAYING);
  wait_buffers(pipeline, video, 3);
  auto stop = testbed.command_params("stop_camera_preview");
  std::string expected_stop = "{\"client_id\":\"" + id + "\"}";
  g_assert_cmpstr(stop[0].c_str(), ==, expected_stop.c_str());
  g_assert_cmpuint(testbed.count_commands("get_homesec_connect_status"), >=, 3);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1); // never refused
  pipeline.set_state(GST_STATE_READY);
  // The stop at the end named us too, and freed the robot.
  auto stops = testbed.events_named("stop-preview");
  g_assert_true(json_object_get_boolean_member(json_node_get_object(stops.back().get()), "ended"));
}

// 10. MIME base64 without padding, and frames with bytes after the payload.
void test_tolerant_decoding() {
  Testbed testbed({true, false, {"--mime-base64", "--trailing-bytes", "--duplicate-replies"}});
  Streaming streaming(testbed, "", kVideoOnly, 10);
  assert_no_errors(streaming.pipeline);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings();
  g_test_add_func("/real/turn-after-preview", test_turn_after_preview);
  g_test_add_func("/real/candidates-for-second-mline", test_candidates_for_second_mline);
  g_test_add_func("/real/offer-form", test_offer_form);
  g_test_add_func("/real/pcmu-answer", test_pcmu_answer);
  g_test_add_func("/real/voice-chat-record", test_voice_chat_record);
  g_test_add_func("/real/voice-chat-play", test_voice_chat_play);
  g_test_add_func("/real/voice-chat-list-only", test_voice_chat_list_only);
  g_test_add_func("/real/password-result-not-ok", test_password_result_not_ok);
  g_test_add_func("/real/preview-refusals", test_preview_refusals);
  g_test_add_func("/real/preview-too-frequent-once", test_preview_too_frequent_once);
  g_test_add_func("/real/no-pattern", test_no_pattern);
  g_test_add_func("/real/pattern-needed", test_pattern_needed);
  g_test_add_func("/real/flaky-polls", test_flaky_polls);
  g_test_add_func("/real/docked", test_docked);
  g_test_add_func("/real/rc-list-params", test_rc_list_params);
  g_test_add_func("/real/client-id-and-stale-session", test_client_id_and_stale_session);
  g_test_add_func("/real/tolerant-decoding", test_tolerant_decoding);
  return g_test_run();
}
