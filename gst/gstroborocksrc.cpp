/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-roborocksrc
 * @title: roborocksrc
 *
 * Streams live video and audio from the camera of a Roborock robot vacuum,
 * sends talk-back audio to it and drives it by remote control. Signaling goes
 * through the Roborock cloud's MQTT broker (TLS, credentials derived from the
 * account's rriot keys); media is WebRTC through an internal webrtcbin.
 *
 * ## Example launch lines
 * |[
 * roborock-login     # once: email, then the emailed code; writes the credentials file
 * gst-launch-1.0 roborocksrc duid="Kitchen robot" password=2580 ! decodebin ! autovideosink
 * gst-launch-1.0 playbin uri=roborock://kitchen%20robot     # a robot without a pattern
 * gst-launch-1.0 roborocksrc credentials-file=$HOME/.homeassistant/.storage/core.config_entries \
 *     duid=7dFfLkUsd password=2580 ! decodebin ! autovideosink
 * gst-launch-1.0 roborocksrc credentials-file=user_data.json duid=... password=... name=r \
 *     r.video ! decodebin ! autovideosink r.audio ! decodebin ! autoaudiosink \
 *     autoaudiosrc ! r.talkback
 * ]|
 *
 * Pads: "video" (H.264, avc/au), "audio" (Opus, when #GstRoborockSrc:audio is
 * true), request pad "talkback" (any raw audio). Progress is posted as element
 * messages named "roborock-state" with a "state" field.
 */
#include "gstroborocksrc.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include <gst/video/navigation.h>

#include "camera_session.h"
#include "credentials_file.h"
#include "element_settings.h"
#include "event_loop.h"
#include "json_util.h"
#include "remote_control.h"
#include "required_elements.h"
#include "roborock_uri.h"
#include "talkback.h"
#include "webrtc_media.h"

GST_DEBUG_CATEGORY(gst_roborock_src_debug);
#define GST_CAT_DEFAULT gst_roborock_src_debug

using namespace roborock;

/* The defaults are ElementSettings' own (element_settings.h), which the
 * session configuration is made from. */
#define DEFAULT_STRING NULL /* every string property: unset */
#define DEFAULT_QUALITY GstRoborockSrcQuality(kDefaultSettings.quality)
#define DEFAULT_AUDIO kDefaultSettings.audio
#define DEFAULT_LATENCY kDefaultSettings.latency_ms
#define DEFAULT_TIMEOUT kDefaultSettings.timeout_s
#define DEFAULT_TALKBACK_VOLUME kDefaultSettings.talkback_volume
#define DEFAULT_MEDIA_TIMEOUT kDefaultSettings.media_timeout_s
#define DEFAULT_MAX_RESTARTS kDefaultSettings.max_restarts
#define MASKED_SECRET "********"

static const ElementSettings kDefaultSettings;

/* One cast converts the quality property's values to the session's. */
static_assert(GST_ROBOROCK_SRC_QUALITY_HD == int(VideoQuality::HD) &&
                  GST_ROBOROCK_SRC_QUALITY_SD == int(VideoQuality::SD),
              "GstRoborockSrcQuality mirrors VideoQuality");

enum {
  PROP_0,
  PROP_DUID,
  PROP_LOCAL_KEY,
  PROP_RRIOT_U,
  PROP_RRIOT_S,
  PROP_RRIOT_K,
  PROP_REGION,
  PROP_MQTT_URL,
  PROP_TLS_CA_FILE,
  PROP_CREDENTIALS_FILE,
  PROP_PASSWORD,
  PROP_QUALITY,
  PROP_AUDIO,
  PROP_CLIENT_ID,
  PROP_LATENCY,
  PROP_TIMEOUT,
  PROP_TALKBACK_VOLUME,
  PROP_MEDIA_TIMEOUT,
  PROP_MAX_RESTARTS,
  PROP_STATS,
};

enum {
  SIGNAL_RC_START,
  SIGNAL_RC_MOVE,
  SIGNAL_RC_STOP,
  SIGNAL_SEND_COMMAND,
  LAST_SIGNAL,
};
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE("video", GST_PAD_SRC, GST_PAD_SOMETIMES,
                            GST_STATIC_CAPS("video/x-h264, stream-format=(string)avc, "
                                            "alignment=(string)au"));
/* Opus as a rule; G.711 when the robot's answer picks it. */
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE(
    "audio", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS("audio/x-opus; audio/x-mulaw, rate=(int)8000, channels=(int)1; "
                    "audio/x-alaw, rate=(int)8000, channels=(int)1"));
static GstStaticPadTemplate talkback_template = GST_STATIC_PAD_TEMPLATE(
    "talkback", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("audio/x-raw"));

/* C++ state, created in _init and deleted in finalize.
 *
 * Locks, in the order they are taken (never the other way round):
 *   restart_lock -> runtime_lock -> GST_OBJECT_LOCK (settings)
 * - GST_OBJECT_LOCK guards `settings` (the properties). Code that needs them
 *   copies them out and works on the copy unlocked (resolving a session's
 *   configuration reads the credentials file).
 * - runtime_lock guards what a run creates: the talk-back chain, the media
 *   (with its session) and remote control. Code copies the shared pointers
 *   out and calls them unlocked.
 * - restart_lock guards the restart worker's schedule and the held errors.
 * No lock is held across calls into other elements or the graph (gst_bin_add,
 * pad and state changes), signal emissions, message posting, a session's
 * stop() or a promise wait: each of them can run application code or wait
 * for a thread that takes one of these locks. OutputPads has locks of its
 * own, never held across such calls either.
 */
struct RoborockSrcState {
  ElementSettings settings; /* GST_OBJECT_LOCK */

  std::mutex runtime_lock;
  std::shared_ptr<Talkback> talkback;        /* while the talkback pad exists */
  const std::shared_ptr<OutputPads> outputs; /* the src pads, kept across sessions */
  /* One media (and session) per READY -> PAUSED, and per restart; the
   * session runs on the signaling thread and reports through the media. */
  std::shared_ptr<WebrtcMedia> media;
  std::shared_ptr<RemoteControl> remote_control;
  std::string plain_mqtt_url; /* the session's broker, when without TLS */
  std::atomic<SessionState> session_state{SessionState::Idle};

  /* Automatic restarts of a lost stream, under restart_lock. One worker per
   * READY -> PAUSED waits for a due restart and runs it. */
  std::mutex restart_lock;
  std::condition_variable restart_wake;
  std::thread restart_worker;
  bool restart_cancelled = false;
  gint64 restart_due_us = 0;       /* 0: none due */
  int restarts_in_a_row = 0;       /* reset when a stream plays again */
  bool streamed = false;           /* this run has streamed at least once */
  bool media_path_retried = false; /* a failed media path was restarted this run */

