// SPDX-License-Identifier: LGPL-2.1-or-later
// The camera session against the robot simulator, through a real TLS broker
// with ACLs, with a plain webrtcbin peer decoding real media.
#include <memory>
#include <set>

#include <gst/gst.h>

#include <future>

#include "camera_session.h"
#include "rpc_client.h"
#include "test_macros.h"
#include "testbed.h"
#include "webrtc_peer.h"

using namespace roborock;
using namespace roborock::test;
using namespace roborock::testbed;

namespace {

constexpr const char *kClientId = "session-test-client";

CameraSessionConfig make_config(const Testbed &testbed) {
  CameraSessionConfig config;
  config.broker = *parse_broker_url(testbed.broker_url());
  config.ca_file = testbed.ca_file();
  config.rriot_u = testbed.account().u;
  config.rriot_s = testbed.account().s;
  config.rriot_k = testbed.account().k;
  config.duid = testbed.account().duid;
  config.local_key = testbed.account().local_key;
  config.pattern_password = testbed.account().pattern;
  config.client_id = kClientId;
  config.command_timeout_ms = 3000;
  config.negotiation_timeout_ms = 20000;
  return config;
}

// A session and its media peer, torn down in the safe order: the session
// stops (no more callbacks), then the peer's pipeline, then the session.
struct Run {
  std::unique_ptr<WebrtcPeer> peer;
  std::unique_ptr<CameraSession> session;
  gint64 started_us = 0;

  Run(const CameraSessionConfig &config, WebrtcPeer::Options options = {})
      : peer(std::make_unique<WebrtcPeer>(options)),
        session(std::make_unique<CameraSession>(config, peer.get())) {
    peer->attach(session.get());
    started_us = g_get_monotonic_time();
    session->start();
  }
  ~Run() {
    session->stop();
    peer.reset();
    session.reset();
  }
  bool has_state(SessionState state) const {
    for (SessionState seen : peer->states())
      if (seen == state)
        return true;
    return false;
  }
  // The first fatal error, waiting for it.
  Error wait_fatal(const Testbed &testbed, unsigned timeout_ms = 15000) {
    if (!testbed.wait_until([this] { return !peer->errors(true).empty(); }, timeout_ms))
      g_error("no fatal error within %u ms", timeout_ms);
    return peer->errors(true).front();
  }
  void wait_frames(const Testbed &testbed, int frames) {
    if (!testbed.wait_until(
            [&] { return peer->decoded_video_frames() >= frames || !peer->errors(true).empty(); },
            20000) ||
        peer->decoded_video_frames() < frames) {
      auto errors = peer->errors(false);
      g_error("only %d frames decoded; %s", peer->decoded_video_frames(),
              errors.empty() ? "no error" : errors.front().message.c_str());
    }
  }
};

void assert_code(const Error &error, ErrorCode expected) {
  if (error.code != expected)
    g_error("got %s (%s), expected %s", error_code_name(error.code), error.message.c_str(),
            error_code_name(expected));
}

// The params of the first `method` command the robot saw, as JSON text.
std::string first_params(const Testbed &testbed, const char *method) {
  auto params = testbed.command_params(method);
  if (params.empty())
    g_error("the robot never saw %s", method);
  return params.front();
}

void test_full_flow() {
  Testbed testbed({true, true, {}}); // with a TURN relay, as the cloud gives one
  {
    CameraSessionConfig config = make_config(testbed);
    config.voice_record = true; // the robot's audio is wanted
    Run run(config);
    run.wait_frames(testbed, 15);
    g_assert_true(run.session->state() == SessionState::Streaming);
    g_test_message("first decoded frame %.0f ms after session start",
                   (run.peer->first_frame_time_us() - run.started_us) / 1000.0);
    // The protocol, as the robot saw it.
    g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 1);
    g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1);
    // One request, plus one more for each "retry" the robot answered.
    g_assert_cmpuint(testbed.count_commands("get_turn_server"), ==,
                     1 + testbed.events_named("turn-retry").size());
    g_assert_cmpuint(testbed.count_commands("send_sdp_to_robot"), ==, 1);
    g_assert_cmpuint(testbed.count_commands("get_device_sdp"), >=, 3); // 2 retries, then the answer
    g_assert_cmpuint(testbed.count_commands("send_ice_to_robot"), >=, 1);
    g_assert_cmpuint(testbed.count_commands("start_voice_chat"), ==, 1);
    std::string voice = first_params(testbed, "start_voice_chat");
    g_assert_cmpstr(voice.c_str(), ==, "{\"record\":true,\"play\":false}");
    // Robot audio flows once voice chat is on.
    g_assert_true(testbed.wait_until([&] { return run.peer->decoded_audio_buffers() > 10; }, 5000));
    std::vector<SessionState> expected = {SessionState::Connecting, SessionState::Authenticating,
                                          SessionState::Negotiating, SessionState::Streaming};
    g_assert_true(run.peer->states() == expected);
    g_assert_true(run.peer->errors(false).empty());
  }
  // Stopping ended our preview on the robot, naming us.
  g_assert_cmpuint(testbed.count_commands("stop_camera_preview"), ==, 1);
  std::string stop = first_params(testbed, "stop_camera_preview");
  std::string expected_stop = std::string("{\"client_id\":\"") + kClientId + "\"}";
  g_assert_cmpstr(stop.c_str(), ==, expected_stop.c_str());
  auto viewers = testbed.events_named(
      "viewer", [](JsonObject *event) { return !json_object_get_boolean_member(event, "active"); });
  g_assert_cmpuint(viewers.size(), ==, 1);
}

