// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulated robot's command semantics (protocol reference §5), and the
// fault switches tests use. Runs on the EventLoop thread; media goes through
// SimMedia.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "camera_commands.h"
#include "event_log.h"
#include "event_loop.h"
#include "rpc.h"
#include "sim_media.h"

namespace roborock::sim {

struct RobotConfig {
  std::string duid;
  std::string local_key;
  std::string pattern;
  unsigned sdp_retries = 2;   // get_device_sdp answers "retry" this many times first
  unsigned lockout_after = 5; // wrong patterns before remote viewing locks
  std::string turn_url, turn_user, turn_password;
  std::string preset_viewer; // another client already watching
  // Faults.
  std::set<std::string> silent_to;              // never answer these methods
  std::set<std::string> malformed_for;          // answer these with broken frames only
  std::map<std::string, unsigned> delay_ms_for; // per-method reply delay
  unsigned delay_ms = 0;                        // every reply
  bool duplicate_replies = false;               // stray id first, then the reply twice
  bool ice_duplicates = false;                  // list every ICE candidate twice
};

// Codes the simulator uses in error replies (the real robot's are unpublished).
enum SimErrorCode {
  kErrorWrongPassword = -1,
  kErrorBusy = -2,
  kErrorLocked = -3,
  kErrorNoPreview = -4,
  kErrorBadParams = -5,
};

class SimRobot {
public:
  using Publisher = std::function<void(const std::string &topic, const std::vector<uint8_t> &)>;

  SimRobot(EventLoop &loop, RobotConfig config, EventLog &log, SimMedia &media, Publisher publish);

  // A frame arrived on rr/m/i/<u>/<user>/<duid>.
  void on_request_frame(const std::string &topic, const uint8_t *data, size_t size);
  // Stop answering anything (the robot went offline).
  void go_offline();

private:
  struct Reply {
    bool is_error = false;
    std::string result_json;
    int64_t error_code = 0;
    std::string error_message;
  };
  static Reply ok() { return Reply{false, "[\"ok\"]", 0, {}}; }
  static Reply result(std::string json) { return Reply{false, std::move(json), 0, {}}; }
  static Reply error(int64_t code, std::string message) {
    return Reply{true, {}, code, std::move(message)};
  }

  Reply dispatch(const RpcRequest &request, JsonObject *params, const std::string &client);
  Reply check_password(JsonObject *params);
  Reply start_preview(JsonObject *params);
  Reply stop_preview(JsonObject *params);
  Reply switch_quality(JsonObject *params);
  Reply receive_offer(JsonObject *params);
  Reply device_sdp();
  Reply receive_candidate(JsonObject *params);
  Reply device_candidates();
  Reply rc_move(JsonObject *params);
  bool password_matches(JsonObject *params);
  void end_viewing();
  void update_overlay();

  void send_reply(const std::string &topic, int64_t id, const std::string &method,
                  const Reply &reply);
  void publish_payload(const std::string &topic, const std::string &payload);
  void publish_malformed(const std::string &topic, int64_t id);

  EventLoop &loop_;
  RobotConfig config_;
  EventLog &log_;
  SimMedia &media_;
  Publisher publish_;
  bool offline_ = false;
  uint32_t seq_ = 1;

  unsigned wrong_patterns_ = 0;
  std::string viewer_; // client_id holding the camera
  VideoQuality quality_ = VideoQuality::HD;
  bool offer_received_ = false;
  unsigned sdp_polls_ = 0;
  bool rc_active_ = false;
  double pose_x_ = 0, pose_y_ = 0, pose_theta_ = 0;
  int64_t last_seqnum_ = 0;
};

} // namespace roborock::sim