  /* Fatal errors that come before the element reaches PLAYING wait for it
   * (also under restart_lock; the worker posts them if PLAYING does not
   * come): gst-launch-1.0 1.22 quits its main loop from its sync bus
   * handler, which does nothing before the loop runs, so an error posted
   * during set_state(PAUSED) was printed and then gst-launch went on to
   * PLAYING and waited for ever. It sets PLAYING from within its loop, so an
   * error posted then always ends it. A pipeline left in PAUSED gets the
   * error half a second later. */
  bool errors_may_post = false;
  std::vector<Error> held_errors;
  gint64 held_errors_due_us = 0; /* 0: none held */

  explicit RoborockSrcState(std::shared_ptr<OutputPads> pads) : outputs(std::move(pads)) {}
};

struct _GstRoborockSrc {
  GstBin parent;
  RoborockSrcState *state;
};

static void gst_roborock_src_uri_handler_init(gpointer iface, gpointer data);

#define gst_roborock_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE(GstRoborockSrc, gst_roborock_src, GST_TYPE_BIN,
                        G_IMPLEMENT_INTERFACE(GST_TYPE_URI_HANDLER,
                                              gst_roborock_src_uri_handler_init));
GST_ELEMENT_REGISTER_DEFINE(roborocksrc, "roborocksrc", GST_RANK_NONE, GST_TYPE_ROBOROCK_SRC);

GType gst_roborock_src_quality_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {GST_ROBOROCK_SRC_QUALITY_HD, "High definition", "hd"},
      {GST_ROBOROCK_SRC_QUALITY_SD, "Standard definition", "sd"},
      {0, NULL, NULL},
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("GstRoborockSrcQuality", values));
  return type;
}

/* The properties as they are now (GST_OBJECT_LOCK for the copy). */
static ElementSettings copy_settings(GstRoborockSrc *self) {
  GST_OBJECT_LOCK(self);
  ElementSettings settings = self->state->settings;
  GST_OBJECT_UNLOCK(self);
  return settings;
}

static std::shared_ptr<WebrtcMedia> running_media(GstRoborockSrc *self) {
  std::lock_guard<std::mutex> lock(self->state->runtime_lock);
  return self->state->media;
}

static std::shared_ptr<CameraSession> running_session(GstRoborockSrc *self) {
  auto media = running_media(self);
  return media ? media->session() : nullptr;
}

/* Errors */

/* Maps a signaling error to GStreamer's error domains and codes. */
static gint resource_error_code(ErrorCode code) {
  switch (code) {
  case ErrorCode::CredentialsMissing:
  case ErrorCode::CredentialsMalformed:
  case ErrorCode::FileUnreadable:
  case ErrorCode::BadBrokerUrl:
    return GST_RESOURCE_ERROR_SETTINGS;
  case ErrorCode::BrokerNotAuthorized:
  case ErrorCode::WrongPassword:
  case ErrorCode::ViewingLocked:
    return GST_RESOURCE_ERROR_NOT_AUTHORIZED;
  case ErrorCode::CameraBusy:
    return GST_RESOURCE_ERROR_BUSY;
  case ErrorCode::BrokerUnreachable:
  case ErrorCode::RobotUnavailable:
  case ErrorCode::RobotTimeout:
  case ErrorCode::NegotiationFailed:
  case ErrorCode::MediaPathFailed:
  case ErrorCode::VideoRefused:
    return GST_RESOURCE_ERROR_OPEN_READ;
  case ErrorCode::ConnectionLost:
    return GST_RESOURCE_ERROR_READ;
  case ErrorCode::Unsupported:
    return GST_RESOURCE_ERROR_NOT_FOUND;
  default:
    return GST_RESOURCE_ERROR_FAILED;
  }
}

/* The text is for people; the debug string and the "roborock-error" details
 * structure (kind, robot-code, method) carry what applications and bug
 * reports need, as souphttpsrc and rtspsrc do with their status codes. */
static void post_session_error(GstRoborockSrc *self, const Error &error, bool fatal) {
  gchar *text = g_strdup(error.message.c_str());
  std::string method = error.method.empty() ? "" : ", " + error.method;
  gchar *debug = g_strdup_printf("%s%s%s%s (%s)", error_code_name(error.code), method.c_str(),
                                 error.detail.empty() ? "" : ": ", error.detail.c_str(),
                                 fatal ? "session ended" : "session continues");
  GstStructure *details = gst_structure_new(
      "roborock-error", "kind", G_TYPE_STRING, error_code_name(error.code), "robot-code",
      G_TYPE_INT64, gint64(error.robot_code), "method", G_TYPE_STRING, error.method.c_str(), NULL);
  /* A codec we cannot play is a stream error, as decoders report it. */
  bool codec = error.code == ErrorCode::CodecUnsupported;
  gst_element_message_full_with_details(
      GST_ELEMENT(self), fatal ? GST_MESSAGE_ERROR : GST_MESSAGE_WARNING,
      codec ? GST_STREAM_ERROR : GST_RESOURCE_ERROR,
      codec ? gint(GST_STREAM_ERROR_CODEC_NOT_FOUND) : resource_error_code(error.code), text, debug,
      __FILE__, GST_FUNCTION, __LINE__, details);
}

/* Restarts */

/* A lost stream is worth a restart; a refusal (pattern, busy, dock...) never
 * is. Once a run has streamed, a robot that does not answer or connect is
 * rebooting or rejoining: that too is retried. Before that, only a failed
 * media path is, once: under packet loss libnice can give up on a path that
 * works (webrtcbin's agent sends its nomination check twice, see
 * tune_ice_agent; at 10 % loss about 1 start in 12 failed so). */
static bool restartable(const Error &error, bool streamed, bool media_path_retried) {
  switch (error.code) {
  case ErrorCode::ConnectionLost:
    return true;
  case ErrorCode::MediaPathFailed:
    return streamed || !media_path_retried;
  case ErrorCode::RobotTimeout:
  case ErrorCode::NegotiationFailed:
  case ErrorCode::BrokerUnreachable:
    return streamed;
  default:
    return false;
  }
}

/* 0.5 s, doubling to at most 15 s, with +-20 % jitter: robots that reboot
 * take tens of seconds, and many viewers must not retry in step. */
static gint64 restart_delay_us(int attempt) {
  gint64 base = gint64(500000) << std::min(attempt - 1, 5);
  base = std::min<gint64>(base, 15 * G_USEC_PER_SEC);
  return base * g_random_int_range(80, 121) / 100;
}