void test_wrong_pattern() {
  Testbed testbed;
  CameraSessionConfig config = make_config(testbed);
  config.pattern_password = "1111";
  Run run(config);
  Error error = run.wait_fatal(testbed);
  assert_code(error, ErrorCode::WrongPassword);
  g_assert_nonnull(strstr(error.message.c_str(), "not retried"));
  g_usleep(1500 * 1000); // nothing else may follow
  g_assert_cmpuint(testbed.count_commands("check_homesec_password"), ==, 1);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 0);
  g_assert_cmpuint(testbed.count_commands("stop_camera_preview"), ==, 0);
  g_assert_cmpuint(testbed.events_named("password").size(), ==, 1);
  g_assert_true(run.session->state() == SessionState::Failed);
}

void test_busy_from_status() {
  Testbed testbed({true, false, {"--viewer=phone-app-123"}});
  Run run(make_config(testbed));
  Error error = run.wait_fatal(testbed);
  assert_code(error, ErrorCode::CameraBusy);
  g_assert_nonnull(strstr(error.message.c_str(), "phone-app-123"));
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 0);
  g_assert_cmpuint(testbed.count_commands("stop_camera_preview"), ==, 0); // never end theirs
}

void test_busy_from_preview() {
  // Without the status check the robot's refusal of start_camera_preview says it.
  Testbed testbed({true, false, {"--viewer=phone-app-123"}});
  CameraSessionConfig config = make_config(testbed);
  config.end_stale_session = false;
  Run run(config);
  assert_code(run.wait_fatal(testbed), ErrorCode::CameraBusy);
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1);
  g_usleep(500 * 1000);
  g_assert_cmpuint(testbed.count_commands("stop_camera_preview"), ==, 0);
}

void test_stale_own_session_ended() {
  Testbed testbed({true, false, {std::string("--viewer=") + kClientId}});
  Run run(make_config(testbed));
  run.wait_frames(testbed, 5);
  auto stops = testbed.events_named("command", [](JsonObject *event) {
    return g_strcmp0(json_object_string(event, "method"), "stop_camera_preview") == 0;
  });
  g_assert_cmpuint(stops.size(), ==, 1);
  JsonObject *params =
      json_object_get_object_member(json_node_get_object(stops[0].get()), "params");
  g_assert_cmpstr(json_object_string(params, "client_id"), ==, kClientId);
}

void test_silent_robot() {
  Testbed testbed({true, false, {"--silent=check_homesec_password"}});
  Run run(make_config(testbed));
  Error error = run.wait_fatal(testbed, 10000);
  assert_code(error, ErrorCode::RobotTimeout);
  ASSERT_STR_EQ(error.method, "check_homesec_password");
  g_assert_nonnull(strstr(error.message.c_str(), "3 s"));
}

void test_malformed_replies() {
  Testbed testbed({true, false, {"--malformed=check_homesec_password"}});
  Run run(make_config(testbed));
  Error error = run.wait_fatal(testbed, 10000);
  assert_code(error, ErrorCode::RobotTimeout); // broken frames are dropped, not believed
  ASSERT_STR_EQ(error.method, "check_homesec_password");
  g_assert_cmpuint(testbed.events_named("malformed-replies").size(), ==, 1);
}

