// SPDX-License-Identifier: LGPL-2.1-or-later
// The element's src pads: webrtcbin's RTP pads, depayloaded and parsed, behind
// ghost pads named "video" (H.264, avc/au with codec_data) and "audio" (Opus).
//
// - The pads appear when the robot's answer says which streams come (before
//   any data, so an application can link "audio" and thereby ask for voice
//   chat, which the robot starts sending only then).
// - The pads live as long as the element once they exist: each session builds
//   new chains and retargets them, so links made by the application (or by
//   gst-launch) survive stopping and restarting.
// - "video" is always added before "audio", so gst-launch's automatic linking
//   of "roborocksrc ! decodebin" takes the video.
// - A flow combiner makes an unlinked pad harmless: data for it is dropped
//   and not-linked reaches webrtcbin only when no pad is linked at all.
// - no-more-pads follows once every expected pad exists (or a few seconds
//   after video if the robot never sends audio).
// - While a linked pad has nothing to send (audio that has not started or
//   never will, media down during a restart), GAP events up to the present
//   tell downstream that time passes: sinks preroll and mixers move on, and
//   a live pipeline neither stalls nor ends.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gst/base/gstflowcombiner.h>
#include <gst/gst.h>

namespace roborock {

class OutputPads : public std::enable_shared_from_this<OutputPads> {
public:
  using NavigationHandler = std::function<void(GstEvent *event)>;
  using LinkedHandler = std::function<void()>;

  // `element` is the roborocksrc bin. `on_audio_linked` runs (in the linking
  // thread) when the application links "audio".
  OutputPads(GstElement *element, NavigationHandler on_navigation, LinkedHandler on_audio_linked);
  ~OutputPads();

  // The element goes to PAUSED (a run starts: running time, and with it the
  // pads' timestamps, start again) / back to READY: GAP events may flow
  // (while PLAYING) / stop, before the pads are deactivated.
  void start_gaps();
  void stop_gaps();
  // A session starts; `audio_wanted` says whether robot audio goes to "audio"
  // (otherwise it is discarded). Buffers leave webrtcbin up to `latency` after
  // their timestamp, so GAP events stay that far behind the clock.
  void begin_session(bool audio_wanted, GstClockTime latency);
  // The robot's answer: video comes, and audio (with `audio_caps`, those of
  // the robot's codec, taken) if `audio_caps` is not null. Creates the pads.
  void announce(GstCaps *audio_caps);
  // Whether "audio" exists and is linked downstream.
  bool audio_linked() const;
  // For webrtcbin's pad-added (a streaming thread).
  void add_webrtc_pad(GstPad *pad);
  // The session's chains go (webrtcbin no longer streams); the pads stay.
  void end_session();

  uint64_t video_frames() const { return video_frames_; }
  uint64_t audio_frames() const { return audio_frames_; }

private:
  struct Output {
    const char *name;
    GstPad *ghost = nullptr;         // created on first use, kept
    bool exposed = false;            // the ghost is on the element (expose())
    GstElement *chain = nullptr;     // this session's
    bool building = false;           // a chain for it is being built (add_webrtc_pad)
    bool targeted = false;           // the ghost's target is the chain
    std::atomic<bool> linked{false}; // targeted and exposed: data passes; read by streaming threads
    GstCaps *gap_caps = nullptr;     // audio: the stream's caps before its first data
    // What left the ghost, under its internal pad's stream lock (taken by
    // whoever pushes: a streaming thread or the GAP thread).
    GstClockTime next_time = GST_CLOCK_TIME_NONE; // running time: end of the last buffer or GAP
    gint64 last_data_us = 0;                      // when the last buffer left; 0: none yet
    gint64 first_data_us = 0;                     // when the run's first buffer left
  };

  Output *claim_output(GstPad *pad);
  bool adopt_chain(Output *output, GstElement *chain, unsigned session);
  void expose();
  GstElement *build_chain(const char *description);
  void hold_until_linked(Output &output, GstElement *chain);
  void keep_timestamped_gops(GstElement *chain);
  void keep_audio_continuous(GstElement *chain);
  void connect(Output &output);
  void ensure_pad(Output &output);
  GstPad *create_ghost(Output &output);
  void maybe_finish();
  static GstPadProbeReturn track_output(GstPad *ghost, GstPadProbeInfo *info, gpointer data);
  void run_gaps();
  void fill_gap(Output &output, GstClockTime running_time);
  bool start_stream(Output &output, GstPad *ghost);
  static GstFlowReturn chain_combined(GstPad *pad, GstObject *parent, GstBuffer *buffer);
  static GstFlowReturn chain_list_combined(GstPad *pad, GstObject *parent, GstBufferList *list);
  GstFlowReturn combine(GstPad *ghost, GstFlowReturn result, guint frames);

  GstElement *element_;
  NavigationHandler on_navigation_;
  LinkedHandler on_audio_linked_;
  // Pads and chains. Never held across gst_element_add_pad, no-more-pads,
  // gst_bin_add or gst_bin_remove (they run application handlers): see
  // expose(). Held across operations on our own pads only (targets,
  // activation).
  mutable std::mutex mutex_;
  Output video_{"video"};
  Output audio_{"audio"};
  bool audio_wanted_ = true;
  bool in_session_ = false;
  unsigned session_ = 0;
  std::vector<GstElement *> discard_chains_;
  bool pads_announced_ = false;     // no-more-pads sent for the pads that exist
  std::vector<Output *> to_expose_; // ghosts made, not yet on the element, in order
  bool finish_due_ = false;         // no-more-pads is to be sent by expose()
  bool exposing_ = false;           // a thread is in expose()
  std::mutex combiner_mutex_;       // separate: data flow never waits for pad exposure
  GstFlowCombiner *combiner_;
  bool waiting_for_keyframe_ = false;                 // video streaming thread only
  bool discont_pending_ = false;                      // the next buffer out starts a later session
  GstClockTime last_video_pts_ = GST_CLOCK_TIME_NONE; // video streaming thread only
  GstClockTime audio_next_pts_ = GST_CLOCK_TIME_NONE; // audio streaming thread only
  bool audio_opus_ = true;
  gint64 last_keyframe_request_us_ = 0;
  std::atomic<GstClockTime> latency_{0};
  std::mutex gap_mutex_; // the GAP thread's life; taken before mutex_
  std::condition_variable gap_wake_;
  std::thread gap_thread_;
  bool gaps_running_ = false;
  std::atomic<uint64_t> video_frames_{0};
  std::atomic<uint64_t> audio_frames_{0};
};

} // namespace roborock