static void post_restarting(GstRoborockSrc *self, int attempt, const std::string &reason) {
  gst_element_post_message(
      GST_ELEMENT(self),
      gst_message_new_element(GST_OBJECT(self),
                              gst_structure_new("roborock-state", "state", G_TYPE_STRING,
                                                "restarting", "attempt", G_TYPE_INT, attempt,
                                                "reason", G_TYPE_STRING, reason.c_str(), NULL)));
}

constexpr gint64 kHeldErrorFallbackUs = 500 * 1000;

/* Lets fatal errors post from now on, posting those held. */
static void post_held_errors(GstRoborockSrc *self) {
  std::vector<Error> errors;
  {
    std::lock_guard<std::mutex> restart(self->state->restart_lock);
    self->state->errors_may_post = true;
    self->state->held_errors_due_us = 0;
    errors.swap(self->state->held_errors);
  }
  for (const Error &error : errors)
    post_session_error(self, error, true);
}

/* Posts a fatal error now, or holds it until PLAYING (see errors_may_post). */
static void post_fatal_error(GstRoborockSrc *self, const Error &error) {
  RoborockSrcState *state = self->state;
  {
    std::lock_guard<std::mutex> restart(state->restart_lock);
    if (!state->errors_may_post) {
      state->held_errors.push_back(error);
      if (!state->held_errors_due_us)
        state->held_errors_due_us = g_get_monotonic_time() + kHeldErrorFallbackUs;
      state->restart_wake.notify_all();
      return;
    }
  }
  post_session_error(self, error, true);
}

/* A fatal session error: schedule a restart if it is worth one and some are
 * left (posting a warning and a "restarting" message), else post the error. */
static void on_fatal_error(GstRoborockSrc *self, const Error &error) {
  RoborockSrcState *state = self->state;
  int max_restarts = copy_settings(self).max_restarts;
  int attempt = 0;
  gint64 delay_us = 0;
  bool exhausted = false;
  {
    std::lock_guard<std::mutex> restart(state->restart_lock);
    if (state->restart_cancelled ||
        !restartable(error, state->streamed, state->media_path_retried)) {
      attempt = -1;
    } else if (max_restarts >= 0 && state->restarts_in_a_row >= max_restarts) {
      exhausted = max_restarts > 0;
      attempt = -1;
    } else {
      attempt = ++state->restarts_in_a_row;
      state->media_path_retried |= error.code == ErrorCode::MediaPathFailed;
      delay_us = restart_delay_us(attempt);
      state->restart_due_us = g_get_monotonic_time() + delay_us;
      state->restart_wake.notify_all();
    }
  }
  if (attempt < 0) {
    if (!exhausted) {
      post_fatal_error(self, error);
      return;
    }
    post_fatal_error(self, Error{ErrorCode::ConnectionLost,
                                 "lost the stream, and " + std::to_string(max_restarts) +
                                     " restarts did not bring it back: " + error.message});
    return;
  }
  std::string limit = max_restarts < 0 ? "" : " of " + std::to_string(max_restarts);
  GST_ELEMENT_WARNING(self, RESOURCE, READ,
                      ("%s; restarting (attempt %d%s) in %.1f s", error.message.c_str(), attempt,
                       limit.c_str(), delay_us / 1e6),
                      ("%s", error_code_name(error.code)));
  post_restarting(self, attempt, error.message);
}

static const char *state_message_name(SessionState state) {
  /* Failed is followed by an error message; for the state it is "stopped". */
  return state == SessionState::Failed ? "stopped" : session_state_name(state);
}

static void post_state(GstRoborockSrc *self, SessionState state) {
  self->state->session_state = state;
  if (state == SessionState::Idle)
    return;
  GST_INFO_OBJECT(self, "session %s", session_state_name(state));
  gst_element_post_message(
      GST_ELEMENT(self),
      gst_message_new_element(GST_OBJECT(self),
                              gst_structure_new("roborock-state", "state", G_TYPE_STRING,
                                                state_message_name(state), NULL)));
}

/* Navigation: arrow keys from a video sink steer the robot. */
static void handle_navigation(GstRoborockSrc *self, GstEvent *event) {
  GstNavigationEventType type = gst_navigation_event_get_type(event);
  const gchar *key = NULL;
  if ((type != GST_NAVIGATION_EVENT_KEY_PRESS && type != GST_NAVIGATION_EVENT_KEY_RELEASE) ||
      !gst_navigation_event_parse_key_event(event, &key) || !key)
    return;
  std::shared_ptr<RemoteControl> remote_control;
  {
    std::lock_guard<std::mutex> lock(self->state->runtime_lock);
    remote_control = self->state->remote_control;
  }
  if (!remote_control)
    return;
  GST_DEBUG_OBJECT(self, "key %s %s", key,
                   type == GST_NAVIGATION_EVENT_KEY_PRESS ? "pressed" : "released");
  if (type == GST_NAVIGATION_EVENT_KEY_PRESS)
    remote_control->key_pressed(key);
  else
    remote_control->key_released(key);
}

/* Someone listens: the robot's microphone is wanted (start_voice_chat with
 * record). Runs in the thread that links the pad. */
static void on_audio_linked(GstRoborockSrc *self) {
  if (!copy_settings(self).audio)
    return;
  std::shared_ptr<CameraSession> session = running_session(self);
  GST_INFO_OBJECT(self, "audio pad linked: asking the robot for its audio");
  if (session)
    session->set_voice_chat(true, false);
}

/* Session lifetime */

/* Remote control's commands go to the session while it exists. */
static RcCommands rc_commands_for(const std::shared_ptr<CameraSession> &running) {
  std::weak_ptr<CameraSession> session = running;
  RcCommands commands;
  commands.start = [session] {
    if (auto s = session.lock())
      s->rc_start();
  };
  commands.move = [session](double velocity, double omega, unsigned duration_ms) {
    if (auto s = session.lock())
      s->rc_move(velocity, omega, duration_ms);
  };
  commands.halt = [session] {
    if (auto s = session.lock())
      s->rc_halt();
  };
  commands.end = [session] {
    if (auto s = session.lock())
      s->rc_end();
  };
  return commands;
}

/* The media's reports, as GStreamer messages (signaling thread). */
static WebrtcMedia::Events media_events(GstRoborockSrc *self) {
  WebrtcMedia::Events events;
  events.on_state = [self](SessionState session_state) {
    if (session_state == SessionState::Streaming) {
      std::lock_guard<std::mutex> restart(self->state->restart_lock);
      self->state->streamed = true;
      self->state->restarts_in_a_row = 0;
    }
    post_state(self, session_state);
  };
  events.on_error = [self](const Error &error, bool fatal) {
    if (fatal)
      on_fatal_error(self, error);
    else
      post_session_error(self, error, false);
  };
  return events;
}