void test_broker_refuses_credentials() {
  Testbed testbed;
  CameraSessionConfig config = make_config(testbed);
  config.rriot_s = "not-the-secret";
  Run run(config);
  Error error = run.wait_fatal(testbed);
  assert_code(error, ErrorCode::BrokerNotAuthorized);
  g_assert_nonnull(strstr(error.message.c_str(), "not authorized"));
  g_usleep(3000 * 1000); // a reconnect storm would show now
  g_assert_cmpuint(testbed.broker_log_count("not authorised"), ==, 1);
}

void test_broker_down() {
  Testbed testbed({false, false, {}});
  CameraSessionConfig config = make_config(testbed);
  config.broker = *parse_broker_url(testbed.dead_broker_url());
  gint64 start = g_get_monotonic_time();
  Run run(config);
  Error error = run.wait_fatal(testbed, 5000);
  assert_code(error, ErrorCode::BrokerUnreachable);
  g_assert_nonnull(strstr(error.message.c_str(), testbed.dead_broker_url().c_str()));
  g_test_message("broker-down error after %.0f ms", (g_get_monotonic_time() - start) / 1000.0);
}

void test_untrusted_certificate() {
  // TLS verification is on: a broker whose CA we do not trust is refused.
  Testbed testbed({false, false, {}});
  CameraSessionConfig config = make_config(testbed);
  config.ca_file = ""; // the system store does not know our test CA
  Run run(config);
  Error error = run.wait_fatal(testbed, 8000);
  assert_code(error, ErrorCode::BrokerUnreachable);
  g_assert_nonnull(strstr(error.message.c_str(), "CN=roborock test broker"));
  g_assert_nonnull(strstr(error.message.c_str(), "not signed by a trusted CA"));
  g_assert_cmpuint(testbed.broker_log_count("New client connected"), ==, 0);
}

// A trusted CA, but the certificate names another host: refused, naming
// what the certificate says.
void test_certificate_for_another_host() {
  TestbedOptions options;
  options.start_simulator = false;
  options.broker_certificate_name = "other-broker.test";
  Testbed testbed(options);
  Run run(make_config(testbed));
  Error error = run.wait_fatal(testbed, 8000);
  assert_code(error, ErrorCode::BrokerUnreachable);
  g_test_message("%s", error.message.c_str());
  g_assert_nonnull(strstr(error.message.c_str(), "DNS:other-broker.test"));
  g_assert_nonnull(strstr(error.message.c_str(), "does not name 10.203.0.1"));
  g_assert_cmpuint(testbed.broker_log_count("New client connected"), ==, 0);
}

void test_duplicate_ice_and_replies() {
  // Flaky polls would connect the media before any candidate list arrives.
  Testbed testbed({true, false, {"--ice-duplicates", "--duplicate-replies", "--no-flaky-polls"}});
  CameraSessionConfig config = make_config(testbed);
  config.voice_record = true; // so a duplicate reply could repeat start_voice_chat
  Run run(config);
  run.wait_frames(testbed, 5);
  auto lists = testbed.events_named("ice-list");
  g_assert_cmpuint(lists.size(), >=, 1);
  // Every list had each candidate twice; each reached the peer once.
  size_t unique = 0;
  for (auto &list : lists)
    unique = std::max(unique, size_t(event_number(list, "candidates")));
  g_assert_cmpuint(run.peer->remote_candidates(), <=, unique);
  g_assert_cmpuint(run.peer->remote_candidates(), >=, 1);
  // Each reply came twice; every step it triggers happened once.
  g_assert_true(
      testbed.wait_until([&] { return testbed.count_commands("start_voice_chat") >= 1; }, 5000));
  g_usleep(500 * 1000); // a second start_voice_chat would arrive now
  g_assert_cmpuint(testbed.count_commands("start_camera_preview"), ==, 1);
  g_assert_cmpuint(testbed.count_commands("send_sdp_to_robot"), ==, 1);
  g_assert_cmpuint(testbed.count_commands("start_voice_chat"), ==, 1);
}

