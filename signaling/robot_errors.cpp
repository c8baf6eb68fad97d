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
  return " (the robot said: code " + std::to_string(code) + ", \"" + message + "\")";
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
  std::string said = robot_said(code, message);
  switch (classify_robot_error(code, message)) {
  case RobotRefusal::WrongPattern:
    if (!pattern_given)
      return {ErrorCode::WrongPassword, "the robot needs its pattern password: set password to "
                                        "the pattern's digits" +
                                            said};
    return {ErrorCode::WrongPassword, "wrong pattern password: the robot rejected it; not "
                                      "retried, to avoid locking remote viewing" +
                                          said};
  case RobotRefusal::TooManyAttempts:
    return {ErrorCode::ViewingLocked, "remote viewing is locked after too many wrong patterns: "
                                      "wait (it unlocks after a while) and check the pattern "
                                      "in the Roborock app" +
                                          said};
  case RobotRefusal::EmptyingDustBin:
    return {ErrorCode::RobotUnavailable,
            "the robot is emptying its dust bin: try again when it has finished" + said};
  case RobotRefusal::Docked:
    return {ErrorCode::RobotUnavailable, "the robot is on its dock or charging: most models "
                                         "stream only off the dock; undock it and try again" +
                                             said};
  case RobotRefusal::TryAgain:
    return {ErrorCode::CameraBusy,
            "the robot is still ending a previous viewing session: try again shortly" + said};
  case RobotRefusal::OtherViewer:
    return {ErrorCode::CameraBusy, "camera busy: another viewer (e.g. the Roborock app's "
                                   "camera view) is watching; close it and try again" +
                                       said};
  case RobotRefusal::Other:
    break;
  }
  return {ErrorCode::RobotError, "the robot refused to start the camera" + said};
}

} // namespace roborock
