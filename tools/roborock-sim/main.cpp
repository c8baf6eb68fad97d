// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-sim: a stand-in for a camera-equipped Roborock robot. It connects to
// an MQTT broker as the device, answers the camera commands of the protocol
// reference over V1 frames, and streams real WebRTC media (webrtcbin).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <optional>
#include <vector>

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

// Options whose default depends on --real start "not given", so an explicit
// value wins over the preset whatever the order on the command line.
constexpr gint kIntNotGiven = G_MININT;
constexpr gboolean kSwitchNotGiven = -1; // neither --X nor --no-X

struct Options {
  gchar *broker = nullptr;
  gchar *ca_file = nullptr;
  gchar *username = nullptr;
  gchar *password = nullptr;
  gchar *duid = nullptr;
  gchar *local_key = nullptr;
  gchar *pattern = nullptr;
  gboolean no_pattern = FALSE;
  gint sdp_retries = kIntNotGiven;
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
  gboolean junk_before_replies = FALSE;
  gboolean ice_duplicates = FALSE;
  gchar *viewer = nullptr;
  gboolean ice_in_answer = FALSE;
  gdouble offline_after = -1;
  gdouble stall_after = -1;
  gboolean bad_answer = FALSE;
  gboolean media_path_fails_once = FALSE;
  gchar *answer_video = nullptr;
  gdouble close_after = -1;
  gdouble lose_frame_after = -1;
  gint ignore_keyframe_requests = 0;
  gint keyframe_interval = 30;
  gint framerate = 15;
  gchar *ice_ports = nullptr;
  gboolean verbose = FALSE;
  // Real-robot behaviour: --real, then the switches it implies.
  gboolean real = FALSE;
  gboolean turn_after_preview = kSwitchNotGiven;
  gint turn_retries = kIntNotGiven;
  gint candidate_mline = kIntNotGiven;
  gboolean strict_offer = kSwitchNotGiven;
  gboolean voice_chat_flags = kSwitchNotGiven;
  gboolean real_errors = kSwitchNotGiven;
  gboolean flaky_polls = kSwitchNotGiven;
  gboolean rc_list_params = kSwitchNotGiven;
  gboolean stop_needs_client_id = kSwitchNotGiven;
  gint slow_release = kIntNotGiven;
  gboolean mime_base64 = kSwitchNotGiven;
  gboolean trailing_bytes = kSwitchNotGiven;
  // Behaviour switches --real leaves alone.
  gchar *audio_codec = nullptr;
  gboolean voice_chat_list_only = FALSE;
  gchar *preview_error = nullptr;
  gchar *password_result = nullptr;
  gboolean docked = FALSE;
};

// What --real implies for the values it sets.
constexpr int kRealTurnRetries = 2;
constexpr int kRealCandidateMline = 1;
constexpr int kRealSlowReleaseMs = 800;
constexpr int kRealMinSdpRetries = 2;
constexpr int kDefaultSdpRetries = 2;

// A [real] switch: as given (--X / --no-X), else on exactly with --real.
bool resolve(gboolean given, bool real) {
  return given == kSwitchNotGiven ? real : given != FALSE;
}

// A [real] value: as given, else the preset's with --real, else the default.
int resolve(gint given, bool real, int real_value, int fallback) {
  if (given != kIntNotGiven)
    return given;
  return real ? real_value : fallback;
}

// The switches --real turns on; each also has a hidden --no-X to turn it off.
struct RealSwitch {
  const char *name;
  const char *negated;
  gboolean Options::*value;
  const char *help;
};