/* Builds the media and its session from the properties and starts the
 * session. Only the state change and the restart worker call it, never at
 * once (the worker ends before PAUSED -> READY stops the session). */
static gboolean start_session(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  ElementSettings settings = copy_settings(self);
  auto config = resolve_session_config(settings, default_credentials_path());
  if (!config) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s", config.error().message.c_str()),
                      ("%s", error_code_name(config.error().code)));
    return FALSE;
  }
  if (auto missing = missing_media_element(settings.audio)) {
    post_missing_element(GST_ELEMENT(self), *missing);
    return FALSE;
  }

  WebrtcMedia::Config media_config;
  media_config.latency_ms = settings.latency_ms;
  media_config.audio = settings.audio;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    media_config.talkback = state->talkback;
  }
  /* Voice chat pauses the robot's cleaning: only for a linked audio pad (from
   * an earlier session; a later link asks then) or a talk-back pad. */
  config->voice_record = settings.audio && state->outputs->audio_linked();
  config->voice_play = media_config.talkback != nullptr;
  config->media_progress = [outputs = state->outputs] {
    return outputs->video_frames();
  };
  std::string plain_mqtt_url = config->broker.tls ? "" : config->broker.url();
  GST_INFO_OBJECT(self, "starting a session with robot %s via %s", config->duid.c_str(),
                  config->broker.url().c_str());
  auto media =
      std::make_shared<WebrtcMedia>(GST_ELEMENT(self), media_config, std::move(config.value()),
                                    state->outputs, media_events(self));
  std::shared_ptr<CameraSession> session = media->session();
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    state->media = media;
    state->remote_control = std::make_shared<RemoteControl>(rc_commands_for(session));
    state->plain_mqtt_url = plain_mqtt_url;
  }
  session->start();
  return TRUE;
}

/* First half of stopping: end the session (the robot frees its viewer slot);
 * after this no session callback runs. */
static void stop_session(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  std::shared_ptr<RemoteControl> remote_control;
  std::shared_ptr<WebrtcMedia> media;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    remote_control = std::move(state->remote_control);
    media = state->media;
  }
  remote_control.reset(); /* no key sends anything from here on */
  if (media)
    media->session()->stop(); /* unlocked: callbacks may need the locks until it returns */
}

/* Second half, with webrtcbin no longer streaming: remove the media. */
static void release_session(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  std::shared_ptr<WebrtcMedia> media;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    media = std::move(state->media);
  }
  if (media)
    media->teardown();
  media.reset(); /* the last reference, unless a stats read still holds it */
  state->session_state = SessionState::Idle;
}

/* tcp:// and mqtt:// brokers are for tests and local setups: the derived
 * password goes in clear. Said once per run (not per restart). */
static void warn_if_plain_mqtt(GstRoborockSrc *self) {
  std::string url;
  {
    std::lock_guard<std::mutex> lock(self->state->runtime_lock);
    if (!self->state->media || self->state->plain_mqtt_url.empty())
      return;
    url = self->state->plain_mqtt_url;
  }
  GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                      ("%s is plain MQTT: the account's broker password and every command go "
                       "unencrypted; use ssl:// (the Roborock cloud's brokers take TLS)",
                       url.c_str()),
                      ("mqtt-url without TLS"));
}

/* A new session in place of the lost one, while PLAYING: the same pads
 * carry it. */
static void restart_session(GstRoborockSrc *self) {
  GST_INFO_OBJECT(self, "restarting the session");
  stop_session(self);
  release_session(self);
  if (!start_session(self))
    return; /* start_session posted why */
  if (auto media = running_media(self))
    media->start_playing();
}

/* The run's worker: due restarts, and held errors PLAYING did not post. */
static void run_restarts(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  std::unique_lock<std::mutex> restart(state->restart_lock);
  while (!state->restart_cancelled) {
    gint64 now = g_get_monotonic_time();
    if (state->held_errors_due_us && state->held_errors_due_us <= now) {
      restart.unlock();
      post_held_errors(self);
      restart.lock();
      continue;
    }
    gint64 due = state->restart_due_us;
    if (state->held_errors_due_us && (!due || state->held_errors_due_us < due))
      due = state->held_errors_due_us;
    if (due == 0) {
      state->restart_wake.wait(restart);
      continue;
    }
    if (due > now) {
      state->restart_wake.wait_for(restart, std::chrono::microseconds(due - now));
      continue;
    }
    state->restart_due_us = 0;
    restart.unlock();
    restart_session(self);
    restart.lock();
  }
}

static void start_restarts(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  std::lock_guard<std::mutex> restart(state->restart_lock);
  state->restart_cancelled = false;
  state->restart_due_us = 0;
  state->restarts_in_a_row = 0;
  state->streamed = false;
  state->media_path_retried = false;
  state->restart_worker = std::thread(run_restarts, self);
}

static void cancel_restarts(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  {
    std::lock_guard<std::mutex> restart(state->restart_lock);
    state->restart_cancelled = true;
    state->restart_wake.notify_all();
    /* The next run holds its early errors again; this one's are moot. */
    state->errors_may_post = false;
    state->held_errors.clear();
    state->held_errors_due_us = 0;
  }
  if (state->restart_worker.joinable())
    state->restart_worker.join(); /* after a restart in progress */
}

static GstStateChangeReturn gst_roborock_src_change_state(GstElement *element,
                                                          GstStateChange transition) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(element);
  switch (transition) {
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    if (!start_session(self))
      return GST_STATE_CHANGE_FAILURE;
    warn_if_plain_mqtt(self);
    start_restarts(self);
    self->state->outputs->start_gaps();
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    self->state->outputs->stop_gaps(); /* before the pads are deactivated */
    cancel_restarts(self);
    stop_session(self);
    break;
  default:
    break;
  }

  GstStateChangeReturn result = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (result == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
      self->state->outputs->stop_gaps();
      cancel_restarts(self);
      stop_session(self);
      release_session(self);
    }
    return result;
  }

  switch (transition) {
  case GST_STATE_CHANGE_READY_TO_PAUSED:
  case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    result = GST_STATE_CHANGE_NO_PREROLL; /* a live source */
    break;
  case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
    if (auto media = running_media(self))
      media->allow_offer();
    post_held_errors(self);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    release_session(self);
    break;
  default:
    break;
  }
  return result;
}

/* Talk-back request pad */

