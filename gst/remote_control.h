// SPDX-License-Identifier: LGPL-2.1-or-later
// Steering from a video window: arrow keys (or W/A/S/D) held down drive the
// robot, repeated while held; releasing every key stops it (app_rc_stop);
// Escape stops and leaves remote-control mode (app_rc_end).
//
// Key events come from any thread; moves are sent from the signaling loop.
#pragma once

#include <memory>
#include <string>

namespace roborock {

class CameraSession;

// Typical speeds of the phone app (protocol reference §5).
constexpr double kRcVelocity = 0.2;   // m/s
constexpr double kRcOmega = 0.53;     // rad/s
constexpr unsigned kRcMoveMs = 500;   // duration of one move
constexpr unsigned kRcRepeatMs = 400; // resend before the previous move ends

class RemoteControl {
public:
  explicit RemoteControl(CameraSession *session);
  ~RemoteControl(); // detaches: no command is sent afterwards

  // X11 key names as GstNavigation reports them ("Up", "Left", "w", "Escape").
  void key_pressed(const std::string &key);
  void key_released(const std::string &key);

  struct State;

private:
  std::shared_ptr<State> state_;
};

} // namespace roborock
