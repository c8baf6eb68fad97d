// SPDX-License-Identifier: LGPL-2.1-or-later
#include "robot_errors.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace roborock {
namespace {

bool contains_any(const std::string &lower, std::initializer_list<const char *> words) {
  for (const char *word : words)
    if (lower.find(word) != std::string::npos)
      return true;
  return false;
}

bool code_in(int64_t code, std::initializer_list<int64_t> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string robot_said(int64_t code, const std::string &message) {
  return "the robot said: code " + std::to_string(code) + ", \"" + message + "\"";
}

Error refusal(ErrorCode code, std::string message, int64_t robot_code,
              const std::string &robot_message) {
  return Error{code, std::move(message), robot_said(robot_code, robot_message), robot_code, ""};
}

} // namespace

// Codes: -10010 for a wrong pattern (issue reports of the cloud API); the
// app's live-view error classes -101 (charging/docked), -104 (previewing
// elsewhere), -105 (password error), -106 (password errors too frequent),
// -107 (disconnecting), -115 (too frequent), -116 (emptying the dust bin).
// Messages are matched too, since firmwares differ. Order matters: "password
// errors too frequent" is a lockout, not a wrong pattern.
RobotRefusal classify_robot_error(int64_t code, const std::string &message) {
  std::string lower = message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (code == -106 || contains_any(lower, {"too many", "locked", "lock "}) ||
      (contains_any(lower, {"password"}) && contains_any(lower, {"frequent"})))
    return RobotRefusal::TooManyAttempts;
  if (code_in(code, {-10010, -105}) || contains_any(lower, {"password", "pin code", "pattern"}))
    return RobotRefusal::WrongPattern;
  if (code == -116 || contains_any(lower, {"dust", "emptying", "collect"}))
    return RobotRefusal::EmptyingDustBin;
  if (code == -101 || contains_any(lower, {"charg", "dock"}))
    return RobotRefusal::Docked;
  if (code_in(code, {-107, -115}) || contains_any(lower, {"disconnecting", "frequent"}))
    return RobotRefusal::TryAgain;
  if (code == -104 || contains_any(lower, {"busy", "occupied", "another", "previewing"}))
    return RobotRefusal::OtherViewer;
  return RobotRefusal::Other;
}

Error explain_preview_refusal(int64_t code, const std::string &message, bool pattern_given) {
  switch (classify_robot_error(code, message)) {
  case RobotRefusal::WrongPattern:
    if (!pattern_given)
      return refusal(ErrorCode::WrongPassword,
                     "the robot needs its pattern password: set password to the pattern's digits",
                     code, message);
    return refusal(ErrorCode::WrongPassword,
                   "wrong pattern password: the robot rejected it; not retried, to avoid locking "
                   "remote viewing",
                   code, message);
  case RobotRefusal::TooManyAttempts:
    return refusal(ErrorCode::ViewingLocked,
                   "remote viewing is locked after too many wrong patterns: wait (it unlocks "
                   "after a while) and check the pattern in the Roborock app",
                   code, message);
  case RobotRefusal::EmptyingDustBin:
    return refusal(ErrorCode::RobotUnavailable,
                   "the robot is emptying its dust bin: try again when it has finished", code,
                   message);
  case RobotRefusal::Docked:
    return refusal(ErrorCode::RobotUnavailable,
                   "the robot is on its dock or charging: most models stream only off the dock; "
                   "undock it and try again",
                   code, message);
  case RobotRefusal::TryAgain:
    return refusal(ErrorCode::CameraBusy,
                   "the robot is still ending a previous viewing session: try again shortly", code,
                   message);
  case RobotRefusal::OtherViewer:
    return refusal(ErrorCode::CameraBusy,
                   "camera busy: another viewer (e.g. the Roborock app's camera view) is "
                   "watching; close it and try again",
                   code, message);
  case RobotRefusal::Other:
    break;
  }
  return refusal(ErrorCode::RobotError, "the robot refused to start the camera", code, message);
}

} // namespace roborock