void test_many_sdp_retries() {
  Testbed testbed({true, false, {"--sdp-retries=25"}});
  Run run(make_config(testbed));
  run.wait_frames(testbed, 5);
  g_assert_cmpuint(testbed.count_commands("get_device_sdp"), >=, 26);
  g_test_message("first frame after %.0f ms with 25 retry polls",
                 (run.peer->first_frame_time_us() - run.started_us) / 1000.0);
}

void test_answer_never_ready() {
  Testbed testbed({true, false, {"--sdp-retries=100000"}});
  CameraSessionConfig config = make_config(testbed);
  config.negotiation_timeout_ms = 4000;
  Run run(config);
  Error error = run.wait_fatal(testbed, 10000);
  // Only "retry" came: the robot never produced its answer, as on its dock.
  assert_code(error, ErrorCode::RobotUnavailable);
  g_assert_nonnull(strstr(error.message.c_str(), "get_device_sdp"));
  g_assert_nonnull(strstr(error.message.c_str(), "dock"));
}

void test_relay_only() {
  TestbedOptions options;
  options.start_turn = true;
  options.relay_only = true; // and no direct path to the robot exists
  Testbed testbed(options);
  Run run(make_config(testbed), WebrtcPeer::Options{true});
  run.wait_frames(testbed, 10);
  std::string types = run.peer->selected_pair_types();
  g_test_message("selected candidate pair: %s", types.c_str());
  g_assert_true(g_str_has_prefix(types.c_str(), "relay"));
  // Every candidate we sent the robot is a relay candidate.
  auto sent = testbed.events_named("remote-candidate");
  g_assert_cmpuint(sent.size(), >=, 1);
  for (auto &candidate : sent)
    g_assert_nonnull(strstr(event_string(candidate, "candidate"), "typ relay"));
}

// The robot's candidates come only in its answer, and it ignores ours: the
// media connects only if the answer's candidates are used.
void test_candidates_in_answer() {
  Testbed testbed({true, false, {"--ice-in-answer"}});
  Run run(make_config(testbed));
  run.wait_frames(testbed, 5);
  g_assert_cmpuint(testbed.events_named("ice-list").size(), ==, 0);
  for (auto &sent : testbed.events_named("remote-candidate"))
    g_assert_true(json_object_get_boolean_member(json_node_get_object(sent.get()), "ignored"));
}

void test_commands_while_streaming() {
  Testbed testbed;
  Run run(make_config(testbed));
  run.wait_frames(testbed, 5);

  struct Outcome {
    std::atomic<int> done{0};
    std::mutex mutex;
    std::vector<std::string> failures;
  } outcome;
  auto record = [&outcome](Result<std::string> result) {
    if (!result) {
      std::lock_guard<std::mutex> lock(outcome.mutex);
      outcome.failures.push_back(result.error().message);
    }
    outcome.done++;
  };
  run.session->rc_start(record);
  run.session->rc_move(0.2, 0.0, 500, record);
  run.session->rc_move(-0.1, 0.53, 400, record);
  run.session->rc_end(record);
  run.session->set_quality(VideoQuality::SD);
  g_assert_true(testbed.wait_until([&] { return outcome.done == 4; }, 5000));
  g_assert_true(outcome.failures.empty());

  auto moves = testbed.events_named("rc-move");
  g_assert_cmpuint(moves.size(), ==, 2);
  g_assert_cmpfloat(event_number(moves[0], "velocity"), ==, 0.2);
  g_assert_cmpfloat(event_number(moves[0], "omega"), ==, 0.0);
  g_assert_cmpfloat(event_number(moves[0], "duration"), ==, 500);
  g_assert_cmpfloat(event_number(moves[1], "velocity"), ==, -0.1);
  g_assert_cmpfloat(event_number(moves[1], "omega"), ==, 0.53);
  g_assert_cmpfloat(event_number(moves[1], "seqnum"), ==, event_number(moves[0], "seqnum") + 1);
  g_assert_true(testbed.wait_until(
      [&] {
        return !testbed
                    .events_named("quality",
                                  [](JsonObject *e) {
                                    return g_strcmp0(json_object_string(e, "quality"), "SD") == 0;
                                  })
                    .empty();
      },
      5000));

  // An unknown command says "not supported", with no crash.
  std::atomic<bool> answered{false};
  ErrorCode code = ErrorCode::Cancelled;
  run.session->send_command("make_coffee", "[]", [&](Result<std::string> result) {
    code = result ? ErrorCode::Cancelled : result.error().code;
    answered = true;
  });
  g_assert_true(testbed.wait_until([&] { return answered.load(); }, 5000));
  g_assert_true(code == ErrorCode::Unsupported);
}

