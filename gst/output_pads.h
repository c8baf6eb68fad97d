// SPDX-License-Identifier: LGPL-2.1-or-later
// The element's src pads: webrtcbin's RTP pads, depayloaded and parsed, behind
// ghost pads named "video" (H.264, avc/au with codec_data) and "audio" (Opus).
//
// - "video" is always added before "audio", so gst-launch's automatic linking
//   of "roborocksrc ! decodebin" takes the video.
// - A flow combiner makes an unlinked pad harmless: data for it is dropped
//   and not-linked reaches webrtcbin only when no pad is linked at all.
// - no-more-pads follows once every expected pad exists (or a few seconds
//   after video if the robot never sends audio).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include <gst/base/gstflowcombiner.h>
#include <gst/gst.h>

namespace roborock {

class OutputPads : public std::enable_shared_from_this<OutputPads> {
public:
  using NavigationHandler = std::function<void(GstEvent *event)>;

  // `element` is the roborocksrc bin; `audio_wanted` says whether an "audio"
  // pad is expected (robot audio that arrives otherwise is discarded).
  OutputPads(GstElement *element, bool audio_wanted, NavigationHandler on_navigation);
  ~OutputPads();

  // For webrtcbin's pad-added (a streaming thread).
  void add_webrtc_pad(GstPad *pad);
  // Removes the pads and chains. Call once webrtcbin no longer streams.
  void clear();

  uint64_t video_frames() const { return video_frames_; }
  uint64_t audio_frames() const { return audio_frames_; }

private:
  struct Output {
    GstElement *chain = nullptr;
    GstPad *ghost = nullptr;          // created when exposed
    std::atomic<bool> exposed{false}; // read by the drop probe on a streaming thread
  };

  GstElement *build_chain(const char *description);
  void hold_until_exposed(Output &output, GstElement *chain);
  void keep_timestamped_gops(GstElement *chain);
  void expose(Output &output, const char *template_name);
  void maybe_finish();
  void finish();
  static GstFlowReturn chain_combined(GstPad *pad, GstObject *parent, GstBuffer *buffer);
  static GstFlowReturn chain_list_combined(GstPad *pad, GstObject *parent, GstBufferList *list);
  GstFlowReturn combine(GstPad *ghost, GstFlowReturn result, guint frames);

  GstElement *element_;
  bool audio_wanted_;
  NavigationHandler on_navigation_;
  std::mutex mutex_; // pads and chains
  Output video_;
  Output audio_;
  std::vector<GstElement *> discard_chains_;
  bool finished_ = false;
  bool cleared_ = false;
  std::mutex combiner_mutex_; // separate: data flow never waits for pad exposure
  GstFlowCombiner *combiner_;
  bool waiting_for_keyframe_ = false; // video streaming thread only
  gint64 last_keyframe_request_us_ = 0;
  std::atomic<uint64_t> video_frames_{0};
  std::atomic<uint64_t> audio_frames_{0};
};

} // namespace roborock
