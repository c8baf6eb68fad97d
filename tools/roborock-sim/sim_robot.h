// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulated robot's command semantics (protocol reference §5), and the
// fault switches tests use. Runs on the EventLoop thread; media goes through
// SimMedia.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "camera_commands.h"
#include "event_log.h"
#include "event_loop.h"
#include "rpc.h"
#include "sim_media.h"

namespace roborock::sim {

// An error reply a fault switch gives (--preview-error CODE:MESSAGE[:COUNT]).
struct FaultError {
  int64_t code = 0;
  std::string message;
  unsigned count = 0; // replies with it before behaving normally; 0: always
};

struct RobotConfig {
  std::string duid;
  std::string local_key;
  std::string pattern;
  bool has_pattern = true;    // false: viewers give "" as the password
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
  bool junk_before_replies = false;             // publish_malformed's frames, then the reply
  bool ice_duplicates = false;                  // list every ICE candidate twice
  bool ice_in_answer = false; // candidates only in the answer: none by get_device_ice, and the
                              // viewer's are ignored (only the answer's can connect)
  std::optional<FaultError> preview_error; // start_camera_preview fails first
  std::string password_result;             // JSON check_homesec_password gives for "ok"
  bool docked = false;                     // get_device_sdp: "retry" for ever
  bool voice_chat_list_only = false;       // start_voice_chat refuses {...} params
  // How real robots behave (each of these is on with --real).
  bool turn_after_preview = false;   // get_turn_server: "retry" until a preview is accepted
  unsigned turn_retries = 0;         // then "retry" (in several shapes) this many times
  bool strict_offer = false;         // refuse offers a robot's SDP parser does not take
  bool voice_chat_flags = false;     // start_voice_chat honours "record" and "play"
  bool real_errors = false;          // error codes and messages as robots give them
  bool flaky_polls = false;          // 1st SDP/ICE poll after an offer fails, 2nd is lost
  bool rc_list_params = false;       // app_rc_move takes only [{...}]
  bool stop_needs_client_id = false; // stop_camera_preview without client_id does nothing
  unsigned slow_release_ms = 0;      // a stopped viewer holds the camera this long
  bool mime_base64 = false;          // dev_sdp/dev_ice base64 wrapped at 76, unpadded
  bool trailing_bytes = false;       // 4 garbage bytes after each reply frame's CRC
};

// Codes the simulator uses in error replies (the real robot's are unpublished).
enum SimErrorCode {
  kErrorWrongPassword = -1,
  kErrorBusy = -2,
  kErrorLocked = -3,
  kErrorNoPreview = -4,
  kErrorBadParams = -5,
  // With --real-errors / --no-pattern / --flaky-polls, as real robots answer.
  kRealErrorPassword = -10010,
  kRealErrorTryLater = -10003,
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
    bool unanswered = false; // the request is lost: no reply at all
  };
  static Reply ok() { return Reply{false, "[\"ok\"]", 0, {}}; }
  static Reply result(std::string json) { return Reply{false, std::move(json), 0, {}}; }
  static Reply error(int64_t code, std::string message) {
    return Reply{true, {}, code, std::move(message)};
  }
  static Reply no_reply() { return Reply{false, {}, 0, {}, true}; }

  Reply dispatch(const RpcRequest &request, JsonNode *params, const std::string &client);
  Reply connect_status();
  Reply check_password(JsonObject *params);
  Reply start_preview(JsonObject *params);
  std::optional<Reply> refuse_preview(JsonObject *params);
  Reply stop_preview(JsonObject *params);
  Reply switch_quality(JsonObject *params);
  Reply turn_server();
  Reply receive_offer(JsonObject *params);
  Reply device_sdp();
  Reply receive_candidate(JsonObject *params);
  Reply device_candidates();
  std::optional<Reply> flaky_poll(unsigned &polls);
  Reply voice_chat(bool start, JsonNode *params);
  Reply voice_volume(JsonNode *params);
  Reply remote_control(const std::string &method);
  Reply rc_move(JsonNode *params);
  bool password_matches(JsonObject *params);
  bool locked() const;
  void count_wrong_pattern();
  Reply wrong_password() const;
  Reply locked_out() const;
  bool releasing() const;
  void log_frame(const char *direction, const uint8_t *data, size_t size);
  static constexpr unsigned kFramesLogged = 60;
  unsigned frames_logged_ = 0;
  void end_viewing();
  void update_overlay();
  std::string wire_base64(std::string base64) const;

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
  bool preview_accepted_ = false;   // this viewer session's start_camera_preview
  unsigned turn_retries_given_ = 0; // per viewer session
  unsigned preview_errors_given_ = 0;
  unsigned flaky_sdp_polls_ = 0, flaky_ice_polls_ = 0; // per accepted offer
  std::string released_viewer_;                        // --slow-release: still reported until...
  int64_t release_deadline_us_ = 0;                    // ...this g_get_monotonic_time()
  bool rc_active_ = false;
  double pose_x_ = 0, pose_y_ = 0, pose_theta_ = 0;
  int64_t last_seqnum_ = 0;
};

} // namespace roborock::sim
