// SPDX-License-Identifier: LGPL-2.1-or-later
// When the element asks for a keyframe again (pure code, times made up).
#include "keyframe_recovery.h"

#include "test_support.h"

using namespace roborock;
using namespace std::chrono_literals;

namespace {

using Clock = KeyframeRecovery::Clock;
const Clock::time_point t0 = Clock::time_point() + 1h;

// The first packet starts a wait the depayloader asks for itself; a whole
// picture ends it before anything is asked again.
void test_clean_start() {
  KeyframeRecovery recovery(500ms);
  g_assert_false(recovery.on_packet(100, true, t0));
  g_assert_true(recovery.waiting());
  g_assert_false(recovery.on_packet(101, false, t0 + 100ms));
  recovery.on_keyframe();
  g_assert_false(recovery.waiting());
  for (uint16_t i = 0; i < 20; i++)
    g_assert_false(recovery.on_packet(102 + i, false, t0 + 200ms + i * 100ms));
  g_assert_cmpuint(recovery.requests(), ==, 0);
}

// A gap in sequence numbers with no keyframe after it: asked again every
// retry interval (counted from the depayloader's own request), not on every
// packet.
void test_asks_again_until_keyframe() {
  KeyframeRecovery recovery(500ms);
  recovery.on_packet(10, true, t0);
  recovery.on_keyframe();
  g_assert_false(recovery.on_packet(12, false, t0 + 1s)); // 11 lost: the depayloader asks
  g_assert_true(recovery.waiting());
  g_assert_false(recovery.on_packet(13, false, t0 + 1s + 499ms));
  g_assert_true(recovery.on_packet(14, false, t0 + 1s + 500ms));
  g_assert_false(recovery.on_packet(15, false, t0 + 1s + 600ms));
  g_assert_true(recovery.on_packet(16, false, t0 + 2s));
  recovery.on_keyframe();
  g_assert_false(recovery.on_packet(17, false, t0 + 3s));
  g_assert_cmpuint(recovery.requests(), ==, 2);
}

// A loss the jitter buffer flags (DISCONT) without a gap, e.g. after its
// own reset, starts a wait too; a second loss while waiting does not
// restart the interval.
void test_discont_flag() {
  KeyframeRecovery recovery(500ms);
  recovery.on_packet(1, true, t0);
  recovery.on_keyframe();
  g_assert_false(recovery.on_packet(2, true, t0 + 1s));
  g_assert_false(recovery.on_packet(5, true, t0 + 1s + 300ms));
  g_assert_true(recovery.on_packet(6, false, t0 + 1s + 500ms));
}

// Sequence numbers wrap at 16 bits without counting as a loss.
void test_wraparound() {
  KeyframeRecovery recovery(500ms);
  recovery.on_packet(65534, true, t0);
  recovery.on_keyframe();
  recovery.on_packet(65535, false, t0 + 10ms);
  recovery.on_packet(0, false, t0 + 20ms);
  recovery.on_packet(1, false, t0 + 30ms);
  g_assert_false(recovery.waiting());
  recovery.on_packet(3, false, t0 + 40ms);
  g_assert_true(recovery.waiting());
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/keyframe-recovery/clean-start", test_clean_start);
  g_test_add_func("/keyframe-recovery/asks-again-until-keyframe", test_asks_again_until_keyframe);
  g_test_add_func("/keyframe-recovery/discont-flag", test_discont_flag);
  g_test_add_func("/keyframe-recovery/wraparound", test_wraparound);
  return g_test_run();
}
