// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-sim: a stand-in for a camera-equipped Roborock robot. It connects to
// an MQTT broker as the device, answers the camera commands of the protocol
// reference over V1 frames, and streams real WebRTC media (webrtcbin).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>

#include <glib-unix.h>
#include <gst/gst.h>

#include "event_log.h"
#include "event_loop.h"
#include "log.h"
#include "mqtt_client.h"
#include "sim_media.h"
#include "sim_robot.h"

using namespace roborock;
using namespace roborock::sim;

namespace {

struct Options {
  gchar *broker = nullptr;
  gchar *ca_file = nullptr;
  gchar *username = nullptr;
  gchar *password = nullptr;
  gchar *duid = nullptr;
  gchar *local_key = nullptr;
  gchar *pattern = nullptr;
  gint sdp_retries = 2;
  gint lockout_after = 5;
  gchar *turn_url = nullptr;
  gchar *turn_user = nullptr;
  gchar *turn_password = nullptr;
  gchar *event_log = nullptr;
  gchar **silent = nullptr;
  gchar **malformed = nullptr;
  gchar **delay = nullptr;
  gint delay_ms = 0;
  gboolean duplicate_replies = FALSE;
  gboolean ice_duplicates = FALSE;
  gchar *viewer = nullptr;
  gboolean ice_in_answer = FALSE;
  gdouble offline_after = -1;
  gint framerate = 15;
  gboolean verbose = FALSE;
};

bool parse_options(int &argc, char **&argv, Options &o) {
  GOptionEntry entries[] = {
      {"broker", 0, 0, G_OPTION_ARG_STRING, &o.broker,
       "MQTT broker URL, e.g. ssl://10.203.0.1:8883 (required)", "URL"},
      {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &o.ca_file,
       "CA certificate to verify the broker with (default: system store)", "PATH"},
      {"username", 0, 0, G_OPTION_ARG_STRING, &o.username, "MQTT username of the robot (required)",
       "U"},
      {"password", 0, 0, G_OPTION_ARG_STRING, &o.password, "MQTT password of the robot (required)",
       "P"},
      {"duid", 0, 0, G_OPTION_ARG_STRING, &o.duid, "Device id to serve (required)", "D"},
      {"local-key", 0, 0, G_OPTION_ARG_STRING, &o.local_key,
       "16-character local key of the device (required)", "K"},
      {"pattern", 0, 0, G_OPTION_ARG_STRING, &o.pattern,
       "Pattern password digits viewers must give (required)", "DIGITS"},
      {"sdp-retries", 0, 0, G_OPTION_ARG_INT, &o.sdp_retries,
       "Answer get_device_sdp with \"retry\" this many times first (default 2)", "N"},
      {"lockout-after", 0, 0, G_OPTION_ARG_INT, &o.lockout_after,
       "Lock remote viewing after this many wrong patterns (default 5)", "N"},
      {"turn-url", 0, 0, G_OPTION_ARG_STRING, &o.turn_url,
       "TURN server get_turn_server returns, e.g. turn:10.203.0.1:3478 (default: none)",
       "turn:HOST:PORT"},
      {"turn-user", 0, 0, G_OPTION_ARG_STRING, &o.turn_user, "TURN user get_turn_server returns",
       "U"},
      {"turn-password", 0, 0, G_OPTION_ARG_STRING, &o.turn_password,
       "TURN password get_turn_server returns", "P"},
      {"event-log", 0, 0, G_OPTION_ARG_FILENAME, &o.event_log,
       "Append a JSON-lines log of commands, replies, talk-back and state changes", "PATH"},
      {"silent", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.silent,
       "Fault: never answer this method (repeatable)", "METHOD"},
      {"malformed", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.malformed,
       "Fault: answer this method only with broken frames (repeatable)", "METHOD"},
      {"delay", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.delay,
       "Fault: delay replies to METHOD by MS milliseconds (repeatable)", "METHOD=MS"},
      {"delay-ms", 0, 0, G_OPTION_ARG_INT, &o.delay_ms, "Fault: delay every reply", "MS"},
      {"duplicate-replies", 0, 0, G_OPTION_ARG_NONE, &o.duplicate_replies,
       "Fault: send a reply with an unknown id first, then every reply twice", nullptr},
      {"ice-duplicates", 0, 0, G_OPTION_ARG_NONE, &o.ice_duplicates,
       "Fault: list every ICE candidate twice in get_device_ice", nullptr},
      {"viewer", 0, 0, G_OPTION_ARG_STRING, &o.viewer,
       "Start with another client already viewing (camera busy)", "CLIENT_ID"},
      {"ice-in-answer", 0, 0, G_OPTION_ARG_NONE, &o.ice_in_answer,
       "Also list ICE candidates in the answer SDP", nullptr},
      {"offline-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.offline_after,
       "Fault: drop offline (stop media, leave the broker) after SECONDS", "SECONDS"},
      {"framerate", 0, 0, G_OPTION_ARG_INT, &o.framerate, "Video frames per second (default 15)",
       "FPS"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Log signaling details to stderr",
       nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  GOptionContext *context = g_option_context_new("- simulate a camera-equipped Roborock robot");
  g_option_context_set_summary(
      context, "Connects to an MQTT broker as the device DUID, answers the camera commands\n"
               "(check_homesec_password, start_camera_preview, SDP/ICE exchange, voice chat,\n"
               "quality, remote control) and streams a live H.264 test picture and an Opus tone\n"
               "over WebRTC. Prints \"roborock-sim: ready\" once subscribed.");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_add_group(context, gst_init_get_option_group());
  GError *error = nullptr;
  bool ok = g_option_context_parse(context, &argc, &argv, &error);
  if (!ok) {
    fprintf(stderr, "roborock-sim: %s\n", error->message);
    g_error_free(error);
  }
  g_option_context_free(context);
  if (!ok)
    return false;
  struct {
    const char *name;
    gchar *value;
  } required[] = {{"--broker", o.broker}, {"--username", o.username},   {"--password", o.password},
                  {"--duid", o.duid},     {"--local-key", o.local_key}, {"--pattern", o.pattern}};
  for (auto &option : required) {
    if (!option.value || !*option.value) {
      fprintf(stderr, "roborock-sim: %s is required (see --help)\n", option.name);
      return false;
    }
  }
  return true;
}

RobotConfig robot_config(const Options &o) {
  RobotConfig config;
  config.duid = o.duid;
  config.local_key = o.local_key;
  config.pattern = o.pattern;
  config.sdp_retries = unsigned(std::max(0, o.sdp_retries));
  config.lockout_after = unsigned(std::max(1, o.lockout_after));
  config.turn_url = o.turn_url ? o.turn_url : "";
  config.turn_user = o.turn_user ? o.turn_user : "";
  config.turn_password = o.turn_password ? o.turn_password : "";
  config.preset_viewer = o.viewer ? o.viewer : "";
  for (gchar **m = o.silent; m && *m; m++)
    config.silent_to.insert(*m);
  for (gchar **m = o.malformed; m && *m; m++)
    config.malformed_for.insert(*m);
  for (gchar **d = o.delay; d && *d; d++) {
    const char *equals = strchr(*d, '=');
    if (equals)
      config.delay_ms_for[std::string(*d, size_t(equals - *d))] = unsigned(atoi(equals + 1));
  }
  config.delay_ms = unsigned(std::max(0, o.delay_ms));
  config.duplicate_replies = o.duplicate_replies;
  config.ice_duplicates = o.ice_duplicates;
  return config;
}

GMainLoop *main_loop = nullptr;
int exit_status = 0;

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parse_options(argc, argv, options))
    return 2;
  if (!options.verbose)
    set_log_handler([](LogLevel level, const std::string &message) {
      if (level <= LogLevel::Warning)
        fprintf(stderr, "roborock-sim: %s\n", message.c_str());
    });

  auto broker = parse_broker_url(options.broker);
  if (!broker) {
    fprintf(stderr, "roborock-sim: %s\n", broker.error().message.c_str());
    return 2;
  }
  EventLog log;
  if (!log.open(options.event_log ? options.event_log : "")) {
    fprintf(stderr, "roborock-sim: cannot open %s\n", options.event_log);
    return 2;
  }

  main_loop = g_main_loop_new(nullptr, FALSE);
  EventLoop &loop = EventLoop::shared();
  SimMedia media(log, MediaOptions{bool(options.ice_in_answer), std::max(1, options.framerate)});

  MqttClientConfig mqtt_config;
  mqtt_config.broker = *broker;
  mqtt_config.ca_file = options.ca_file ? options.ca_file : "";
  mqtt_config.username = options.username;
  mqtt_config.password = options.password;
  mqtt_config.client_id = std::string("rr-sim-") + std::string(options.duid).substr(0, 15);
  std::shared_ptr<MqttClient> mqtt;
  std::unique_ptr<SimRobot> robot;
  Timer talkback_report, offline_timer;

  std::string filter = std::string("rr/m/i/+/+/") + options.duid;
  loop.post([&] {
    mqtt = MqttClient::create(loop, mqtt_config);
    robot = std::make_unique<SimRobot>(
        loop, robot_config(options), log, media,
        [&mqtt](const std::string &topic, const std::vector<uint8_t> &bytes) {
          mqtt->publish(topic, bytes);
        });
    mqtt->add_state_handler([&log](MqttState state, const Error *error) {
      log.write(EventLog::begin("mqtt").add_string("state", mqtt_state_name(state)));
      if (state == MqttState::Failed) {
        fprintf(stderr, "roborock-sim: %s\n", error ? error->message.c_str() : "broker failed");
        exit_status = 1;
        g_main_loop_quit(main_loop);
      }
    });
    mqtt->subscribe(
        filter,
        [&robot](const std::string &topic, const uint8_t *data, size_t size) {
          robot->on_request_frame(topic, data, size);
        },
        [&log, &options] {
          log.write(EventLog::begin("ready").add_string("duid", options.duid));
          printf("roborock-sim: ready (duid %s)\n", options.duid);
          fflush(stdout);
        });
    mqtt->start();
    loop.start_timer(talkback_report, 1000, [&media] {
      media.report_talkback();
      return true;
    });
    if (options.offline_after >= 0)
      loop.start_oneshot(offline_timer, unsigned(options.offline_after * 1000), [&] {
        robot->go_offline();
        mqtt->stop();
      });
  });

  auto quit = [](gpointer) -> gboolean {
    g_main_loop_quit(main_loop);
    return G_SOURCE_CONTINUE;
  };
  g_unix_signal_add(SIGINT, quit, nullptr);
  g_unix_signal_add(SIGTERM, quit, nullptr);
  g_main_loop_run(main_loop);

  // Shut down on the signaling thread, where everything lives.
  std::promise<void> done;
  loop.post([&] {
    talkback_report.cancel();
    offline_timer.cancel();
    media.stop();
    if (mqtt)
      mqtt->stop();
    robot.reset();
    mqtt.reset();
    done.set_value();
  });
  done.get_future().wait();
  log.write(EventLog::begin("exit"));
  g_main_loop_unref(main_loop);
  return exit_status;
}
