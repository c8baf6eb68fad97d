// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sim_robot.h"

#include <cmath>
#include <ctime>

#include "crypto.h"
#include "frame_codec.h"
#include "payload.h"

namespace roborock::sim {
namespace {

double member_double(JsonObject *object, const char *name, bool *present) {
  JsonNode *node = object ? json_object_get_member(object, name) : nullptr;
  *present = node && JSON_NODE_TYPE(node) == JSON_NODE_VALUE &&
             (json_node_get_value_type(node) == G_TYPE_DOUBLE ||
              json_node_get_value_type(node) == G_TYPE_INT64);
  return *present ? json_node_get_double(node) : 0.0;
}

// The event log may be read by anyone: keep secrets out, but say whether they
// were right.
std::string redacted_params(const std::string &params_json) {
  auto node = parse_json(params_json, "params");
  if (!node || !JSON_NODE_HOLDS_OBJECT(node->get()))
    return node ? params_json : "null";
  JsonObject *object = json_node_get_object(node->get());
  for (const char *secret : {"password", "app_sdp", "app_ice"})
    if (json_object_has_member(object, secret))
      json_object_set_string_member(object, secret, "<redacted>");
  return serialize_json(node->get());
}

// The audio m-line direction of an offer, for tests of talk-back negotiation.
std::string audio_direction(const std::string &sdp) {
  size_t audio = sdp.find("m=audio");
  if (audio == std::string::npos)
    return "none";
  size_t end = sdp.find("\nm=", audio + 1);
  std::string section =
      sdp.substr(audio, end == std::string::npos ? std::string::npos : end - audio);
  for (const char *direction : {"sendrecv", "sendonly", "recvonly", "inactive"})
    if (section.find(std::string("a=") + direction) != std::string::npos)
      return direction;
  return "sendrecv"; // the SDP default
}

} // namespace

SimRobot::SimRobot(EventLoop &loop, RobotConfig config, EventLog &log, SimMedia &media,
                   Publisher publish)
    : loop_(loop), config_(std::move(config)), log_(log), media_(media),
      publish_(std::move(publish)), viewer_(config_.preset_viewer) {}

void SimRobot::go_offline() {
  offline_ = true;
  media_.stop();
  log_.write(EventLog::begin("offline"));
}

void SimRobot::on_request_frame(const std::string &topic, const uint8_t *data, size_t size) {
  if (offline_)
    return;
  auto frame = decode_frame(data, size, config_.local_key);
  if (!frame) {
    log_.write(EventLog::begin("bad-frame").add_string("error", frame.error().message));
    return;
  }
  auto message = parse_rpc_message(frame->payload);
  if (!message || !message->request) {
    log_.write(EventLog::begin("bad-request")
                   .add_string("error", message ? "no dps 101" : message.error().message));
    return;
  }
  const RpcRequest &request = *message->request;
  std::string client = topic.substr(0, topic.rfind('/'));
  log_.write(EventLog::begin("command")
                 .add_string("method", request.method)
                 .add_int("id", request.id)
                 .add_raw("params", redacted_params(request.params_json)));

  if (config_.silent_to.count(request.method)) {
    log_.write(EventLog::begin("silent").add_string("method", request.method));
    return;
  }
  std::string reply_topic = topic;
  reply_topic.replace(0, 7, "rr/m/o/"); // rr/m/i/... -> rr/m/o/...
  if (config_.malformed_for.count(request.method)) {
    publish_malformed(reply_topic, request.id);
    return;
  }

  auto params = parse_json(request.params_json, "params");
  JsonObject *object = params && JSON_NODE_HOLDS_OBJECT(params->get())
                           ? json_node_get_object(params->get())
                           : nullptr;
  Reply reply = dispatch(request, object, client);

  unsigned delay = config_.delay_ms;
  auto it = config_.delay_ms_for.find(request.method);
  if (it != config_.delay_ms_for.end())
    delay = it->second;
  if (delay == 0) {
    send_reply(reply_topic, request.id, request.method, reply);
    return;
  }
  loop_.post_delayed(delay, [this, reply_topic, id = request.id, method = request.method, reply] {
    if (!offline_)
      send_reply(reply_topic, id, method, reply);
  });
}

SimRobot::Reply SimRobot::dispatch(const RpcRequest &request, JsonObject *params,
                                   const std::string &) {
  const std::string &method = request.method;
  if (method == command::kCheckPassword)
    return check_password(params);
  if (method == command::kConnectStatus)
    return result(JsonObjectWriter()
                      .add_int("status", viewer_.empty() ? 0 : 1)
                      .add_string("client_id", viewer_.empty() ? "none" : viewer_)
                      .str());
  if (method == command::kStartPreview)
    return start_preview(params);
  if (method == command::kStopPreview)
    return stop_preview(params);
  if (method == command::kSwitchQuality)
    return switch_quality(params);
  if (method == command::kGetTurnServer)
    return result(JsonObjectWriter()
                      .add_string("url", config_.turn_url)
                      .add_string("user", config_.turn_user)
                      .add_string("pwd", config_.turn_password)
                      .str());
  if (method == command::kSendSdp)
    return receive_offer(params);
  if (method == command::kGetDeviceSdp)
    return device_sdp();
  if (method == command::kSendIce)
    return receive_candidate(params);
  if (method == command::kGetDeviceIce)
    return device_candidates();
  if (method == command::kStartVoiceChat || method == command::kStopVoiceChat) {
    bool on = method == command::kStartVoiceChat;
    media_.set_audio_enabled(on);
    log_.write(EventLog::begin("voice-chat").add_bool("active", on));
    return ok();
  }
  if (method == command::kSetVoiceVolume)
    return ok();
  if (method == command::kRcStart || method == command::kRcEnd ||
      method == command::kRcStopLegacy) {
    rc_active_ = method == command::kRcStart;
    log_.write(EventLog::begin("rc").add_bool("active", rc_active_));
    update_overlay();
    return ok();
  }
  if (method == command::kRcMove)
    return rc_move(params);
  return result("\"unknown_method\"");
}

bool SimRobot::password_matches(JsonObject *params) {
  const char *given = json_object_string(params, "password");
  return given && md5_hex(config_.pattern) == given;
}

SimRobot::Reply SimRobot::check_password(JsonObject *params) {
  if (wrong_patterns_ >= config_.lockout_after)
    return error(kErrorLocked, "remote viewing locked after too many wrong patterns");
  bool right = password_matches(params);
  wrong_patterns_ = right ? 0 : wrong_patterns_ + 1;
  log_.write(
      EventLog::begin("password").add_bool("ok", right).add_int("failures", wrong_patterns_));
  return right ? ok() : error(kErrorWrongPassword, "password error");
}

SimRobot::Reply SimRobot::start_preview(JsonObject *params) {
  const char *client = json_object_string(params, "client_id");
  const char *quality = json_object_string(params, "quality");
  if (!client || !quality || (g_strcmp0(quality, "HD") != 0 && g_strcmp0(quality, "SD") != 0))
    return error(kErrorBadParams, "start_camera_preview needs client_id and quality HD/SD");
  if (wrong_patterns_ >= config_.lockout_after)
    return error(kErrorLocked, "remote viewing locked after too many wrong patterns");
  if (!password_matches(params)) {
    wrong_patterns_++;
    return error(kErrorWrongPassword, "password error");
  }
  if (!viewer_.empty() && viewer_ != client) {
    log_.write(
        EventLog::begin("busy").add_string("holder", viewer_).add_string("client_id", client));
    return error(kErrorBusy, "camera busy: another client is viewing");
  }
  end_viewing(); // the same client starting again replaces its session
  viewer_ = client;
  quality_ = g_strcmp0(quality, "SD") == 0 ? VideoQuality::SD : VideoQuality::HD;
  std::string failure;
  if (!media_.start(quality_, &failure)) {
    viewer_.clear();
    return error(kErrorNoPreview, "camera failed: " + failure);
  }
  update_overlay();
  log_.write(EventLog::begin("viewer")
                 .add_string("client_id", viewer_)
                 .add_bool("active", true)
                 .add_string("quality", video_quality_name(quality_)));
  return ok();
}

SimRobot::Reply SimRobot::stop_preview(JsonObject *params) {
  const char *client = json_object_string(params, "client_id");
  if (client && viewer_ != client)
    return ok(); // that client is not viewing
  end_viewing();
  return ok();
}

void SimRobot::end_viewing() {
  if (viewer_.empty())
    return;
  log_.write(EventLog::begin("viewer").add_string("client_id", viewer_).add_bool("active", false));
  viewer_.clear();
  offer_received_ = false;
  sdp_polls_ = 0;
  rc_active_ = false;
  media_.stop();
}

SimRobot::Reply SimRobot::switch_quality(JsonObject *params) {
  const char *quality = json_object_string(params, "quality");
  if (g_strcmp0(quality, "HD") != 0 && g_strcmp0(quality, "SD") != 0)
    return error(kErrorBadParams, "quality must be HD or SD");
  quality_ = g_strcmp0(quality, "SD") == 0 ? VideoQuality::SD : VideoQuality::HD;
  media_.set_quality(quality_);
  update_overlay();
  VideoSize size = video_size(quality_);
  log_.write(EventLog::begin("quality")
                 .add_string("quality", quality)
                 .add_int("width", size.width)
                 .add_int("height", size.height));
  return ok();
}

SimRobot::Reply SimRobot::receive_offer(JsonObject *params) {
  if (viewer_.empty() || !media_.running())
    return error(kErrorNoPreview, "no camera preview started");
  const char *payload = json_object_string(params, "app_sdp");
  auto offer = payload ? decode_sdp_payload(payload)
                       : Result<SessionDescription>(Error{ErrorCode::BadMessage, "no app_sdp"});
  if (!offer)
    return error(kErrorBadParams, "bad app_sdp: " + offer.error().message);
  log_.write(EventLog::begin("offer")
                 .add_int("sdp_bytes", int64_t(offer->sdp.size()))
                 .add_string("audio_direction", audio_direction(offer->sdp)));
  if (!media_.set_offer(offer->sdp))
    return error(kErrorBadParams, "the offer SDP does not parse");
  offer_received_ = true;
  sdp_polls_ = 0;
  return ok();
}

SimRobot::Reply SimRobot::device_sdp() {
  sdp_polls_++;
  auto answer = offer_received_ ? media_.answer_sdp() : std::nullopt;
  if (sdp_polls_ <= config_.sdp_retries || !answer)
    return result("{\"dev_sdp\":\"retry\"}");
  log_.write(EventLog::begin("answer-delivered").add_int("polls", sdp_polls_));
  return result(
      JsonObjectWriter()
          .add_string("dev_sdp", encode_sdp_payload(SessionDescription{"answer", *answer}))
          .str());
}

SimRobot::Reply SimRobot::receive_candidate(JsonObject *params) {
  const char *payload = json_object_string(params, "app_ice");
  auto candidate = payload ? decode_ice_payload(payload)
                           : Result<IceCandidate>(Error{ErrorCode::BadMessage, "no app_ice"});
  if (!candidate)
    return error(kErrorBadParams, "bad app_ice: " + candidate.error().message);
  log_.write(EventLog::begin("remote-candidate")
                 .add_string("candidate", candidate->candidate)
                 .add_int("mline", candidate->sdp_mline_index));
  media_.add_remote_candidate(*candidate);
  return ok();
}

SimRobot::Reply SimRobot::device_candidates() {
  std::vector<IceCandidate> candidates = media_.local_candidates();
  if (candidates.empty())
    return result("{\"dev_ice\":\"retry\"}");
  // The whole list every time, as robots do: clients must deduplicate.
  std::string list = "[";
  for (int copy = 0; copy < (config_.ice_duplicates ? 2 : 1); copy++)
    for (size_t i = 0; i < candidates.size(); i++)
      list += (list.size() > 1 ? "," : "") + json_quote(encode_ice_payload(candidates[i]));
  list += "]";
  log_.write(EventLog::begin("ice-list").add_int("candidates", int64_t(candidates.size())));
  return result(JsonObjectWriter().add_raw("dev_ice", list).str());
}

SimRobot::Reply SimRobot::rc_move(JsonObject *params) {
  bool has_v = false, has_w = false, has_seq = false, has_duration = false;
  double velocity = member_double(params, "velocity", &has_v);
  double omega = member_double(params, "omega", &has_w);
  double seqnum = member_double(params, "seqnum", &has_seq);
  double duration = member_double(params, "duration", &has_duration);
  if (!has_v || !has_w || !has_seq || !has_duration)
    return error(kErrorBadParams, "app_rc_move needs velocity, omega, seqnum, duration");
  // Integrate the move over its duration (unicycle model, small steps).
  double seconds = duration / 1000.0;
  const int steps = 10;
  for (int i = 0; i < steps; i++) {
    pose_theta_ += omega * seconds / steps;
    pose_x_ += velocity * std::cos(pose_theta_) * seconds / steps;
    pose_y_ += velocity * std::sin(pose_theta_) * seconds / steps;
  }
  last_seqnum_ = int64_t(seqnum);
  log_.write(EventLog::begin("rc-move")
                 .add_double("velocity", velocity)
                 .add_double("omega", omega)
                 .add_int("seqnum", last_seqnum_)
                 .add_int("duration", int64_t(duration))
                 .add_bool("rc_active", rc_active_)
                 .add_double("x", std::round(pose_x_ * 1000) / 1000)
                 .add_double("y", std::round(pose_y_ * 1000) / 1000)
                 .add_double("theta", std::round(pose_theta_ * 1000) / 1000));
  update_overlay();
  return ok();
}

void SimRobot::update_overlay() {
  char text[256];
  VideoSize size = video_size(quality_);
  snprintf(text, sizeof text,
           "roborock-sim %s %dx%d\npose x=%+.2f m y=%+.2f m heading=%+.0f deg\n%s",
           video_quality_name(quality_), size.width, size.height, pose_x_, pose_y_,
           pose_theta_ * 180.0 / M_PI,
           rc_active_ ? ("remote control, move #" + std::to_string(last_seqnum_)).c_str() : "");
  media_.set_status_text(text);
}

void SimRobot::send_reply(const std::string &topic, int64_t id, const std::string &method,
                          const Reply &reply) {
  uint32_t now = uint32_t(time(nullptr));
  std::string payload = reply.is_error
                            ? build_error_payload(id, reply.error_code, reply.error_message, now)
                            : build_result_payload(id, reply.result_json, now);
  // A reply nobody asked for (an id outside the 10000..32767 clients use), then
  // this one twice.
  if (config_.duplicate_replies)
    publish_payload(topic, build_result_payload(99000000 + id, "[\"ok\"]", now));
  publish_payload(topic, payload);
  if (config_.duplicate_replies)
    publish_payload(topic, payload);
  log_.write(EventLog::begin("reply")
                 .add_string("method", method)
                 .add_int("id", id)
                 .add_string("outcome", reply.is_error ? "error" : "ok"));
}

void SimRobot::publish_payload(const std::string &topic, const std::string &payload) {
  Frame frame{seq_++, g_random_int(), uint32_t(time(nullptr)), kProtocolRpcResponse, payload};
  auto bytes = encode_frame(frame, config_.local_key);
  if (bytes)
    publish_(topic, *bytes);
}

void SimRobot::publish_malformed(const std::string &topic, int64_t id) {
  uint32_t now = uint32_t(time(nullptr));
  // 1. A frame with a broken CRC.
  Frame frame{seq_++, 1, now, kProtocolRpcResponse, build_result_payload(id, "[\"ok\"]", now)};
  auto bytes = encode_frame(frame, config_.local_key);
  if (bytes) {
    bytes->back() ^= 0xff;
    publish_(topic, *bytes);
  }
  // 2. A sound frame around JSON that is not.
  frame.payload = "{\"t\":1,\"dps\":{\"102\":\"{\\\"id\\\":" + std::to_string(id) + ",\\\"res";
  if (auto broken = encode_frame(frame, config_.local_key))
    publish_(topic, *broken);
  // 3. The right reply, encrypted with the wrong key.
  frame.payload = build_result_payload(id, "[\"ok\"]", now);
  if (auto wrong_key = encode_frame(frame, "0000000000000000"))
    publish_(topic, *wrong_key);
  // 4. Garbage.
  publish_(topic, std::vector<uint8_t>{'1', '.', '0', 0xde, 0xad});
  log_.write(EventLog::begin("malformed-replies").add_int("id", id));
}

} // namespace roborock::sim
