// SPDX-License-Identifier: LGPL-2.1-or-later
// What a robot's error reply to the camera commands means for the user
// (protocol reference, "Errors"). Robots report refusals as an error code and
// a short message; the codes differ between firmwares and the app, so both
// are read. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>

#include "error.h"

namespace roborock {

enum class RobotRefusal {
  WrongPattern,    // the pattern password is wrong (or one is needed)
  TooManyAttempts, // too many wrong patterns: viewing is locked for a while
  EmptyingDustBin, // the dock is emptying the dust bin
  Docked,          // on the dock or charging: most models stream only off it
  TryAgain,        // "disconnecting", "too frequent": a moment later works
  OtherViewer,     // another client holds the camera
  Other,
};

RobotRefusal classify_robot_error(int64_t code, const std::string &message);

// The error a session reports for a refused start_camera_preview (or
// check_homesec_password): what to do, with the robot's own code and message.
// `pattern_given` says whether the user set a pattern.
Error explain_preview_refusal(int64_t code, const std::string &message, bool pattern_given);

} // namespace roborock
