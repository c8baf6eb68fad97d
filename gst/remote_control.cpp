// SPDX-License-Identifier: LGPL-2.1-or-later
#include "remote_control.h"

#include <mutex>

namespace roborock {
namespace {

enum Direction { kForward = 1, kBack = 2, kLeft = 4, kRight = 8 };

int direction_of(const std::string &key) {
  if (key == "Up" || key == "w" || key == "W" || key == "KP_Up")
    return kForward;
  if (key == "Down" || key == "s" || key == "S" || key == "KP_Down")
    return kBack;
  if (key == "Left" || key == "a" || key == "A" || key == "KP_Left")
    return kLeft;
  if (key == "Right" || key == "d" || key == "D" || key == "KP_Right")
    return kRight;
  return 0;
}

} // namespace

// Lives on the loop; closures hold it, the owner detaches it. Everything but
// `attached` is touched on the loop thread only.
struct RemoteControl::State {
  std::mutex mutex; // guards attached (the owner detaches from its thread)
  bool attached = true;
  RcCommands commands;
  EventLoop &loop;
  int held = 0;
  bool rc_active = false;
  Timer repeat;

  State(RcCommands c, EventLoop &l) : commands(std::move(c)), loop(l) {}

  void send_move() {
    std::lock_guard<std::mutex> lock(mutex);
    if (!attached)
      return;
    if (!held) {
      commands.halt(); // the keys are released
      return;
    }
    double velocity = ((held & kForward) ? kRcVelocity : 0) - ((held & kBack) ? kRcVelocity : 0);
    double omega = ((held & kLeft) ? kRcOmega : 0) - ((held & kRight) ? kRcOmega : 0);
    commands.move(velocity, omega, kRcMoveMs);
  }

  void update(int new_held, bool escape) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!attached)
      return;
    int before = held;
    held = new_held;
    if (escape) {
      repeat.cancel();
      if (rc_active) {
        if (before)
          commands.halt();
        commands.end();
        rc_active = false;
      }
      held = 0;
      return;
    }
    if (held == before)
      return; // key auto-repeat
    if (held && !rc_active) {
      commands.start();
      rc_active = true;
    }
  }
};

RemoteControl::RemoteControl(RcCommands commands, EventLoop &loop)
    : state_(std::make_shared<State>(std::move(commands), loop)) {}

RemoteControl::~RemoteControl() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->attached = false;
  }
  // The timer belongs to the loop thread: cancel it there.
  state_->loop.post([state = state_] { state->repeat.cancel(); });
}

void RemoteControl::key_pressed(const std::string &key) {
  int direction = direction_of(key);
  bool escape = key == "Escape";
  if (!direction && !escape)
    return;
  state_->loop.post([state = state_, direction, escape] {
    int before = state->held;
    state->update(before | direction, escape);
    if (escape || state->held == before)
      return;
    state->send_move(); // at once, then while held
    state->loop.start_timer(state->repeat, kRcRepeatMs, [state] {
      state->send_move();
      return true;
    });
  });
}

void RemoteControl::key_released(const std::string &key) {
  int direction = direction_of(key);
  if (!direction)
    return;
  state_->loop.post([state = state_, direction] {
    int before = state->held;
    state->update(before & ~direction, false);
    if (state->held == before)
      return;
    if (!state->held)
      state->repeat.cancel();
    state->send_move(); // the new combination, or a stop when nothing is held
  });
}

} // namespace roborock
