// SPDX-License-Identifier: LGPL-2.1-or-later
// When the element asks for a keyframe again (pure code, times made up).
#include "keyframe_recovery.h"

#include "test_support.h"

using namespace roborock;
using namespace std::chrono_literals;

namespace {

using Time = KeyframeRecovery::Time;
const Time t0 = 1h;

// A packet handled as it arrives.
bool packet(KeyframeRecovery &recovery, uint16_t seqnum, bool discont, Time at) {
  return recovery.on_packet(seqnum, discont, at, at);
}

// The first packet starts a wait the depayloader asks for itself; a whole
// picture ends it before anything is asked again.
void test_clean_start() {
  KeyframeRecovery recovery(500ms);
  g_assert_false(packet(recovery, 100, true, t0));
  g_assert_true(recovery.waiting());
  g_assert_false(packet(recovery, 101, false, t0 + 100ms));
  recovery.on_keyframe();
  g_assert_false(recovery.waiting());
  for (uint16_t i = 0; i < 20; i++)
    g_assert_false(packet(recovery, 102 + i, false, t0 + 200ms + i * 100ms));
  g_assert_cmpuint(recovery.requests(), ==, 0);
}

// A gap in sequence numbers with no keyframe after it: asked again every
// retry interval (counted from the depayloader's own request), not on every
// packet.
void test_asks_again_until_keyframe() {
  KeyframeRecovery recovery(500ms);
  packet(recovery, 10, true, t0);
  recovery.on_keyframe();
  g_assert_false(packet(recovery, 12, false, t0 + 1s)); // 11 lost: the depayloader asks
  g_assert_true(recovery.waiting());
  g_assert_false(packet(recovery, 13, false, t0 + 1s + 499ms));
  g_assert_true(packet(recovery, 14, false, t0 + 1s + 500ms));
  g_assert_false(packet(recovery, 15, false, t0 + 1s + 600ms));
  g_assert_true(packet(recovery, 16, false, t0 + 2s));
  recovery.on_keyframe();
  g_assert_false(packet(recovery, 17, false, t0 + 3s));
  g_assert_cmpuint(recovery.requests(), ==, 2);
}

// A loss the jitter buffer flags (DISCONT) without a gap, e.g. after its
// own reset, starts a wait too; a second loss while waiting does not
// restart the interval.
void test_discont_flag() {
  KeyframeRecovery recovery(500ms);
  packet(recovery, 1, true, t0);
  recovery.on_keyframe();
  g_assert_false(packet(recovery, 2, true, t0 + 1s));
  g_assert_false(packet(recovery, 5, true, t0 + 1s + 300ms));
  g_assert_true(packet(recovery, 6, false, t0 + 1s + 500ms));
}

// Sequence numbers wrap at 16 bits without counting as a loss.
void test_wraparound() {
  KeyframeRecovery recovery(500ms);
  packet(recovery, 65534, true, t0);
  recovery.on_keyframe();
  packet(recovery, 65535, false, t0 + 10ms);
  packet(recovery, 0, false, t0 + 20ms);
  packet(recovery, 1, false, t0 + 30ms);
  g_assert_false(recovery.waiting());
  packet(recovery, 3, false, t0 + 40ms);
  g_assert_true(recovery.waiting());
}

// A pipeline that lags behind (packets handled 2 s after they arrived):
// packets that arrived before the request could be answered never ask
// again, however late they are handled; one that arrived a retry interval
// after the request does.
void test_lagging_pipeline() {
  KeyframeRecovery recovery(500ms);
  packet(recovery, 1, true, t0);
  recovery.on_keyframe();
  Time lag = 2s;
  g_assert_false(recovery.on_packet(3, false, t0 + 1s, t0 + 1s + lag)); // the depayloader asks
  for (int i = 1; i < 10; i++) // arrived within 0.5 s of the request's handling
    g_assert_false(
        recovery.on_packet(3 + i, false, t0 + 1s + i * 100ms, t0 + 1s + lag + i * 100ms));
  g_assert_false(recovery.on_packet(20, false, t0 + 1s + lag + 499ms, t0 + 2s + lag + 499ms));
  g_assert_true(recovery.on_packet(21, false, t0 + 1s + lag + 500ms, t0 + 2s + lag + 500ms));
  g_assert_cmpuint(recovery.requests(), ==, 1);
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/keyframe-recovery/clean-start", test_clean_start);
  g_test_add_func("/keyframe-recovery/asks-again-until-keyframe", test_asks_again_until_keyframe);
  g_test_add_func("/keyframe-recovery/discont-flag", test_discont_flag);
  g_test_add_func("/keyframe-recovery/wraparound", test_wraparound);
  g_test_add_func("/keyframe-recovery/lagging-pipeline", test_lagging_pipeline);
  return g_test_run();
}