// A command still waiting for the robot when the session stops ends at once
// as Cancelled, not at its timeout: with the account's connection closed
// (the session held the last reference) and with it kept open by another
// holder (here the test, as another session of the account would).
void test_command_cancelled_at_stop() {
  for (bool connection_shared : {false, true}) {
    Testbed testbed({true, false, {"--silent=get_clean_summary"}});
    CameraSessionConfig config = make_config(testbed);
    config.command_timeout_ms = 60000; // far beyond the wait below
    std::shared_ptr<RpcClient> other_holder;
    if (connection_shared) {
      RpcAccount account = make_rpc_account(config.broker, config.ca_file, config.rriot_u,
                                            config.rriot_s, config.rriot_k);
      std::promise<std::shared_ptr<RpcClient>> acquired;
      EventLoop::shared().post(
          [&] { acquired.set_value(RpcClient::acquire(EventLoop::shared(), account)); });
      other_holder = acquired.get_future().get();
    }
    Run run(config);
    run.wait_frames(testbed, 3);
    std::atomic<bool> answered{false};
    Error outcome{ErrorCode::RobotError, "no answer"};
    run.session->send_command("get_clean_summary", "[]", [&](Result<std::string> result) {
      outcome = result ? Error{ErrorCode::RobotError, "answered"} : result.error();
      answered = true;
    });
    g_assert_true(
        testbed.wait_until([&] { return testbed.count_commands("get_clean_summary") == 1; }, 5000));
    run.session->stop();
    g_assert_true(testbed.wait_until([&] { return answered.load(); }, 10000));
    assert_code(outcome, ErrorCode::Cancelled);
    g_assert_nonnull(strstr(outcome.message.c_str(), "get_clean_summary"));
    if (other_holder) {
      std::promise<void> released;
      EventLoop::shared().post([&] {
        other_holder.reset();
        released.set_value();
      });
      released.get_future().wait();
    }
  }
}