static GstPad *gst_roborock_src_request_new_pad(GstElement *element, GstPadTemplate *templ,
                                                const gchar *name, const GstCaps *caps) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(element);
  RoborockSrcState *state = self->state;
  if (auto missing = missing_talkback_element()) {
    post_missing_element(element, *missing); /* unlocked: posting runs bus handlers */
    return NULL;
  }
  bool running;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    if (state->talkback) {
      GST_WARNING_OBJECT(self, "there is only one talkback pad");
      return NULL;
    }
    running = state->media != nullptr;
  }
  if (running)
    GST_WARNING_OBJECT(self, "talkback requested while a session runs: it takes effect "
                             "from the next start");
  /* Built unlocked: it adds its chain to the bin. */
  auto talkback = std::make_shared<Talkback>(GST_BIN(self), templ);
  GstPad *pad = talkback->pad();
  bool taken = false;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    if (!state->talkback) {
      state->talkback = talkback;
      taken = true;
    }
  }
  if (!taken) { /* another request won meanwhile */
    GST_WARNING_OBJECT(self, "there is only one talkback pad");
    return NULL; /* our chain goes with the last reference */
  }
  if (GST_STATE(element) > GST_STATE_READY)
    gst_pad_set_active(pad, TRUE);
  gst_element_add_pad(element, pad);
  return pad;
}

static void gst_roborock_src_release_pad(GstElement *element, GstPad *pad) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(element);
  std::shared_ptr<Talkback> talkback;
  {
    std::lock_guard<std::mutex> lock(self->state->runtime_lock);
    if (!self->state->talkback || self->state->talkback->pad() != pad)
      return;
    talkback = std::move(self->state->talkback);
  }
  gst_element_remove_pad(element, pad);
  talkback.reset(); /* a running session keeps its chain until it ends */
}

/* Action signals */

/* Sends a command and waits for the robot's reply (bounded by the timeout). */
static Result<std::string>
call_and_wait(GstRoborockSrc *self,
              const std::function<void(CameraSession &, CameraSession::CommandCallback)> &send) {
  auto session = running_session(self);
  if (!session)
    return Error{ErrorCode::Cancelled, "the element is not running (set it to PLAYING first)"};
  if (EventLoop::shared().in_loop_thread())
    return Error{ErrorCode::Cancelled, "cannot wait for the robot from a session callback"};
  guint timeout_s = copy_settings(self).timeout_s;
  auto reply = std::make_shared<std::promise<Result<std::string>>>();
  std::future<Result<std::string>> future = reply->get_future();
  send(*session, [reply](Result<std::string> result) { reply->set_value(std::move(result)); });
  if (future.wait_for(std::chrono::seconds(timeout_s + 2)) != std::future_status::ready)
    return Error{ErrorCode::RobotTimeout, "no reply from the robot"};
  return future.get();
}

static gboolean report(GstRoborockSrc *self, const char *what, const Result<std::string> &result) {
  if (result)
    return TRUE;
  GST_ELEMENT_WARNING(self, RESOURCE, FAILED, ("%s: %s", what, result.error().message.c_str()),
                      ("%s", error_code_name(result.error().code)));
  return FALSE;
}

static gboolean gst_roborock_src_rc_start(GstRoborockSrc *self) {
  return report(self, "rc-start", call_and_wait(self, [](CameraSession &s, auto done) {
                  s.rc_start(std::move(done));
                }));
}

static gboolean gst_roborock_src_rc_stop(GstRoborockSrc *self) {
  return report(self, "rc-stop", call_and_wait(self, [](CameraSession &s, auto done) {
                  s.rc_end(std::move(done));
                }));
}

/* Moves are sent without waiting (a caller repeats them every few hundred
 * milliseconds); a refusal is posted as a warning. */
static gboolean gst_roborock_src_rc_move(GstRoborockSrc *self, gdouble velocity, gdouble omega,
                                         guint duration_ms) {
  auto session = running_session(self);
  if (!session) {
    GST_ELEMENT_WARNING(self, RESOURCE, FAILED, ("rc-move: the element is not running"), (NULL));
    return FALSE;
  }
  GstRoborockSrc *ref = GST_ROBOROCK_SRC(gst_object_ref(self));
  session->rc_move(velocity, omega, duration_ms, [ref](Result<std::string> result) {
    report(ref, "rc-move", result);
    gst_object_unref(ref);
  });
  return TRUE;
}

static gchar *gst_roborock_src_send_command(GstRoborockSrc *self, const gchar *method,
                                            const gchar *params_json) {
  if (!method || !*method) {
    GST_ELEMENT_WARNING(self, RESOURCE, FAILED, ("send-command: no method given"), (NULL));
    return NULL;
  }
  std::string params = params_json && *params_json ? params_json : "[]";
  auto parsed = parse_json(params, "send-command params");
  if (!parsed || !(JSON_NODE_HOLDS_OBJECT(parsed->get()) || JSON_NODE_HOLDS_ARRAY(parsed->get()))) {
    GST_ELEMENT_WARNING(self, RESOURCE, FAILED,
                        ("send-command %s: params must be a JSON object or list", method),
                        ("%s", parsed ? "not an object or list" : parsed.error().message.c_str()));
    return NULL;
  }
  std::string name = method;
  std::string compact = serialize_json(parsed->get());
  auto result = call_and_wait(self, [&name, &compact](CameraSession &s, auto done) {
    s.send_command(name, compact, std::move(done));
  });
  if (!report(self, ("send-command " + name).c_str(), result))
    return NULL;
  return g_strdup(result->c_str());
}

/* Properties */

/* The string properties, each an ElementSettings member. A secret never
 * reads back: reading says whether one is set, not what it is. */
struct StringProperty {
  guint id;
  const char *name;
  const char *nick;
  const char *blurb;
  std::string ElementSettings::*member;
  bool secret;
};

