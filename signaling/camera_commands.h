// SPDX-License-Identifier: LGPL-2.1-or-later
// The camera commands of protocol reference §5: parameter builders and result
// parsers. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "json_util.h"
#include "payload.h"

namespace roborock {

enum class VideoQuality { HD = 0, SD = 1 }; // the element's quality property has these values
const char *video_quality_name(VideoQuality quality); // "HD" / "SD"

namespace command {
constexpr const char *kCheckPassword = "check_homesec_password";
constexpr const char *kConnectStatus = "get_homesec_connect_status";
constexpr const char *kStartPreview = "start_camera_preview";
constexpr const char *kSwitchQuality = "switch_video_quality";
constexpr const char *kStopPreview = "stop_camera_preview";
constexpr const char *kGetTurnServer = "get_turn_server";
constexpr const char *kSendSdp = "send_sdp_to_robot";
constexpr const char *kGetDeviceSdp = "get_device_sdp";
constexpr const char *kSendIce = "send_ice_to_robot";
constexpr const char *kGetDeviceIce = "get_device_ice";
constexpr const char *kStartVoiceChat = "start_voice_chat";
constexpr const char *kStopVoiceChat = "stop_voice_chat";
constexpr const char *kSetVoiceVolume = "set_voice_chat_volume";
constexpr const char *kRcStart = "app_rc_start";
constexpr const char *kRcMove = "app_rc_move";
constexpr const char *kRcEnd = "app_rc_end";
constexpr const char *kRcHalt = "app_rc_stop"; // stop moving, stay in remote control
} // namespace command

// The password parameter is md5hex of the pattern digits; a robot without a
// pattern gets "" (as go2rtc sends it).
std::string check_password_params(std::string_view pattern);
std::string start_preview_params(std::string_view client_id, VideoQuality quality,
                                 std::string_view pattern);
std::string switch_quality_params(VideoQuality quality);
// Always names the viewer: robots end only the session of that client.
std::string stop_preview_params(std::string_view client_id);
std::string send_sdp_params(const SessionDescription &offer);
std::string send_ice_params(const IceCandidate &candidate);
// A one-element list holding the move, as every client proven on real robots
// sends it.
std::string rc_move_params(double velocity, double omega, int64_t seqnum, unsigned duration_ms);
// record: the robot's microphone to us; play: our talk-back to its speaker.
std::string voice_chat_params(bool record, bool play);
std::string voice_volume_params(unsigned volume);

// A command that answers "ok" succeeded; any other result is a failure
// (["ok"], "ok" and {"result":"ok"} count as ok).
bool is_ok_result(JsonNode *result);

struct TurnServer {
  std::string url; // "turn:host:port" as the cloud gives it
  std::string user;
  std::string password; // secret
  bool retry = false;   // the robot has none yet: ask again
};
// {"url","user","pwd"} (or "username"/"credential"); "retry", or a url of
// "retry" or "", means not yet.
Result<TurnServer> parse_turn_server(JsonNode *result);
// "turn:host:port" + user/password -> "turn://user:password@host:port" with
// user and password percent-encoded (TURN credentials often contain ':' or
// '/'), the form webrtcbin's turn-server and add-turn-server take.
Result<std::string> turn_uri_with_credentials(const TurnServer &turn);

struct ConnectStatus {
  int64_t status = 0;
  std::string client_id; // "none" when nobody watches
  bool held_by_someone() const { return !client_id.empty() && client_id != "none"; }
};
Result<ConnectStatus> parse_connect_status(JsonNode *result);

// get_device_sdp: "retry" until the robot's answer is ready.
struct DeviceSdp {
  bool retry = true;
  SessionDescription answer;
};
Result<DeviceSdp> parse_device_sdp(JsonNode *result);

// get_device_ice: "retry", or a list of base64 candidates. Entries that do not
// decode are skipped and counted.
struct DeviceIce {
  bool retry = true;
  std::vector<IceCandidate> candidates;
  unsigned undecodable = 0;
};
Result<DeviceIce> parse_device_ice(JsonNode *result);

} // namespace roborock
