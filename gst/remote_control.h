// SPDX-License-Identifier: LGPL-2.1-or-later
// Steering from a video window: arrow keys (or W/A/S/D) held down drive the
// robot, repeated while held; releasing every key stops it (app_rc_stop);
// Escape stops and leaves remote-control mode (app_rc_end). No GStreamer
// here: the element turns navigation events into key names.
//
// Key events come from any thread; commands are sent from `loop`, one at a
// time, never after the RemoteControl is destroyed.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "event_loop.h"

namespace roborock {

// Typical speeds of the phone app (protocol reference §5).
constexpr double kRcVelocity = 0.2;   // m/s
constexpr double kRcOmega = 0.53;     // rad/s
constexpr unsigned kRcMoveMs = 500;   // duration of one move
constexpr unsigned kRcRepeatMs = 400; // resend before the previous move ends

// Where the commands go (a camera session's rc_* in the element).
struct RcCommands {
  std::function<void()> start; // app_rc_start
  std::function<void(double velocity, double omega, unsigned duration_ms)> move;
  std::function<void()> halt; // app_rc_stop: stop moving, stay in remote control
  std::function<void()> end;  // app_rc_end: leave remote control
};

class RemoteControl {
public:
  explicit RemoteControl(RcCommands commands, EventLoop &loop = EventLoop::shared());
  ~RemoteControl(); // detaches: no command is sent afterwards

  // X11 key names as GstNavigation reports them ("Up", "Left", "w", "Escape").
  void key_pressed(const std::string &key);
  void key_released(const std::string &key);

  struct State;

private:
  std::shared_ptr<State> state_;
};

} // namespace roborock