static const StringProperty kStringProperties[] = {
    /**
     * GstRoborockSrc:duid:
     *
     * The robot's device id, or its name in the credentials file (any case).
     * May be left out when the credentials file lists exactly one robot.
     *
     * Since: 0.1
     */
    {PROP_DUID, "duid", "Device id",
     "The robot's device id (duid), or its name from the credentials file; may be left out "
     "when the file lists exactly one robot",
     &ElementSettings::duid, false},
    /**
     * GstRoborockSrc:local-key:
     *
     * The robot's 16-character local key (home data's `localKey`), which
     * encrypts its messages. A secret: it reads back masked.
     *
     * Since: 0.1
     */
    {PROP_LOCAL_KEY, "local-key", "Local key",
     "The robot's 16-character local key (secret; reads back masked)", &ElementSettings::local_key,
     true},
    /**
     * GstRoborockSrc:rriot-u:
     *
     * `rriot.u` of the Roborock account: the account's id for the broker.
     *
     * Since: 0.1
     */
    {PROP_RRIOT_U, "rriot-u", "Account user id", "rriot.u of the Roborock account",
     &ElementSettings::rriot_u, false},
    /**
     * GstRoborockSrc:rriot-s:
     *
     * `rriot.s` of the Roborock account. A secret: it reads back masked.
     *
     * Since: 0.1
     */
    {PROP_RRIOT_S, "rriot-s", "Account secret",
     "rriot.s of the Roborock account (secret; reads back masked)", &ElementSettings::rriot_s,
     true},
    /**
     * GstRoborockSrc:rriot-k:
     *
     * `rriot.k` of the Roborock account. A secret: it reads back masked.
     *
     * Since: 0.1
     */
    {PROP_RRIOT_K, "rriot-k", "Account key",
     "rriot.k of the Roborock account (secret; reads back masked)", &ElementSettings::rriot_k,
     true},
    /**
     * GstRoborockSrc:region:
     *
     * The cloud region, `us`, `eu`, `cn` or `ru`, for the broker
     * `ssl://mqtt-REGION.roborock.com:8883`. #GstRoborockSrc:mqtt-url and
     * the account's own broker (from the credentials file) take precedence.
     *
     * Since: 0.1
     */
    {PROP_REGION, "region", "Region",
     "Cloud region shorthand: us, eu, cn or ru (ssl://mqtt-REGION.roborock.com:8883)",
     &ElementSettings::region, false},
    /**
     * GstRoborockSrc:mqtt-url:
     *
     * The broker, e.g. `ssl://mqtt-eu-3.roborock.com:8883` (`rriot.r.m`).
     * `tcp://` and `mqtt://` are plain MQTT, for tests: a warning says so.
     *
     * Since: 0.1
     */
    {PROP_MQTT_URL, "mqtt-url", "MQTT URL",
     "Broker URL, e.g. ssl://mqtt-eu-3.roborock.com:8883 (overrides region)",
     &ElementSettings::mqtt_url, false},
    /**
     * GstRoborockSrc:tls-ca-file:
     *
     * CA certificates (PEM) to verify the broker with instead of the
     * system's. The broker's certificate is always verified.
     *
     * Since: 0.1
     */
    {PROP_TLS_CA_FILE, "tls-ca-file", "TLS CA file",
     "CA certificates to verify the broker with (default: the system's)",
     &ElementSettings::tls_ca_file, false},
    /**
     * GstRoborockSrc:credentials-file:
     *
     * A file with the account and its robots: roborock-login's, Home
     * Assistant's `.storage/core.config_entries` (or the `.storage`
     * directory), python-roborock's cache or a user_data JSON file. It fills
     * in what is not set explicitly. Without any account setting, the
     * element reads `$ROBOROCK_CREDENTIALS` or roborock-login's file.
     *
     * Since: 0.1
     */
    {PROP_CREDENTIALS_FILE, "credentials-file", "Credentials file",
     "roborock-login's file, Home Assistant's .storage/core.config_entries (or .storage "
     "directory), python-roborock's cache or a user_data JSON file; fills in what is not set "
     "explicitly",
     &ElementSettings::credentials_file, false},
    /**
     * GstRoborockSrc:password:
     *
     * The digits of the camera's pattern password (keypad numbering), not
     * the account password. A rejected pattern is never sent again, not even
     * by a later run, since robots lock remote viewing after repeated
     * failures. A secret: it reads back masked.
     *
     * Since: 0.1
     */
    {PROP_PASSWORD, "password", "Pattern password",
     "The digits of the camera's pattern password, e.g. 2580 (secret; reads back masked; "
     "never retried when rejected)",
     &ElementSettings::password, true},
    /**
     * GstRoborockSrc:client-id:
     *
     * How the robot knows this viewer. The default is stable per machine,
     * so a session of ours that did not end cleanly is recognised and ended
     * on the next start; it reads back as the id in use.
     *
     * Since: 0.1
     */
    {PROP_CLIENT_ID, "client-id", "Client id",
     "How the robot knows this viewer (default: stable per machine, so a stale session of ours "
     "can be ended)",
     &ElementSettings::client_id, false},
};

static const StringProperty *find_string_property(guint id) {
  for (const StringProperty &property : kStringProperties)
    if (property.id == id)
      return &property;
  return nullptr;
}

/* Fills `value` with a string property's reading. */
static void read_string_property(GValue *value, const StringProperty &property,
                                 const std::string &text) {
  if (text.empty())
    g_value_set_string(value, property.id == PROP_CLIENT_ID ? default_client_id().c_str() : NULL);
  else
    g_value_set_string(value, property.secret ? MASKED_SECRET : text.c_str());
}

static GstStructure *make_stats(GstRoborockSrc *self) {
  RoborockSrcState *state = self->state;
  SessionState session_state = state->session_state;
  GstStructure *stats = gst_structure_new(
      "application/x-roborock-stats", "state", G_TYPE_STRING,
      session_state == SessionState::Idle ? "idle" : state_message_name(session_state),
      "bytes-received", G_TYPE_UINT64, G_GUINT64_CONSTANT(0), "packets-received", G_TYPE_UINT64,
      G_GUINT64_CONSTANT(0), "packets-lost", G_TYPE_INT64, G_GINT64_CONSTANT(0), "round-trip-time",
      G_TYPE_DOUBLE, -1.0, "jitter", G_TYPE_DOUBLE, -1.0, "local-candidate-type", G_TYPE_STRING,
      "none", "remote-candidate-type", G_TYPE_STRING, "none", NULL);
  std::shared_ptr<WebrtcMedia> media;
  std::shared_ptr<Talkback> talkback_chain;
  {
    std::lock_guard<std::mutex> lock(state->runtime_lock);
    media = state->media;
    talkback_chain = state->talkback;
  }
  guint64 video = state->outputs->video_frames(), audio = state->outputs->audio_frames();
  guint64 talkback = talkback_chain ? talkback_chain->frames_sent() : 0;
  guint reconnects = media ? media->session()->reconnect_count() : 0;
  guint undecodable = media ? media->session()->undecodable_count() : 0;
  if (media)
    media->add_stats(stats); /* unlocked: it waits for webrtcbin's get-stats */
  gst_structure_set(stats, "video-frames", G_TYPE_UINT64, video, "audio-frames", G_TYPE_UINT64,
                    audio, "talkback-frames", G_TYPE_UINT64, talkback, "reconnects", G_TYPE_UINT,
                    reconnects, "undecodable-frames", G_TYPE_UINT, undecodable, NULL);
  return stats;
}