const RealSwitch kRealSwitches[] = {
    {"turn-after-preview", "no-turn-after-preview", &Options::turn_after_preview,
     "[real] get_turn_server answers \"retry\" until a start_camera_preview is accepted"},
    {"strict-offer", "no-strict-offer", &Options::strict_offer,
     "[real] Refuse offers with port-0 or bundle-only m-lines, non-numeric mids, or audio not "
     "led by OPUS/48000/2 (error -5)"},
    {"voice-chat-flags", "no-voice-chat-flags", &Options::voice_chat_flags,
     "[real] start_voice_chat honours record (robot audio) and play (talk-back)"},
    {"real-errors", "no-real-errors", &Options::real_errors,
     "[real] Wrong pattern is error -10010; locked says \"too many password attempts\""},
    {"flaky-polls", "no-flaky-polls", &Options::flaky_polls,
     "[real] After an offer, the 1st get_device_sdp/get_device_ice fails (-10003), the 2nd gets "
     "no reply"},
    {"rc-list-params", "no-rc-list-params", &Options::rc_list_params,
     "[real] app_rc_move takes only [{...}]; an object is error -5"},
    {"stop-needs-client-id", "no-stop-needs-client-id", &Options::stop_needs_client_id,
     "[real] stop_camera_preview without client_id does nothing"},
    {"mime-base64", "no-mime-base64", &Options::mime_base64,
     "[real] dev_sdp/dev_ice base64 with CRLF every 76 characters and no '=' padding"},
    {"trailing-bytes", "no-trailing-bytes", &Options::trailing_bytes,
     "[real] 4 garbage bytes after the CRC of every reply frame"},
};

// The behaviour switches, for --help (in the main group, so --help shows them).
void add_behaviour_entries(Options &o, std::vector<GOptionEntry> &entries) {
  entries.push_back({"real", 0, 0, G_OPTION_ARG_NONE, &o.real,
                     "Behave like a real robot: every [real] switch on, with the values given "
                     "(explicit switches and values still win)",
                     nullptr});
  for (const RealSwitch &option : kRealSwitches) {
    entries.push_back(
        {option.name, 0, 0, G_OPTION_ARG_NONE, &(o.*option.value), option.help, nullptr});
    entries.push_back({option.negated, 0, G_OPTION_FLAG_REVERSE | G_OPTION_FLAG_HIDDEN,
                       G_OPTION_ARG_NONE, &(o.*option.value), nullptr, nullptr});
  }
  entries.push_back({"turn-retries", 0, 0, G_OPTION_ARG_INT, &o.turn_retries,
                     "[real: 2] After the preview, answer get_turn_server \"retry\" N more times "
                     "(shapes alternate) (default 0)",
                     "N"});
  entries.push_back({"candidate-mline", 0, 0, G_OPTION_ARG_INT, &o.candidate_mline,
                     "[real: 1] Tag every candidate given with this m-line and its mid "
                     "(default -1: as gathered)",
                     "N"});
  entries.push_back({"slow-release", 0, 0, G_OPTION_ARG_INT, &o.slow_release,
                     "[real: 800] A stopped viewer still holds the camera for MS ms (default 0)",
                     "MS"});
  entries.push_back({"audio-codec", 0, 0, G_OPTION_ARG_STRING, &o.audio_codec,
                     "Robot audio codec, also the one the answer picks (default OPUS)",
                     "OPUS|PCMU|PCMA"});
  entries.push_back({"voice-chat-list-only", 0, 0, G_OPTION_ARG_NONE, &o.voice_chat_list_only,
                     "start_voice_chat refuses object params (error -5); [] works", nullptr});
  entries.push_back({"preview-error", 0, 0, G_OPTION_ARG_STRING, &o.preview_error,
                     "start_camera_preview answers this error COUNT times (default: always) "
                     "first, e.g. --preview-error=-10007:robot is charging",
                     "CODE:MESSAGE[:COUNT]"});
  entries.push_back({"password-result", 0, 0, G_OPTION_ARG_STRING, &o.password_result,
                     "check_homesec_password answers this result instead of [\"ok\"], even to "
                     "the right pattern",
                     "JSON"});
  entries.push_back({"no-pattern", 0, 0, G_OPTION_ARG_NONE, &o.no_pattern,
                     "The robot has no pattern password: viewers give \"\" (instead of --pattern)",
                     nullptr});
  entries.push_back({"docked", 0, 0, G_OPTION_ARG_NONE, &o.docked,
                     "get_device_sdp answers \"retry\" for ever (a robot on its dock)", nullptr});
}

