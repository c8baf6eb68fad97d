// SPDX-License-Identifier: LGPL-2.1-or-later
// One camera session with one robot (protocol reference §5), independent of
// any media framework: the media side (the GStreamer element, or a test's
// webrtcbin) implements CameraSessionListener and feeds back its offer, its
// local ICE candidates and "connected".
//
// The flow, as the clients that stream real robots run it (protocol
// reference, "The camera flow"):
//
//   connect MQTT ─┬─ check_homesec_password (only with a pattern; exactly once;
//                 │                         a rejection is final)
//                 └─ get_homesec_connect_status (stale session of ours / busy)
//   password ok + status ─ [stop_camera_preview {client_id} of our stale
//                          session, then status re-checked until it is free]
//                        ─ start_camera_preview ─ get_turn_server right behind
//                          it ("retry" asks again with back-off)
//   preview ok + TURN known ─ on_offer_needed()
//   send_offer() ─ send_sdp_to_robot ─ queued candidates out via send_ice_to_robot
//               ─ get_device_sdp polled (adaptive; a bad or missed reply is
//                 not fatal) ─ on_answer()
//               ─ get_device_ice polled, deduplicated ─ on_remote_candidate()
//   set_media_connected() ─ Streaming ─ start_voice_chat {record, play} only
//                 when audio or talk-back is wanted (it pauses cleaning)
//   stop() ─ stop_camera_preview {client_id}
//
// Threading: all methods may be called from any thread; they hand the work to
// the EventLoop. Listener callbacks run on the EventLoop thread, one at a time.
// stop() blocks (bounded) until the session has ended, and guarantees that no
// listener callback runs after it returns; do not call it while holding a lock
// that a listener callback takes.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "camera_commands.h"
#include "credentials.h"
#include "error.h"
#include "event_loop.h"
#include "payload.h"

namespace roborock {

enum class SessionState {
  Idle,
  Connecting,     // MQTT connection to the broker
  Authenticating, // pattern password check
  Negotiating,    // preview, TURN, offer/answer, ICE
  Streaming,      // the media side reported its connection up
  Reconnecting,   // MQTT lost while streaming; media may continue meanwhile
  Stopped,
  Failed,
};
const char *session_state_name(SessionState state);

class CameraSessionListener {
public:
  virtual ~CameraSessionListener() = default;
  virtual void on_session_state(SessionState state) = 0;
  // The TURN relay to use; arrives before on_offer_needed().
  virtual void on_turn_server(const TurnServer &turn) = 0;
  // Create the offer now and pass it to send_offer().
  virtual void on_offer_needed() = 0;
  virtual void on_answer(const SessionDescription &answer) = 0;
  virtual void on_remote_candidate(const IceCandidate &candidate) = 0;
  // Fatal errors end the session (state Failed); others are warnings.
  virtual void on_session_error(const Error &error, bool fatal) = 0;
};

// Defaults, which the element's properties share (element_settings.h).
constexpr unsigned kDefaultCommandTimeoutMs = 10000;
constexpr unsigned kDefaultMediaTimeoutMs = 5000;
constexpr unsigned kDefaultTalkbackVolume = 80; // of 100

struct CameraSessionConfig {
  BrokerAddress broker;
  std::string ca_file; // empty: the system trust store
  std::string rriot_u, rriot_s, rriot_k;
  // Where rriot_u/s/k came from, if from a credentials file: when the broker
  // refuses them on a reconnect (the account logged in again and its keys
  // were renewed), the session reads the file again and goes on with the
  // keys it has now, once per new set of keys.
  std::string credentials_file;
  std::string duid;
  std::string local_key;
  std::string pattern_password; // the pattern digits; empty: the robot has none
  std::string client_id;        // who views, as the robot sees it
  VideoQuality quality = VideoQuality::HD;
  // Voice chat puts the robot "in a call" and pauses its cleaning: started
  // only when wanted. record: the robot's microphone to us; play: talk-back.
  bool voice_record = false;
  bool voice_play = false;
  unsigned talkback_volume = kDefaultTalkbackVolume; // set_voice_chat_volume, with play
  bool end_stale_session = true;
  unsigned command_timeout_ms = kDefaultCommandTimeoutMs;
  // From start() until the media side reports connected.
  unsigned negotiation_timeout_ms = 30000;
  // Once streaming: no progress in media_progress (e.g. video frames) for
  // this long means the media is gone, whatever ICE says (0: no watchdog).
  unsigned media_timeout_ms = kDefaultMediaTimeoutMs;
  std::function<uint64_t()> media_progress; // called on the EventLoop thread
};

class CameraSession {
public:
  using CommandCallback = std::function<void(Result<std::string> result_json)>;

  CameraSession(CameraSessionConfig config, CameraSessionListener *listener,
                EventLoop &loop = EventLoop::shared());
  ~CameraSession(); // stops if still running
  CameraSession(const CameraSession &) = delete;
  CameraSession &operator=(const CameraSession &) = delete;

  void start();
  // Ends the session: stop_camera_preview, waiting for its reply at most
  // `grace_ms`. After it returns, the listener is never called again.
  void stop(unsigned grace_ms = 2000);

  void send_offer(const std::string &sdp);
  void add_local_candidate(const IceCandidate &candidate);
  void set_media_connected();
  // The media side failed (offer or answer refused, ICE failed, connection or
  // video lost): the session ends the robot's side (stop_camera_preview),
  // cancels its deadlines and reports `error` once, as fatal.
  void media_failed(const Error &error);

  // Before the preview starts this sets the quality it starts with; after,
  // it sends switch_video_quality. Failures are reported as warnings.
  void set_quality(VideoQuality quality);

  // What voice chat must carry from now on (a flag once on stays on for the
  // session). Sent once the media is up; re-sent when a flag turns on.
  void set_voice_chat(bool record, bool play);

  // Remote control; `done` (optional) gets the result on the EventLoop thread.
  void rc_start(CommandCallback done = nullptr);
  void rc_move(double velocity, double omega, unsigned duration_ms, CommandCallback done = nullptr);
  void rc_halt(CommandCallback done = nullptr); // app_rc_stop: stop moving
  void rc_end(CommandCallback done = nullptr);  // app_rc_end: leave remote control
  // Any command, for what the element does not wrap.
  void send_command(const std::string &method, const std::string &params_json,
                    CommandCallback done);

  SessionState state() const;
  unsigned reconnect_count() const;
  // Frames on the robot's reply topic that did not decode (dropped).
  unsigned undecodable_count() const;

  class Core; // the EventLoop-side state machine

private:
  EventLoop &loop_;
  std::shared_ptr<Core> core_;
};

} // namespace roborock