static void gst_roborock_src_set_property(GObject *object, guint prop_id, const GValue *value,
                                          GParamSpec *pspec) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(object);
  if (prop_id == PROP_QUALITY) {
    auto quality = VideoQuality(g_value_get_enum(value));
    GST_OBJECT_LOCK(self);
    self->state->settings.quality = quality;
    GST_OBJECT_UNLOCK(self);
    if (auto running = running_session(self)) /* switch the robot's stream while playing */
      running->set_quality(quality);
    return;
  }
  GST_OBJECT_LOCK(self);
  ElementSettings &s = self->state->settings;
  if (const StringProperty *property = find_string_property(prop_id)) {
    const gchar *text = g_value_get_string(value);
    s.*property->member = text ? text : "";
  } else if (prop_id == PROP_AUDIO) {
    s.audio = g_value_get_boolean(value);
  } else if (prop_id == PROP_LATENCY) {
    s.latency_ms = g_value_get_uint(value);
  } else if (prop_id == PROP_TIMEOUT) {
    s.timeout_s = g_value_get_uint(value);
  } else if (prop_id == PROP_TALKBACK_VOLUME) {
    s.talkback_volume = g_value_get_uint(value);
  } else if (prop_id == PROP_MEDIA_TIMEOUT) {
    s.media_timeout_s = g_value_get_uint(value);
  } else if (prop_id == PROP_MAX_RESTARTS) {
    s.max_restarts = g_value_get_int(value);
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_roborock_src_get_property(GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(object);
  if (prop_id == PROP_STATS) {
    g_value_take_boxed(value, make_stats(self));
    return;
  }
  const ElementSettings s = copy_settings(self);
  if (const StringProperty *property = find_string_property(prop_id))
    read_string_property(value, *property, s.*property->member);
  else if (prop_id == PROP_QUALITY)
    g_value_set_enum(value, GstRoborockSrcQuality(s.quality));
  else if (prop_id == PROP_AUDIO)
    g_value_set_boolean(value, s.audio);
  else if (prop_id == PROP_LATENCY)
    g_value_set_uint(value, s.latency_ms);
  else if (prop_id == PROP_TIMEOUT)
    g_value_set_uint(value, s.timeout_s);
  else if (prop_id == PROP_TALKBACK_VOLUME)
    g_value_set_uint(value, s.talkback_volume);
  else if (prop_id == PROP_MEDIA_TIMEOUT)
    g_value_set_uint(value, s.media_timeout_s);
  else if (prop_id == PROP_MAX_RESTARTS)
    g_value_set_int(value, s.max_restarts);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

/* URI handler: roborock://<duid>?local-key=..&u=..&s=..&k=..&password=.. */

static GstURIType gst_roborock_src_uri_get_type(GType) {
  return GST_URI_SRC;
}

static const gchar *const *gst_roborock_src_uri_get_protocols(GType) {
  static const gchar *protocols[] = {kUriScheme, NULL};
  return protocols;
}

static gchar *gst_roborock_src_uri_get_uri(GstURIHandler *handler) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(handler);
  /* Only the duid (or name): secrets must not travel in URIs that others log. */
  g_autofree gchar *robot = g_uri_escape_string(copy_settings(self).duid.c_str(), nullptr, FALSE);
  return g_strdup_printf("%s://%s", kUriScheme, robot);
}

static gboolean gst_roborock_src_uri_set_uri(GstURIHandler *handler, const gchar *uri,
                                             GError **error) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(handler);
  if (GST_STATE(self) > GST_STATE_READY) {
    g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
                "the URI can only change in the NULL or READY state");
    return FALSE;
  }
  auto assignments = parse_roborock_uri(uri ? uri : "");
  if (!assignments) {
    g_set_error(error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI, "%s",
                assignments.error().message.c_str());
    return FALSE;
  }
  for (const auto &assignment : *assignments)
    gst_util_set_object_arg(G_OBJECT(self), assignment.first.c_str(), assignment.second.c_str());
  return TRUE;
}

static void gst_roborock_src_uri_handler_init(gpointer iface, gpointer) {
  auto *uri = static_cast<GstURIHandlerInterface *>(iface);
  uri->get_type = gst_roborock_src_uri_get_type;
  uri->get_protocols = gst_roborock_src_uri_get_protocols;
  uri->get_uri = gst_roborock_src_uri_get_uri;
  uri->set_uri = gst_roborock_src_uri_set_uri;
}

/* GObject */

static void gst_roborock_src_init(GstRoborockSrc *self) {
  GST_DEBUG_CATEGORY_INIT(gst_roborock_src_debug, "roborocksrc", 0, "Roborock camera source");
  self->state = new RoborockSrcState(std::make_shared<OutputPads>(
      GST_ELEMENT(self), [self](GstEvent *event) { handle_navigation(self, event); },
      [self] { on_audio_linked(self); }));
  /* A source without sinks: no async state changes, no EOS aggregation needed. */
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SOURCE);
  gst_bin_set_suppressed_flags(GST_BIN(self),
                               GstElementFlags(GST_ELEMENT_FLAG_SOURCE | GST_ELEMENT_FLAG_SINK));
}