bool parse_options(int &argc, char **&argv, Options &o) {
  std::vector<GOptionEntry> entries = {
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
       "Pattern password digits viewers must give (required unless --no-pattern, which wins)",
       "DIGITS"},
      {"sdp-retries", 0, 0, G_OPTION_ARG_INT, &o.sdp_retries,
       "Answer get_device_sdp with \"retry\" this many times first (default 2; --real: at least "
       "2)",
       "N"},
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
      {"junk-before-replies", 0, 0, G_OPTION_ARG_NONE, &o.junk_before_replies,
       "Fault: before every reply, frames under another key, with a bad CRC, cut short and "
       "garbage (as other apps' traffic on the topic)",
       nullptr},
      {"ice-duplicates", 0, 0, G_OPTION_ARG_NONE, &o.ice_duplicates,
       "Fault: list every ICE candidate twice in get_device_ice", nullptr},
      {"viewer", 0, 0, G_OPTION_ARG_STRING, &o.viewer,
       "Start with another client already viewing (camera busy)", "CLIENT_ID"},
      {"ice-in-answer", 0, 0, G_OPTION_ARG_NONE, &o.ice_in_answer,
       "Also list ICE candidates in the answer SDP", nullptr},
      {"media-path-fails-once", 0, 0, G_OPTION_ARG_NONE, &o.media_path_fails_once,
       "Fault: the first viewer's media path fails (its ICE candidates ignored, ours announced "
       "on a port nothing listens on)",
       nullptr},
      {"bad-answer", 0, 0, G_OPTION_ARG_NONE, &o.bad_answer,
       "Answer without the last m-line (an answer webrtcbin must refuse)", nullptr},
      {"answer-video", 0, 0, G_OPTION_ARG_STRING, &o.answer_video,
       "Answer video a client cannot play: vp8 (on the offered H.264 payload type), vp8-new-pt "
       "(on one not offered) or rejected (port 0)",
       "HOW"},
      {"stall-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.stall_after,
       "Once: stop sending media SECONDS after the first viewer connects (ICE stays up)",
       "SECONDS"},
      {"close-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.close_after,
       "Once: close the peer connection silently SECONDS after the first viewer connects",
       "SECONDS"},
      {"lose-frame-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.lose_frame_after,
       "Once: SECONDS after the first viewer connects, the packets of one video frame are lost "
       "for good (no retransmission)",
       "SECONDS"},
      {"ignore-keyframe-requests", 0, 0, G_OPTION_ARG_INT, &o.ignore_keyframe_requests,
       "With --lose-frame-after: the first N keyframe requests after the loss are lost too", "N"},
      {"keyframe-interval", 0, 0, G_OPTION_ARG_INT, &o.keyframe_interval,
       "Frames between periodic keyframes (default 30)", "FRAMES"},
      {"offline-after", 0, 0, G_OPTION_ARG_DOUBLE, &o.offline_after,
       "Fault: drop offline (stop media, leave the broker) after SECONDS", "SECONDS"},
      {"ice-ports", 0, 0, G_OPTION_ARG_STRING, &o.ice_ports,
       "Gather UDP host candidates on these ports only, and no TCP ones (the testbed's "
       "relay-only filter keys on them)",
       "MIN:MAX"},
      {"framerate", 0, 0, G_OPTION_ARG_INT, &o.framerate, "Video frames per second (default 15)",
       "FPS"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Log signaling details to stderr",
       nullptr}};
  add_behaviour_entries(o, entries);
  entries.push_back({nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr});
  GOptionContext *context = g_option_context_new("- simulate a camera-equipped Roborock robot");
  g_option_context_set_summary(
      context, "Connects to an MQTT broker as the device DUID, answers the camera commands\n"
               "(check_homesec_password, start_camera_preview, SDP/ICE exchange, voice chat,\n"
               "quality, remote control) and streams a live H.264 picture of a room seen from\n"
               "the robot's pose and an Opus tone over WebRTC. Prints \"roborock-sim: ready\"\n"
               "once subscribed.");
  g_option_context_set_description(
      context,
      "Every [real] switch also has a --no-SWITCH form that turns it off, also with --real.\n"
      "See docs/simulator.md.");
  g_option_context_add_main_entries(context, entries.data(), nullptr);
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
  } required[] = {{"--broker", o.broker},
                  {"--username", o.username},
                  {"--password", o.password},
                  {"--duid", o.duid},
                  {"--local-key", o.local_key}};
  for (auto &option : required) {
    if (!option.value || !*option.value) {
      fprintf(stderr, "roborock-sim: %s is required (see --help)\n", option.name);
      return false;
    }
  }
  // --no-pattern wins over a --pattern given before it (the testbed always
  // gives one).
  bool has_pattern = o.pattern && *o.pattern;
  if (!has_pattern && !o.no_pattern) {
    fprintf(stderr, "roborock-sim: give --pattern or --no-pattern (see --help)\n");
    return false;
  }
  return true;
}

