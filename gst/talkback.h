// SPDX-License-Identifier: LGPL-2.1-or-later
// The talk-back path: whatever raw audio the application feeds the "talkback"
// pad, converted to mono 48 kHz, mixed over a live silence source, encoded to
// Opus and payloaded for webrtcbin.
//
// The live silence is what keeps the path well-behaved: the robot gets a
// steady 20 ms frame cadence, a non-live source is paced to the clock instead
// of flooding the robot, and an idle pad (nothing linked, or a source that
// stalls) neither starves webrtcbin's sink pad nor blocks shutdown.
#pragma once

#include <atomic>

#include <gst/gst.h>

namespace roborock {

class Talkback {
public:
  // Builds the chain inside `bin` and a ghost sink pad named "talkback" from
  // `templ`. The caller adds the pad to the element.
  Talkback(GstBin *bin, GstPadTemplate *templ);
  ~Talkback(); // removes the chain from the bin (the pad must be removed first)

  GstPad *pad() const { return pad_; } // the element holds it while the pad is requested

  // The RTP caps the chain produces: the audio transceiver's codec preferences
  // must match them, or webrtcbin may quietly make the m-line receive-only.
  static GstCaps *rtp_caps();

  // Links the encoder chain to webrtcbin's sink pad for the audio m-line.
  bool link(GstElement *webrtc, unsigned mline);
  void unlink();

  uint64_t frames_sent() const { return frames_; }

private:
  GstBin *bin_;
  GstElement *chain_ = nullptr;
  GstPad *pad_ = nullptr;
  GstPad *webrtc_pad_ = nullptr;
  GstElement *webrtc_ = nullptr;
  std::atomic<uint64_t> frames_{0};
};

} // namespace roborock
