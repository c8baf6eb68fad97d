// SPDX-License-Identifier: LGPL-2.1-or-later
#include "remote_control.h"

#include <mutex>

#include "camera_session.h"
#include "event_loop.h"

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

// Lives on the signaling loop; closures hold it, the owner detaches it.
struct RemoteControl::State {
  std::mutex mutex; // guards session (the owner detaches from its thread)
  CameraSession *session;
  int held = 0;
  bool rc_active = false;
  Timer repeat;

  explicit State(CameraSession *s) : session(s) {}

  void send_move() {
    std::lock_guard<std::mutex> lock(mutex);
    if (!session)
      return;
    if (!held) {
      session->rc_halt(); // app_rc_stop: the keys are released
      return;
    }
    double velocity = ((held & kForward) ? kRcVelocity : 0) - ((held & kBack) ? kRcVelocity : 0);
    double omega = ((held & kLeft) ? kRcOmega : 0) - ((held & kRight) ? kRcOmega : 0);
    session->rc_move(velocity, omega, kRcMoveMs);
  }

  void update(int new_held, bool escape) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!session)
      return;
    int before = held;
    held = new_held;
    if (escape) {
      repeat.cancel();
      if (rc_active) {
        if (before)
          session->rc_halt();
        session->rc_end();
        rc_active = false;
      }
      held = 0;
      return;
    }
    if (held == before)
      return; // key auto-repeat
    if (held && !rc_active) {
      session->rc_start();
      rc_active = true;
    }
  }
};

RemoteControl::RemoteControl(CameraSession *session) : state_(std::make_shared<State>(session)) {}

RemoteControl::~RemoteControl() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->session = nullptr;
  }
  // The timer belongs to the loop thread: cancel it there.
  EventLoop::shared().post([state = state_] { state->repeat.cancel(); });
}

void RemoteControl::key_pressed(const std::string &key) {
  int direction = direction_of(key);
  bool escape = key == "Escape";
  if (!direction && !escape)
    return;
  EventLoop::shared().post([state = state_, direction, escape] {
    int before = state->held;
    state->update(before | direction, escape);
    if (escape || state->held == before)
      return;
    state->send_move(); // at once, then while held
    EventLoop::shared().start_timer(state->repeat, kRcRepeatMs, [state] {
      state->send_move();
      return true;
    });
  });
}

void RemoteControl::key_released(const std::string &key) {
  int direction = direction_of(key);
  if (!direction)
    return;
  EventLoop::shared().post([state = state_, direction] {
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