// "CODE:MESSAGE[:COUNT]", e.g. "-10007:robot is charging" or "-10002:too frequent:1".
std::optional<FaultError> parse_fault_error(const std::string &text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  char *end = nullptr;
  FaultError fault;
  fault.code = g_ascii_strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + colon)
    return std::nullopt;
  fault.message = text.substr(colon + 1);
  size_t last = fault.message.rfind(':');
  std::string count = last == std::string::npos ? "" : fault.message.substr(last + 1);
  if (!count.empty() && count.find_first_not_of("0123456789") == std::string::npos) {
    fault.count = unsigned(std::stoul(count));
    fault.message.resize(last);
  }
  if (fault.message.empty())
    return std::nullopt;
  return fault;
}

std::optional<AudioCodec> parse_audio_codec(const char *name) {
  for (AudioCodec codec : {AudioCodec::Opus, AudioCodec::Pcmu, AudioCodec::Pcma})
    if (!name || g_ascii_strcasecmp(name, audio_codec_name(codec)) == 0)
      return codec;
  return std::nullopt;
}

// The switches that --real implies, resolved against what was given.
void apply_real_behaviour(const Options &o, RobotConfig &config) {
  bool real = o.real;
  config.turn_after_preview = resolve(o.turn_after_preview, real);
  config.turn_retries = unsigned(std::max(0, resolve(o.turn_retries, real, kRealTurnRetries, 0)));
  config.strict_offer = resolve(o.strict_offer, real);
  config.voice_chat_flags = resolve(o.voice_chat_flags, real);
  config.real_errors = resolve(o.real_errors, real);
  config.flaky_polls = resolve(o.flaky_polls, real);
  config.rc_list_params = resolve(o.rc_list_params, real);
  config.stop_needs_client_id = resolve(o.stop_needs_client_id, real);
  config.slow_release_ms =
      unsigned(std::max(0, resolve(o.slow_release, real, kRealSlowReleaseMs, 0)));
  config.mime_base64 = resolve(o.mime_base64, real);
  config.trailing_bytes = resolve(o.trailing_bytes, real);
}

// False (with a message) when a behaviour switch's value does not parse.
bool apply_behaviour(const Options &o, RobotConfig &config) {
  apply_real_behaviour(o, config);
  config.voice_chat_list_only = o.voice_chat_list_only;
  config.docked = o.docked;
  if (o.preview_error) {
    config.preview_error = parse_fault_error(o.preview_error);
    if (!config.preview_error) {
      fprintf(stderr, "roborock-sim: --preview-error wants CODE:MESSAGE[:COUNT], not \"%s\"\n",
              o.preview_error);
      return false;
    }
  }
  if (o.password_result) {
    auto json = parse_json(o.password_result, "--password-result");
    if (!json) {
      fprintf(stderr, "roborock-sim: %s\n", json.error().message.c_str());
      return false;
    }
    config.password_result = o.password_result;
  }
  return true;
}

std::optional<RobotConfig> robot_config(const Options &o) {
  RobotConfig config;
  config.duid = o.duid;
  config.local_key = o.local_key;
  config.pattern = o.pattern ? o.pattern : "";
  config.has_pattern = !o.no_pattern;
  int sdp_retries = resolve(o.sdp_retries, o.real, std::max(kRealMinSdpRetries, kDefaultSdpRetries),
                            kDefaultSdpRetries);
  config.sdp_retries = unsigned(std::max(0, sdp_retries));
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
  config.junk_before_replies = o.junk_before_replies;
  config.ice_duplicates = o.ice_duplicates;
  config.ice_in_answer = o.ice_in_answer;
  if (!apply_behaviour(o, config))
    return std::nullopt;
  return config;
}

