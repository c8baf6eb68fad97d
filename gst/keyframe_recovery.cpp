// SPDX-License-Identifier: LGPL-2.1-or-later
#include "keyframe_recovery.h"

namespace roborock {

bool KeyframeRecovery::on_packet(uint16_t seqnum, bool discont, Time arrival, Time now) {
  // Sequence numbers wrap at 16 bits; the jitter buffer hands them on in order.
  bool gap = !last_seqnum_ || uint16_t(*last_seqnum_ + 1) != seqnum;
  last_seqnum_ = seqnum;
  if ((gap || discont) && !waiting_) {
    waiting_ = true;
    last_request_ = now; // the depayloader asks on this very packet
    return false;
  }
  if (!waiting_ || arrival - last_request_ < retry_)
    return false;
  last_request_ = now;
  requests_++;
  return true;
}

} // namespace roborock
