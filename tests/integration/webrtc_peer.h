// SPDX-License-Identifier: LGPL-2.1-or-later
// A plain webrtcbin offerer for the camera-session tests: it implements the
// session's listener, decodes what arrives with real decoders and counts it.
// Deliberately small; the product's media side is the roborocksrc element.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "camera_session.h"
#include "robot_sdp.h"

namespace roborock::test {

class WebrtcPeer : public CameraSessionListener {
public:
  struct Options {
    bool relay_only = false; // ice-transport-policy=relay
    bool decode = true;      // false: depayload (and parse) only
  };

  explicit WebrtcPeer(Options options);
  ~WebrtcPeer() override;

  // The session to feed the offer, candidates and "connected" back into. Set
  // before the session starts.
  void attach(CameraSession *session) { session_ = session; }

  void on_session_state(SessionState state) override;
  void on_turn_server(const TurnServer &turn) override;
  void on_offer_needed() override;
  void on_answer(const SessionDescription &answer) override;
  void on_remote_candidate(const IceCandidate &candidate) override;
  void on_session_error(const Error &error, bool fatal) override;

  // Observations (thread-safe).
  int decoded_video_frames() const { return video_frames_; }
  int decoded_audio_buffers() const { return audio_buffers_; }
  gint64 first_frame_time_us() const { return first_frame_us_; }
  std::vector<SessionState> states() const;
  std::vector<Error> errors(bool fatal_only) const;
  size_t remote_candidates() const { return remote_candidates_; }
  // The candidate types ("host", "relay", ...) of the selected pair, from
  // webrtcbin's statistics: "local/remote", or "" when none is selected.
  std::string selected_pair_types();

private:
  static void on_offer_created(GstPromise *promise, gpointer self);
  static void on_local_candidate(GstElement *, guint mline, gchar *candidate, WebrtcPeer *self);
  static void on_connection_state(GstElement *webrtc, GParamSpec *, WebrtcPeer *self);
  static void on_pad_added(GstElement *, GstPad *pad, WebrtcPeer *self);

  Options options_;
  CameraSession *session_ = nullptr;
  GstElement *pipeline_;
  GstElement *webrtc_;
  std::atomic<int> video_frames_{0};
  std::atomic<int> audio_buffers_{0};
  std::atomic<gint64> first_frame_us_{0};
  std::atomic<size_t> remote_candidates_{0};
  mutable std::mutex mutex_;
  RobotOffer robot_offer_;
  std::string robot_answer_;
  std::vector<SessionState> states_;
  std::vector<std::pair<Error, bool>> errors_;
};

} // namespace roborock::test