std::optional<MediaOptions> media_options(const Options &o) {
  MediaOptions media;
  media.ice_in_answer = o.ice_in_answer;
  media.framerate = std::max(1, o.framerate);
  media.stall_after_s = o.stall_after;
  media.bad_answer = o.bad_answer;
  media.media_path_fails_once = o.media_path_fails_once;
  media.answer_video = o.answer_video ? o.answer_video : "";
  if (!media.answer_video.empty() && media.answer_video != "vp8" &&
      media.answer_video != "vp8-new-pt" && media.answer_video != "rejected") {
    g_printerr("roborock-sim: --answer-video wants vp8, vp8-new-pt or rejected\n");
    return std::nullopt;
  }
  media.close_after_s = o.close_after;
  media.lose_frame_after_s = o.lose_frame_after;
  media.ignored_keyframe_requests = std::max(0, o.ignore_keyframe_requests);
  media.keyframe_interval = std::max(1, o.keyframe_interval);
  if (o.ice_ports &&
      (sscanf(o.ice_ports, "%u:%u", &media.min_port, &media.max_port) != 2 || media.min_port == 0 ||
       media.max_port < media.min_port || media.max_port > 65535)) {
    g_printerr("roborock-sim: --ice-ports wants MIN:MAX, got \"%s\"\n", o.ice_ports);
    return std::nullopt;
  }
  media.candidate_mline = std::max(-1, resolve(o.candidate_mline, o.real, kRealCandidateMline, -1));
  auto codec = parse_audio_codec(o.audio_codec);
  if (!codec) {
    fprintf(stderr, "roborock-sim: --audio-codec is OPUS, PCMU or PCMA, not \"%s\"\n",
            o.audio_codec);
    return std::nullopt;
  }
  media.audio_codec = *codec;
  return media;
}

// The effective behaviour, first in the event log, so tests can check what
// --real and the switches added up to.
void log_config(EventLog &log, const Options &o, const RobotConfig &robot,
                const MediaOptions &media) {
  log.write(EventLog::begin("config")
                .add_bool("real", o.real)
                .add_bool("no_pattern", !robot.has_pattern)
                .add_int("sdp_retries", robot.sdp_retries)
                .add_bool("turn_after_preview", robot.turn_after_preview)
                .add_int("turn_retries", robot.turn_retries)
                .add_int("candidate_mline", media.candidate_mline)
                .add_bool("strict_offer", robot.strict_offer)
                .add_string("audio_codec", audio_codec_name(media.audio_codec))
                .add_bool("voice_chat_flags", robot.voice_chat_flags)
                .add_bool("voice_chat_list_only", robot.voice_chat_list_only)
                .add_bool("real_errors", robot.real_errors)
                .add_string("preview_error", o.preview_error ? o.preview_error : "")
                .add_string("password_result", robot.password_result)
                .add_bool("flaky_polls", robot.flaky_polls)
                .add_bool("docked", robot.docked)
                .add_bool("rc_list_params", robot.rc_list_params)
                .add_bool("stop_needs_client_id", robot.stop_needs_client_id)
                .add_int("slow_release", robot.slow_release_ms)
                .add_bool("mime_base64", robot.mime_base64)
                .add_bool("trailing_bytes", robot.trailing_bytes)
                .add_bool("ice_in_answer", media.ice_in_answer));
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
  auto robot_settings = robot_config(options);
  auto media_settings = media_options(options);
  if (!robot_settings || !media_settings)
    return 2;
  EventLog log;
  if (!log.open(options.event_log ? options.event_log : "")) {
    fprintf(stderr, "roborock-sim: cannot open %s\n", options.event_log);
    return 2;
  }
  log_config(log, options, *robot_settings, *media_settings);

  main_loop = g_main_loop_new(nullptr, FALSE);
  EventLoop &loop = EventLoop::shared();
  SimMedia media(log, *media_settings);

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
        loop, *robot_settings, log, media,
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