// The account's connection closing ends its requests in flight as Cancelled
// (rpc_client.h: every request ends with exactly one callback).
void test_requests_cancelled_when_connection_closes() {
  Testbed testbed({true, false, {"--silent=get_clean_summary"}});
  CameraSessionConfig config = make_config(testbed);
  RpcAccount account = make_rpc_account(config.broker, config.ca_file, config.rriot_u,
                                        config.rriot_s, config.rriot_k);
  std::shared_ptr<RpcClient> client;
  std::atomic<bool> answered{false};
  Error outcome{ErrorCode::RobotError, "no answer"};
  auto on_loop = [](std::function<void()> work) {
    std::promise<void> done;
    EventLoop::shared().post([&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  };
  on_loop([&] {
    client = RpcClient::acquire(EventLoop::shared(), account);
    client->attach_device(config.duid, config.local_key, nullptr);
  });
  g_assert_true(testbed.wait_until(
      [&] {
        std::atomic<bool> connected{false};
        on_loop([&] { connected = client->mqtt().state() == MqttState::Connected; });
        return connected.load();
      },
      10000));
  on_loop([&] {
    client->call(config.duid, "get_clean_summary", "[]", 60000, [&](Result<RpcReply> reply) {
      outcome = reply ? Error{ErrorCode::RobotError, "answered"} : reply.error();
      answered = true;
    });
  });
  g_assert_true(
      testbed.wait_until([&] { return testbed.count_commands("get_clean_summary") == 1; }, 5000));
  on_loop([&] { client.reset(); });
  g_assert_true(testbed.wait_until([&] { return answered.load(); }, 10000));
  assert_code(outcome, ErrorCode::Cancelled);
}

void test_shared_connection() {
  // Two sessions of one account share one MQTT connection; the second finds
  // the camera busy (one viewer at a time).
  Testbed testbed;
  Run first(make_config(testbed));
  first.wait_frames(testbed, 3);
  CameraSessionConfig config = make_config(testbed);
  config.client_id = "second-viewer";
  Run second(config);
  assert_code(second.wait_fatal(testbed), ErrorCode::CameraBusy);
  std::string login = "u'" + testbed.account().mqtt_username + "'";
  g_assert_cmpuint(testbed.broker_log_count(login.c_str()), ==, 1);
  // The first stream is unaffected.
  int frames = first.peer->decoded_video_frames();
  g_assert_true(
      testbed.wait_until([&] { return first.peer->decoded_video_frames() > frames + 5; }, 5000));
}

void test_robot_goes_offline() {
  // Media and signaling stop; commands fail with a timeout, cleanly.
  Testbed testbed({true, false, {"--offline-after=4"}});
  Run run(make_config(testbed));
  run.wait_frames(testbed, 3);
  g_assert_true(testbed.wait_until([&] { return !testbed.events_named("offline").empty(); }, 8000));
  // The media stops: no frame decodes for a second (after the ones in flight).
  g_usleep(300 * 1000);
  int frames = run.peer->decoded_video_frames();
  g_usleep(1000 * 1000);
  g_assert_cmpint(run.peer->decoded_video_frames(), ==, frames);
  std::atomic<bool> answered{false};
  ErrorCode code = ErrorCode::Cancelled;
  run.session->rc_start([&](Result<std::string> result) {
    code = result ? ErrorCode::Cancelled : result.error().code;
    answered = true;
  });
  g_assert_true(testbed.wait_until([&] { return answered.load(); }, 6000));
  assert_code(Error{code, ""}, ErrorCode::RobotTimeout);
}

// The wire format checked by code that shares nothing with ours: the frames
// both ways of a whole session, decoded by tests/integration/independent_v1.py
// (Python's hashlib and zlib, openssl for AES), which first proves itself on
// the golden vectors.
void test_wire_format_independent() {
  Testbed testbed;
  {
    CameraSessionConfig config = make_config(testbed);
    config.voice_record = true;
    Run run(config);
    run.wait_frames(testbed, 5);
    g_assert_true(
        testbed.wait_until([&] { return testbed.count_commands("start_voice_chat") == 1; }, 5000));
  }
  const gchar *argv[] = {"/usr/bin/python3",
                         ROBOROCK_INDEPENDENT_V1,
                         ROBOROCK_VECTORS,
                         testbed.event_log_path().c_str(),
                         testbed.account().local_key.c_str(),
                         nullptr};
  gchar *out = nullptr, *err = nullptr;
  gint status = 0;
  g_assert_true(g_spawn_sync(nullptr, const_cast<gchar **>(argv), nullptr, G_SPAWN_DEFAULT, nullptr,
                             nullptr, &out, &err, &status, nullptr));
  g_test_message("%s%s", out, err);
  g_assert_true(g_spawn_check_wait_status(status, nullptr));
  g_assert_nonnull(strstr(out, "decoded and matched"));
  g_free(out);
  g_free(err);
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  fatal_warnings(true);
  g_test_add_func("/session/full-flow", test_full_flow);
  g_test_add_func("/session/wrong-pattern", test_wrong_pattern);
  g_test_add_func("/session/busy-from-status", test_busy_from_status);
  g_test_add_func("/session/busy-from-preview", test_busy_from_preview);
  g_test_add_func("/session/stale-own-session", test_stale_own_session_ended);
  g_test_add_func("/session/silent-robot", test_silent_robot);
  g_test_add_func("/session/malformed-replies", test_malformed_replies);
  g_test_add_func("/session/broker-refuses-credentials", test_broker_refuses_credentials);
  g_test_add_func("/session/broker-down", test_broker_down);
  g_test_add_func("/session/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func("/session/certificate-for-another-host", test_certificate_for_another_host);
  g_test_add_func("/session/duplicate-ice-and-replies", test_duplicate_ice_and_replies);
  g_test_add_func("/session/many-sdp-retries", test_many_sdp_retries);
  g_test_add_func("/session/answer-never-ready", test_answer_never_ready);
  g_test_add_func("/session/relay-only", test_relay_only);
  g_test_add_func("/session/candidates-in-answer", test_candidates_in_answer);
  g_test_add_func("/session/commands-while-streaming", test_commands_while_streaming);
  g_test_add_func("/session/shared-connection", test_shared_connection);
  g_test_add_func("/session/command-cancelled-at-stop", test_command_cancelled_at_stop);
  g_test_add_func("/session/requests-cancelled-when-connection-closes",
                  test_requests_cancelled_when_connection_closes);
  g_test_add_func("/session/robot-goes-offline", test_robot_goes_offline);
  g_test_add_func("/session/wire-format-independent", test_wire_format_independent);
  return g_test_run();
}
