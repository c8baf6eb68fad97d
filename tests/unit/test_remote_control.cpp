// SPDX-License-Identifier: LGPL-2.1-or-later
// Keys to remote-control commands (pure code on a loop of the test's own).
#include "remote_control.h"

#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "test_support.h"

using namespace roborock;

namespace {

// The commands a RemoteControl sent, as text ("start", "move 0.20 -0.53",
// "halt", "end"), in order.
class Recorder {
public:
  RcCommands commands() {
    RcCommands c;
    c.start = [this] {
      add("start");
    };
    c.move = [this](double velocity, double omega, unsigned duration_ms) {
      g_assert_cmpuint(duration_ms, ==, kRcMoveMs);
      g_autofree gchar *move = g_strdup_printf("move %.2f %.2f", velocity, omega);
      add(move);
    };
    c.halt = [this] {
      add("halt");
    };
    c.end = [this] {
      add("end");
    };
    return c;
  }
  // What was sent since the last call, once `loop` has done what was posted.
  std::vector<std::string> take(EventLoop &loop) {
    std::promise<void> drained;
    loop.post([&drained] { drained.set_value(); });
    drained.get_future().wait();
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    out.swap(sent_);
    return out;
  }

private:
  void add(std::string text) {
    std::lock_guard<std::mutex> lock(mutex_);
    sent_.push_back(std::move(text));
  }
  std::mutex mutex_;
  std::vector<std::string> sent_;
};

void assert_sent(const std::vector<std::string> &sent, std::vector<std::string> expected) {
  std::string got, want;
  for (const std::string &s : sent)
    got += "[" + s + "]";
  for (const std::string &s : expected)
    want += "[" + s + "]";
  if (got != want)
    g_error("sent %s, expected %s", got.c_str(), want.c_str());
}

// Combinations of held keys make one move; releasing the last one stops.
void test_keys_combine() {
  EventLoop loop;
  Recorder recorder;
  RemoteControl rc(recorder.commands(), loop);
  rc.key_pressed("Up");
  assert_sent(recorder.take(loop), {"start", "move 0.20 0.00"});
  rc.key_pressed("Up"); // the window system's auto-repeat
  assert_sent(recorder.take(loop), {});
  rc.key_pressed("Left");
  assert_sent(recorder.take(loop), {"move 0.20 0.53"});
  rc.key_released("Up");
  assert_sent(recorder.take(loop), {"move 0.00 0.53"});
  rc.key_released("Left");
  assert_sent(recorder.take(loop), {"halt"});
  // W/A/S/D and the keypad steer too; back and right are negative.
  rc.key_pressed("s");
  rc.key_pressed("KP_Right");
  assert_sent(recorder.take(loop), {"move -0.20 0.00", "move -0.20 -0.53"});
  rc.key_released("S");
  rc.key_released("d");
  assert_sent(recorder.take(loop), {"move 0.00 -0.53", "halt"});
  // Other keys do nothing.
  rc.key_pressed("x");
  rc.key_pressed("Return");
  rc.key_released("Escape");
  assert_sent(recorder.take(loop), {});
}

// A held key is sent again before the previous move runs out.
void test_repeats_while_held() {
  EventLoop loop;
  Recorder recorder;
  RemoteControl rc(recorder.commands(), loop);
  rc.key_pressed("Down");
  g_usleep((3 * kRcRepeatMs + kRcRepeatMs / 2) * 1000);
  std::vector<std::string> sent = recorder.take(loop);
  g_assert_cmpuint(sent.size(), >=, 3); // start, the first move, repeats
  for (size_t i = 1; i < sent.size(); i++)
    ASSERT_STR_EQ(sent[i], "move -0.20 0.00");
  rc.key_released("Down");
  g_usleep(2 * kRcRepeatMs * 1000);
  assert_sent(recorder.take(loop), {"halt"}); // and no repeat after it
}

// Escape stops and leaves remote control; only when it was entered.
void test_escape_leaves() {
  EventLoop loop;
  Recorder recorder;
  RemoteControl rc(recorder.commands(), loop);
  rc.key_pressed("Escape");
  assert_sent(recorder.take(loop), {});
  rc.key_pressed("Up");
  rc.key_pressed("Escape");
  assert_sent(recorder.take(loop), {"start", "move 0.20 0.00", "halt", "end"});
  g_usleep(2 * kRcRepeatMs * 1000);
  rc.key_released("Up"); // released after Escape: nothing is held any more
  assert_sent(recorder.take(loop), {});
  rc.key_pressed("Left"); // a new drive enters remote control again
  assert_sent(recorder.take(loop), {"start", "move 0.00 0.53"});
}

// Once destroyed, nothing more is sent, not even by a held key's repeat.
void test_nothing_after_destruction() {
  EventLoop loop;
  Recorder recorder;
  auto rc = std::make_unique<RemoteControl>(recorder.commands(), loop);
  rc->key_pressed("Up");
  assert_sent(recorder.take(loop), {"start", "move 0.20 0.00"});
  rc.reset();
  g_usleep(2 * kRcRepeatMs * 1000);
  assert_sent(recorder.take(loop), {});
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/remote-control/keys-combine", test_keys_combine);
  g_test_add_func("/remote-control/repeats-while-held", test_repeats_while_held);
  g_test_add_func("/remote-control/escape-leaves", test_escape_leaves);
  g_test_add_func("/remote-control/nothing-after-destruction", test_nothing_after_destruction);
  return g_test_run();
}
