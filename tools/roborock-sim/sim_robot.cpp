// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sim_robot.h"

#include <cmath>
#include <ctime>

#include "crypto.h"
#include "frame_codec.h"
#include "offer_summary.h"
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

bool member_bool(JsonObject *object, const char *name, bool fallback) {
  JsonNode *node = object ? json_object_get_member(object, name) : nullptr;
  if (!node || JSON_NODE_TYPE(node) != JSON_NODE_VALUE ||
      json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean(node);
}

JsonObject *as_object(JsonNode *node) {
  return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : nullptr;
}

// Parameters some apps send as an object and others as a one-element list
// holding it; *listed says which.
JsonObject *object_or_listed_object(JsonNode *node, bool *listed) {
  *listed = false;
  if (JsonObject *object = as_object(node))
    return object;
  if (!node || !JSON_NODE_HOLDS_ARRAY(node))
    return nullptr;
  JsonArray *array = json_node_get_array(node);
  if (json_array_get_length(array) != 1)
    return nullptr;
  *listed = true;
  return as_object(json_array_get_element(array, 0));
}

// --mime-base64: base64 as MIME encoders write it, with CRLF every 76
// characters, and without the '=' padding some robots drop. Strict decoders
// refuse both.
std::string mime_base64(std::string text) {
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  std::string wrapped;
  for (size_t at = 0; at < text.size(); at += 76)
    wrapped += (at ? "\r\n" : "") + text.substr(at, 76);
  return wrapped;
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

// The first frames each way, as bytes, for a decoder that shares no code
// with ours (tests/integration/independent_v1.py).
void SimRobot::log_frame(const char *direction, const uint8_t *data, size_t size) {
  if (frames_logged_ >= kFramesLogged)
    return;
  frames_logged_++;
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; i++)
    hex += std::string{digits[data[i] >> 4], digits[data[i] & 15]};
  log_.write(EventLog::begin("frame").add_string("direction", direction).add_string("hex", hex));
}

void SimRobot::on_request_frame(const std::string &topic, const uint8_t *data, size_t size) {
  if (offline_)
    return;
  log_frame("request", data, size);
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
  Reply reply = dispatch(request, params ? params->get() : nullptr, client);
  if (reply.unanswered) {
    log_.write(EventLog::begin("silent").add_string("method", request.method));
    return;
  }

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

SimRobot::Reply SimRobot::dispatch(const RpcRequest &request, JsonNode *params,
                                   const std::string &) {
  const std::string &method = request.method;
  JsonObject *object = as_object(params);
  if (method == command::kCheckPassword)
    return check_password(object);
  if (method == command::kConnectStatus)
    return connect_status();
  if (method == command::kStartPreview)
    return start_preview(object);
  if (method == command::kStopPreview)
    return stop_preview(object);
  if (method == command::kSwitchQuality)
    return switch_quality(object);
  if (method == command::kGetTurnServer)
    return turn_server();
  if (method == command::kSendSdp)
    return receive_offer(object);
  if (method == command::kGetDeviceSdp)
    return device_sdp();
  if (method == command::kSendIce)
    return receive_candidate(object);
  if (method == command::kGetDeviceIce)
    return device_candidates();
  if (method == command::kStartVoiceChat || method == command::kStopVoiceChat)
    return voice_chat(method == command::kStartVoiceChat, params);
  if (method == command::kSetVoiceVolume)
    return voice_volume(params);
  if (method == command::kRcStart || method == command::kRcEnd || method == command::kRcHalt)
    return remote_control(method);
  if (method == command::kRcMove)
    return rc_move(params);
  return result("\"unknown_method\"");
}

// The holder stays reported for --slow-release after it stopped.
SimRobot::Reply SimRobot::connect_status() {
  const std::string &holder = viewer_.empty() && releasing() ? released_viewer_ : viewer_;
  return result(JsonObjectWriter()
                    .add_int("status", holder.empty() ? 0 : 1)
                    .add_string("client_id", holder.empty() ? "none" : holder)
                    .str());
}

// md5 of the pattern; a robot without a pattern (--no-pattern) takes "".
bool SimRobot::password_matches(JsonObject *params) {
  const char *given = json_object_string(params, "password");
  if (!given)
    return false;
  return config_.has_pattern ? md5_hex(config_.pattern) == given : *given == '\0';
}

// Without a pattern there is nothing to guess, so nothing locks.
bool SimRobot::locked() const {
  return config_.has_pattern && wrong_patterns_ >= config_.lockout_after;
}

void SimRobot::count_wrong_pattern() {
  if (config_.has_pattern)
    wrong_patterns_++;
}

SimRobot::Reply SimRobot::wrong_password() const {
  return error(config_.real_errors ? kRealErrorPassword : kErrorWrongPassword, "password error");
}

SimRobot::Reply SimRobot::locked_out() const {
  return error(kErrorLocked, config_.real_errors
                                 ? "too many password attempts, remote viewing locked"
                                 : "remote viewing locked after too many wrong patterns");
}

SimRobot::Reply SimRobot::check_password(JsonObject *params) {
  if (locked())
    return locked_out();
  bool right = password_matches(params);
  // --password-result: the robot says no in its result, even to the right
  // pattern; to the lockout that is a failure too.
  bool accepted = right && config_.password_result.empty();
  if (accepted)
    wrong_patterns_ = 0;
  else
    count_wrong_pattern();
  log_.write(
      EventLog::begin("password").add_bool("ok", accepted).add_int("failures", wrong_patterns_));
  if (accepted)
    return ok();
  if (right)
    return result(config_.password_result);
  if (!config_.has_pattern)
    return error(kRealErrorPassword, "no password set");
  return wrong_password();
}

SimRobot::Reply SimRobot::start_preview(JsonObject *params) {
  if (auto refusal = refuse_preview(params))
    return *refusal;
  const char *client = json_object_string(params, "client_id");
  const char *quality = json_object_string(params, "quality");
  end_viewing(); // the same client starting again replaces its session
  viewer_ = client;
  quality_ = g_strcmp0(quality, "SD") == 0 ? VideoQuality::SD : VideoQuality::HD;
  std::string failure;
  if (!media_.start(quality_, &failure)) {
    viewer_.clear();
    return error(kErrorNoPreview, "camera failed: " + failure);
  }
  preview_accepted_ = true;
  turn_retries_given_ = 0;
  if (config_.voice_chat_flags)
    media_.set_talkback_enabled(false); // until a voice chat asks to play
  update_overlay();
  log_.write(
      EventLog::begin("viewer")
          .add_string("client_id", viewer_)
          .add_bool("active", true)
          .add_string("quality", video_quality_name(quality_))
          .add_bool("password_empty", g_strcmp0(json_object_string(params, "password"), "") == 0));
  return ok();
}

// Why start_camera_preview cannot be accepted, in the order a robot checks.
std::optional<SimRobot::Reply> SimRobot::refuse_preview(JsonObject *params) {
  const char *client = json_object_string(params, "client_id");
  const char *quality = json_object_string(params, "quality");
  if (!client || !quality || (g_strcmp0(quality, "HD") != 0 && g_strcmp0(quality, "SD") != 0))
    return error(kErrorBadParams, "start_camera_preview needs client_id and quality HD/SD");
  const auto &fault = config_.preview_error;
  if (fault && (fault->count == 0 || preview_errors_given_ < fault->count)) {
    preview_errors_given_++;
    log_.write(EventLog::begin("preview-error").add_int("code", fault->code));
    return error(fault->code, fault->message);
  }
  if (locked())
    return locked_out();
  if (!password_matches(params)) {
    count_wrong_pattern();
    return wrong_password();
  }
  if (releasing()) {
    log_.write(EventLog::begin("busy")
                   .add_string("holder", released_viewer_)
                   .add_string("client_id", client)
                   .add_string("reason", "disconnecting"));
    return error(kErrorBusy, "camera busy: disconnecting");
  }
  if (!viewer_.empty() && viewer_ != client) {
    log_.write(
        EventLog::begin("busy").add_string("holder", viewer_).add_string("client_id", client));
    return error(kErrorBusy, "camera busy: another client is viewing");
  }
  return std::nullopt;
}

SimRobot::Reply SimRobot::stop_preview(JsonObject *params) {
  const char *client = json_object_string(params, "client_id");
  // Without a client_id, robots with --stop-needs-client-id ignore the stop;
  // with one, only that client's session ends.
  bool applies = client ? viewer_ == client : !config_.stop_needs_client_id;
  std::string leaving = applies ? viewer_ : "";
  if (applies)
    end_viewing();
  if (!leaving.empty() && config_.slow_release_ms > 0) {
    released_viewer_ = leaving;
    release_deadline_us_ = g_get_monotonic_time() + int64_t(config_.slow_release_ms) * 1000;
  }
  log_.write(EventLog::begin("stop-preview")
                 .add_string("client_id", client ? client : "")
                 .add_bool("ended", !leaving.empty()));
  return ok();
}

bool SimRobot::releasing() const {
  return !released_viewer_.empty() && g_get_monotonic_time() < release_deadline_us_;
}

void SimRobot::end_viewing() {
  if (viewer_.empty())
    return;
  log_.write(EventLog::begin("viewer").add_string("client_id", viewer_).add_bool("active", false));
  viewer_.clear();
  offer_received_ = false;
  sdp_polls_ = 0;
  preview_accepted_ = false;
  turn_retries_given_ = 0;
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

// --turn-after-preview and --turn-retries: robots answer "retry", in one of
// several shapes, until they have a TURN allocation for the viewer.
SimRobot::Reply SimRobot::turn_server() {
  static const char *retry_shapes[] = {"\"retry\"",
                                       "{\"url\":\"retry\",\"user\":\"\",\"pwd\":\"\"}",
                                       "{\"url\":\"\",\"user\":\"\",\"pwd\":\"\"}"};
  if (config_.turn_after_preview && !preview_accepted_) {
    log_.write(EventLog::begin("turn-retry").add_bool("before_preview", true));
    return result(retry_shapes[0]);
  }
  if (turn_retries_given_ < config_.turn_retries) {
    const char *shape = retry_shapes[turn_retries_given_++ % 3];
    log_.write(
        EventLog::begin("turn-retry").add_bool("before_preview", false).add_raw("result", shape));
    return result(shape);
  }
  // Without --turn-url: a firmware without a relay to give; the client goes
  // direct at once (real robots always have one: the cloud's).
  if (config_.turn_url.empty())
    return result("\"unknown_method\"");
  return result(JsonObjectWriter()
                    .add_string("url", config_.turn_url)
                    .add_string("user", config_.turn_user)
                    .add_string("pwd", config_.turn_password)
                    .str());
}

SimRobot::Reply SimRobot::receive_offer(JsonObject *params) {
  if (viewer_.empty() || !media_.running())
    return error(kErrorNoPreview, "no camera preview started");
  const char *payload = json_object_string(params, "app_sdp");
  auto offer = payload ? decode_sdp_payload(payload)
                       : Result<SessionDescription>(Error{ErrorCode::BadMessage, "no app_sdp"});
  if (!offer)
    return error(kErrorBadParams, "bad app_sdp: " + offer.error().message);
  OfferSummary summary = summarize_offer(offer->sdp);
  log_.write(EventLog::begin("offer")
                 .add_int("sdp_bytes", int64_t(offer->sdp.size()))
                 .add_string("audio_direction", summary.audio_direction)
                 .add_string("mids", join(summary.mids, ","))
                 .add_string("ports", join(port_texts(summary.ports), ","))
                 .add_bool("bundle_only", summary.bundle_only)
                 .add_string("bundle", summary.bundle)
                 .add_string("audio_codecs", join(summary.audio_codecs, ","))
                 .add_string("opus_fmtp", summary.opus_fmtp));
  std::string problem = config_.strict_offer ? strict_offer_problem(summary) : "";
  if (!problem.empty()) {
    log_.write(EventLog::begin("offer-rejected").add_string("reason", problem));
    return error(kErrorBadParams, problem);
  }
  if (!media_.set_offer(offer->sdp))
    return error(kErrorBadParams, "the offer SDP does not parse");
  offer_received_ = true;
  sdp_polls_ = 0;
  flaky_sdp_polls_ = flaky_ice_polls_ = 0;
  return ok();
}

// --flaky-polls: after an offer, the first poll fails and the second is lost.
std::optional<SimRobot::Reply> SimRobot::flaky_poll(unsigned &polls) {
  if (!config_.flaky_polls || !offer_received_ || polls >= 2)
    return std::nullopt;
  return ++polls == 1 ? error(kRealErrorTryLater, "busy, try later") : no_reply();
}

SimRobot::Reply SimRobot::device_sdp() {
  if (config_.docked) // a robot on its dock never gets to answer
    return result("{\"dev_sdp\":\"retry\"}");
  if (auto flaky = flaky_poll(flaky_sdp_polls_))
    return *flaky;
  sdp_polls_++;
  auto answer = offer_received_ ? media_.answer_sdp() : std::nullopt;
  if (sdp_polls_ <= config_.sdp_retries || !answer)
    return result("{\"dev_sdp\":\"retry\"}");
  log_.write(EventLog::begin("answer-delivered").add_int("polls", sdp_polls_));
  std::string payload = encode_sdp_payload(SessionDescription{"answer", *answer});
  return result(JsonObjectWriter().add_string("dev_sdp", wire_base64(payload)).str());
}

std::string SimRobot::wire_base64(std::string base64) const {
  return config_.mime_base64 ? mime_base64(std::move(base64)) : base64;
}

SimRobot::Reply SimRobot::receive_candidate(JsonObject *params) {
  const char *payload = json_object_string(params, "app_ice");
  auto candidate = payload ? decode_ice_payload(payload)
                           : Result<IceCandidate>(Error{ErrorCode::BadMessage, "no app_ice"});
  if (!candidate)
    return error(kErrorBadParams, "bad app_ice: " + candidate.error().message);
  log_.write(EventLog::begin("remote-candidate")
                 .add_string("candidate", candidate->candidate)
                 .add_int("mline", candidate->sdp_mline_index)
                 .add_bool("ignored", config_.ice_in_answer));
  if (!config_.ice_in_answer)
    media_.add_remote_candidate(*candidate);
  return ok();
}

SimRobot::Reply SimRobot::device_candidates() {
  if (auto flaky = flaky_poll(flaky_ice_polls_))
    return *flaky;
  std::vector<IceCandidate> candidates = media_.local_candidates();
  if (candidates.empty() || config_.ice_in_answer)
    return result("{\"dev_ice\":\"retry\"}");
  // The whole list every time, as robots do: clients must deduplicate.
  std::string list = "[";
  for (int copy = 0; copy < (config_.ice_duplicates ? 2 : 1); copy++)
    for (size_t i = 0; i < candidates.size(); i++)
      list +=
          (list.size() > 1 ? "," : "") + json_quote(wire_base64(encode_ice_payload(candidates[i])));
  list += "]";
  log_.write(EventLog::begin("ice-list").add_int("candidates", int64_t(candidates.size())));
  return result(JsonObjectWriter().add_raw("dev_ice", list).str());
}

// start_voice_chat takes [], {} or {"record":bool,"play":bool}; [] and {}
// (and a missing member) mean both directions.
SimRobot::Reply SimRobot::voice_chat(bool start, JsonNode *params) {
  JsonObject *flags = as_object(params);
  if (start && flags && config_.voice_chat_list_only)
    return error(kErrorBadParams, "invalid params");
  bool record = start && member_bool(flags, "record", true);
  bool play = start && member_bool(flags, "play", true);
  if (config_.voice_chat_flags) {
    media_.set_audio_enabled(record);
    media_.set_talkback_enabled(play);
  } else {
    media_.set_audio_enabled(start);
  }
  log_.write(EventLog::begin("voice-chat")
                 .add_bool("active", start)
                 .add_bool("record", record)
                 .add_bool("play", play)
                 .add_string("form", flags ? "object" : "list"));
  return ok();
}

SimRobot::Reply SimRobot::voice_volume(JsonNode *params) {
  bool listed = false, present = false;
  double volume = member_double(object_or_listed_object(params, &listed), "volume", &present);
  log_.write(EventLog::begin("voice-volume").add_int("volume", present ? int64_t(volume) : -1));
  return ok();
}

// app_rc_end (like app_rc_start) switches remote control; app_rc_stop only
// halts the robot, which stays under remote control.
SimRobot::Reply SimRobot::remote_control(const std::string &method) {
  if (method == command::kRcHalt) {
    log_.write(EventLog::begin("rc-halt").add_bool("rc_active", rc_active_));
    return ok();
  }
  rc_active_ = method == command::kRcStart;
  log_.write(EventLog::begin("rc").add_bool("active", rc_active_));
  update_overlay();
  return ok();
}

SimRobot::Reply SimRobot::rc_move(JsonNode *node) {
  bool listed = false;
  JsonObject *params = object_or_listed_object(node, &listed);
  if (params && !listed && config_.rc_list_params)
    return error(kErrorBadParams, "invalid params");
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

// The picture follows the robot: the overlay's text, and the room view
// drawn from the pose.
void SimRobot::update_overlay() {
  media_.set_pose(Pose{pose_x_, pose_y_, pose_theta_});
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
  if (config_.junk_before_replies)
    publish_malformed(topic, id);
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
  if (!bytes)
    return;
  if (config_.trailing_bytes) // some firmwares send frames longer than their length field says
    for (int i = 0; i < 4; i++)
      bytes->push_back(uint8_t(g_random_int()));
  log_frame("reply", bytes->data(), bytes->size());
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
  // 4. A sound frame cut short.
  if (bytes) {
    bytes->resize(bytes->size() / 2);
    publish_(topic, *bytes);
  }
  // 5. A sound frame whose JSON nests 65000 deep, behind a comment that
  // hides a quote (json-glib would recurse on it until the stack overflows).
  frame.payload = "/* \" */ " + std::string(65000, '[');
  if (auto deep = encode_frame(frame, config_.local_key))
    publish_(topic, *deep);
  // 6. Garbage.
  publish_(topic, std::vector<uint8_t>{'1', '.', '0', 0xde, 0xad});
  log_.write(EventLog::begin("malformed-replies").add_int("id", id));
}

} // namespace roborock::sim
