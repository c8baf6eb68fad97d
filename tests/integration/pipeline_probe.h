// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the element tests: a pipeline whose bus the test reads, and
// probes that count and measure what reaches a sink.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "test_macros.h"

namespace roborock::test {

// Counts buffers reaching a pad and remembers what they were.
class PadProbe {
public:
  PadProbe() = default;
  ~PadProbe();
  void attach(GstPad *pad);

  int buffers() const { return buffers_; }
  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  int rate() const { return rate_; }
  // Peak absolute sample (0..1) of S16 audio seen so far.
  double audio_peak() const { return peak_ / 32768.0; }
  gint64 first_buffer_us() const { return first_us_; }
  // The first buffer had no DELTA_UNIT flag (for video: a keyframe).
  bool first_buffer_was_keyframe() const { return first_keyframe_; }
  int untimestamped() const { return untimestamped_; } // buffers without a PTS
  int pts_backwards() const { return pts_backwards_; } // PTS below an earlier one
  int disconts() const { return disconts_; }           // buffers flagged DISCONT
  // GAP events; a GAP starting before an earlier buffer's PTS (or a buffer
  // before an earlier GAP) counts in pts_backwards().
  int gaps() const { return gaps_; }

private:
  static GstPadProbeReturn on_data(GstPad *pad, GstPadProbeInfo *info, gpointer self);
  static GstPadProbeReturn on_event(GstPad *pad, GstPadProbeInfo *info, gpointer self);
  GstPad *pad_ = nullptr;
  gulong id_ = 0, event_id_ = 0;
  std::atomic<int> buffers_{0};
  std::atomic<int> width_{0}, height_{0}, channels_{0}, rate_{0};
  std::atomic<int> peak_{0};
  std::atomic<bool> first_keyframe_{false};
  std::atomic<int> untimestamped_{0}, pts_backwards_{0}, disconts_{0}, gaps_{0};
  std::atomic<GstClockTime> last_pts_{0};
  std::atomic<gint64> first_us_{0};
};

class Pipeline {
public:
  explicit Pipeline(const std::string &description);
  explicit Pipeline(GstElement *pipeline); // takes ownership
  ~Pipeline();

  GstElement *get() const { return pipeline_; }
  GstElement *element(const char *name) const; // borrowed
  GstStateChangeReturn set_state(GstState state);

  // Pops bus messages for up to `timeout_ms`, keeping them, until `match`
  // accepts one (returned, borrowed) or the time is up (nullptr).
  GstMessage *wait_message(const std::function<bool(GstMessage *)> &match, unsigned timeout_ms);
  GstMessage *wait_error(unsigned timeout_ms);
  // Messages seen so far (borrowed).
  std::vector<GstMessage *> messages();
  // Pops what is on the bus now, then returns the errors among all seen.
  std::vector<GstMessage *> errors();
  // "state" fields of the roborock-state element messages, in order.
  std::vector<std::string> roborock_states();
  // Drops the messages kept so far (each holds a reference to its source).
  void forget_messages();
  // Waits until `condition` holds, reading the bus meanwhile.
  bool wait_until(const std::function<bool()> &condition, unsigned timeout_ms);

private:
  void drain(unsigned timeout_ms);
  GstElement *pipeline_;
  GstBus *bus_;
  std::vector<GstMessage *> messages_;
};

// Domain, code and text of an error message, for assertions.
struct ErrorInfo {
  GQuark domain = 0;
  gint code = 0;
  std::string text;
  std::string source;
};
ErrorInfo parse_error(GstMessage *message);

} // namespace roborock::test
