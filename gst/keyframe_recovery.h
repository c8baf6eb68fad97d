// SPDX-License-Identifier: LGPL-2.1-or-later
// Asking the robot for a keyframe again while the picture is broken.
//
// After a lost packet rtph264depay (wait-for-keyframe) drops every frame until
// the next keyframe, and asks for one (an RTCP PLI) once, on the first packet
// after the loss. When that request, or the keyframe sent for it, is lost as
// well, the picture stays frozen until the robot's next periodic keyframe.
// This asks again until a keyframe leaves the depayloader: once packets that
// arrived `retry` after the last request still bring none. Counting by
// arrival, not by when the packets are handled, a pipeline that lags behind
// (a busy CPU) does not ask again for a keyframe that is already queued.
// No GStreamer here: the element feeds it what its pad probes see.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace roborock {

class KeyframeRecovery {
public:
  using Time = std::chrono::nanoseconds; // the pipeline's running time
  explicit KeyframeRecovery(Time retry) : retry_(retry) {}

  // A packet on its way into the depayloader: `discont` as flagged (the
  // jitter buffer flags the packet after a loss), `arrival` when it came
  // in, `now` when it is handled. True: ask for a keyframe now. The first
  // packet, or one after a gap in sequence numbers, starts a wait that the
  // depayloader's own request opens.
  bool on_packet(uint16_t seqnum, bool discont, Time arrival, Time now);
  // A keyframe left the depayloader: the picture is whole again.
  void on_keyframe() { waiting_ = false; }

  bool waiting() const { return waiting_; }
  uint64_t requests() const { return requests_; } // ours, not the depayloader's

private:
  Time retry_;
  std::optional<uint16_t> last_seqnum_;
  bool waiting_ = false;
  Time last_request_{};
  uint64_t requests_ = 0;
};

} // namespace roborock
