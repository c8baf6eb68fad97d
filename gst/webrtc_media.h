// SPDX-License-Identifier: LGPL-2.1-or-later
// The media side of one camera session: it owns the element's webrtcbin and
// the CameraSession it listens to, answers the session's requests (TURN,
// offer, answer, candidates) and reports "connected" back.
//
// The client offers: video recvonly (H.264), audio sendrecv when a talk-back
// pad exists, recvonly otherwise (Opus, then PCMU and PCMA); bundled on one
// transport. The robot gets the offer in the form real robots answer
// (robot_sdp.h); its answer and candidates are mapped back for webrtcbin.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include <gst/gst.h>

#include "camera_session.h"
#include "element_settings.h"
#include "output_pads.h"
#include "robot_sdp.h"

namespace roborock {

class Talkback;

class WebrtcMedia : public CameraSessionListener {
public:
  struct Events {
    std::function<void(SessionState)> on_state;
    std::function<void(const Error &, bool fatal)> on_error;
  };
  struct Config {
    unsigned latency_ms = kDefaultLatencyMs;
    bool audio = true;
    std::shared_ptr<Talkback> talkback; // the talk-back chain, if the pad was requested
  };

  // Creates webrtcbin inside `element` (a GstBin), and the camera session
  // (not started yet) with this as its listener; the RTP streams go to
  // `outputs` (the element's pads, which outlive this session).
  WebrtcMedia(GstElement *element, Config config, CameraSessionConfig session_config,
              std::shared_ptr<OutputPads> outputs, Events events);
  ~WebrtcMedia() override; // stops the session, then teardown()

  // For commands; whoever keeps it longer than this gets a stopped session.
  const std::shared_ptr<CameraSession> &session() const { return session_; }
  // The element reached PLAYING: an offer may be made (talk-back requested
  // before now is in it).
  void allow_offer();
  void start_playing(); // joined a PLAYING element (a restart): sync state, then offer
  // After the session stopped and the bin went to READY: removes webrtcbin,
  // this session's output chains and the talk-back link.
  void teardown();

  // webrtcbin's statistics, summed for the stats property.
  void add_stats(GstStructure *stats);

  // CameraSessionListener (signaling thread).
  void on_session_state(SessionState state) override;
  void on_turn_server(const TurnServer &turn) override;
  void on_offer_needed() override;
  void on_answer(const SessionDescription &answer) override;
  void on_remote_candidate(const IceCandidate &candidate) override;
  void on_session_error(const Error &error, bool fatal) override;

private:
  void create_offer();
  void add_transceivers();
  static void on_offer_created(GstPromise *promise, gpointer self);
  static void on_local_description_set(GstPromise *promise, gpointer self);
  static void on_description_set(GstPromise *promise, gpointer self);
  void check_description_set(GstPromise *promise, const char *what);
  void media_failed(const Error &error);
  static void on_local_candidate(GstElement *, guint mline, gchar *candidate, WebrtcMedia *self);
  static void on_connection_state(GstElement *webrtc, GParamSpec *, WebrtcMedia *self);
  static void on_pad_added(GstElement *, GstPad *pad, WebrtcMedia *self);

  GstElement *element_;
  Config config_;
  Events events_;
  GstElement *webrtc_;
  std::shared_ptr<OutputPads> outputs_;
  std::shared_ptr<CameraSession> session_; // created last: it calls this back
  std::mutex mutex_; // the offer flags and SDPs below; webrtc_ against add_stats()
  bool offer_allowed_ = false;
  bool offer_needed_ = false;
  bool offer_created_ = false;
  bool connected_ = false;
  RobotOffer robot_offer_;   // as sent: its mids name the answer's
  std::string robot_answer_; // as received: for the robot's candidates' mids
};

} // namespace roborock