static void gst_roborock_src_finalize(GObject *object) {
  GstRoborockSrc *self = GST_ROBOROCK_SRC(object);
  delete self->state;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void install_string_properties(GObjectClass *object_class) {
  for (const StringProperty &property : kStringProperties)
    g_object_class_install_property(
        object_class, property.id,
        g_param_spec_string(
            property.name, property.nick, property.blurb, DEFAULT_STRING,
            GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
}

static void gst_roborock_src_class_init(GstRoborockSrcClass *klass) {
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);

  object_class->set_property = gst_roborock_src_set_property;
  object_class->get_property = gst_roborock_src_get_property;
  object_class->finalize = gst_roborock_src_finalize;

  install_string_properties(object_class);
  /**
   * GstRoborockSrc:quality:
   *
   * The robot's video quality. Changing it while playing sends
   * switch_video_quality; a refusal is posted as a warning.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_QUALITY,
      g_param_spec_enum(
          "quality", "Quality",
          "Video quality; changing it while playing switches the robot's stream",
          GST_TYPE_ROBOROCK_SRC_QUALITY, DEFAULT_QUALITY,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  /**
   * GstRoborockSrc:audio:
   *
   * Whether the robot's audio is offered on the "audio" pad. Voice chat
   * (start_voice_chat), which puts the robot in its call state and pauses
   * its cleaning, starts only when the "audio" pad is linked or a
   * "talkback" pad exists.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_AUDIO,
      g_param_spec_boolean(
          "audio", "Audio",
          "Offer the robot's audio on the audio pad. Voice chat (start_voice_chat) starts "
          "only when the audio pad is linked or a talkback pad exists: it puts the robot in "
          "its call state and pauses cleaning",
          DEFAULT_AUDIO,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  /**
   * GstRoborockSrc:latency:
   *
   * The jitter buffers' size in milliseconds: how long a lost packet may
   * take to be sent again (docs/performance.md has the loss measurements
   * behind the default).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_LATENCY,
      g_param_spec_uint(
          "latency", "Latency", "Jitter buffer size in milliseconds", 0, 10000, DEFAULT_LATENCY,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  /**
   * GstRoborockSrc:timeout:
   *
   * Seconds to wait for the robot's reply to each command; the action
   * signals that wait for the robot block at most this plus 2 s.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_TIMEOUT,
      g_param_spec_uint(
          "timeout", "Timeout", "Seconds to wait for the robot's reply to each command", 1, 120,
          DEFAULT_TIMEOUT,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  /**
   * GstRoborockSrc:talkback-volume:
   *
   * The robot's speaker volume for talk-back (set_voice_chat_volume,
   * 0-100), sent when a "talkback" pad starts voice chat.
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_TALKBACK_VOLUME,
      g_param_spec_uint(
          "talkback-volume", "Talk-back volume",
          "The robot's speaker volume for talk-back (set_voice_chat_volume, "
          "0-100); sent when a talkback pad starts voice chat, which pauses the "
          "robot's cleaning",
          0, 100, DEFAULT_TALKBACK_VOLUME,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  /**
   * GstRoborockSrc:media-timeout:
   *
   * While streaming, this many seconds without video means the stream is
   * lost (a robot that reboots or drops off Wi-Fi says nothing), whatever
   * ICE says; 0 turns the watchdog off. A lost stream is restarted (see
   * #GstRoborockSrc:max-restarts).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_MEDIA_TIMEOUT,
      g_param_spec_uint(
          "media-timeout", "Media timeout",
          "Seconds without video while streaming before the stream counts as lost (0: never)", 0,
          600, DEFAULT_MEDIA_TIMEOUT,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY)));
  /**
   * GstRoborockSrc:max-restarts:
   *
   * How many times in a row a lost stream (media gone, connection lost,
   * robot silent after having streamed) is restarted on its own, with
   * backoff and jitter, before the element posts an error; -1 restarts for
   * ever. Each attempt posts a warning and a `roborock-state` message
   * `restarting` with `attempt` and `reason`. A stream that plays again
   * resets the count. Refusals (wrong pattern, busy, dock) never restart.
   * Before the first stream only a failed media path is tried again, once
   * (it counts as an attempt).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_MAX_RESTARTS,
      g_param_spec_int(
          "max-restarts", "Maximum restarts",
          "Restarts in a row of a lost stream before an error (-1: for ever, 0: never)", -1,
          G_MAXINT, DEFAULT_MAX_RESTARTS,
          GParamFlags(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  /**
   * GstRoborockSrc:stats:
   *
   * An `application/x-roborock-stats` structure: state, bytes-received,
   * packets-received, packets-lost, round-trip-time (s, -1 if unknown),
   * jitter, local-candidate-type, remote-candidate-type, video-frames,
   * audio-frames, talkback-frames, reconnects, undecodable-frames. Reading
   * it while streaming waits for webrtcbin's statistics (milliseconds).
   *
   * Since: 0.1
   */
  g_object_class_install_property(
      object_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "application/x-roborock-stats: state, bytes-received, "
                         "packets-received, packets-lost, round-trip-time (s, -1 if unknown), "
                         "jitter, local/remote-candidate-type, video-frames, audio-frames, "
                         "talkback-frames, reconnects, undecodable-frames",
                         GST_TYPE_STRUCTURE,
                         GParamFlags(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  /**
   * GstRoborockSrc::rc-start:
   *
   * Enters remote-control mode (app_rc_start). Blocks until the robot
   * replies, at most #GstRoborockSrc:timeout + 2 s; a refusal is also posted
   * as a warning. Not from a session callback (it returns %FALSE there).
   *
   * Returns: %TRUE if the robot accepted.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RC_START] = g_signal_new_class_handler(
      "rc-start", G_TYPE_FROM_CLASS(klass), GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_roborock_src_rc_start), NULL, NULL, NULL, G_TYPE_BOOLEAN, 0);
  /**
   * GstRoborockSrc::rc-move:
   * @velocity: metres per second, forward positive (about 0.2)
   * @omega: radians per second, counter-clockwise positive (about 0.53)
   * @duration_ms: how long the move lasts (about 500; repeat to keep moving)
   *
   * Sends one move (app_rc_move, with an increasing seqnum). Does not
   * block: a refusal is posted as a warning.
   *
   * Returns: %TRUE if it was sent.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RC_MOVE] = g_signal_new_class_handler(
      "rc-move", G_TYPE_FROM_CLASS(klass), GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_roborock_src_rc_move), NULL, NULL, NULL, G_TYPE_BOOLEAN, 3, G_TYPE_DOUBLE,
      G_TYPE_DOUBLE, G_TYPE_UINT);
  /**
   * GstRoborockSrc::rc-stop:
   *
   * Leaves remote-control mode (app_rc_end). To stop moving but stay in
   * remote control, release the keys (app_rc_stop) or send rc-move with zero
   * speeds. Blocks like #GstRoborockSrc::rc-start.
   *
   * Returns: %TRUE if the robot accepted.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RC_STOP] = g_signal_new_class_handler(
      "rc-stop", G_TYPE_FROM_CLASS(klass), GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_roborock_src_rc_stop), NULL, NULL, NULL, G_TYPE_BOOLEAN, 0);
  /**
   * GstRoborockSrc::send-command:
   * @method: the command name
   * @params_json: its parameters, a JSON object or list (NULL for [])
   *
   * Sends any command to the robot. Blocks until the robot replies, at
   * most #GstRoborockSrc:timeout + 2 s; a command in flight when the element
   * stops ends at once.
   *
   * Returns: (transfer full) (nullable): the result as JSON, or %NULL (with a
   * warning message) on error.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SEND_COMMAND] = g_signal_new_class_handler(
      "send-command", G_TYPE_FROM_CLASS(klass), GSignalFlags(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_roborock_src_send_command), NULL, NULL, NULL, G_TYPE_STRING, 2, G_TYPE_STRING,
      G_TYPE_STRING);
  element_class->change_state = gst_roborock_src_change_state;
  element_class->request_new_pad = gst_roborock_src_request_new_pad;
  element_class->release_pad = gst_roborock_src_release_pad;
  gst_element_class_add_static_pad_template(element_class, &video_template);
  gst_element_class_add_static_pad_template(element_class, &audio_template);
  gst_element_class_add_static_pad_template(element_class, &talkback_template);
  gst_element_class_set_static_metadata(
      element_class, "Roborock camera source", "Source/Network",
      "Live video and audio from a Roborock robot vacuum's camera, with talk-back and remote "
      "control",
      "roborocksrc developers");
  gst_type_mark_as_plugin_api(GST_TYPE_ROBOROCK_SRC_QUALITY, GstPluginAPIFlags(0));
}
