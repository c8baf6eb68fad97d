// SPDX-License-Identifier: LGPL-2.1-or-later
#include "camera_session.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <vector>

#include "credentials_file.h"
#include "log.h"
#include "pattern_rejections.h"
#include "robot_errors.h"
#include "rpc_client.h"

namespace roborock {

const char *session_state_name(SessionState state) {
  switch (state) {
  case SessionState::Idle:
    return "idle";
  case SessionState::Connecting:
    return "connecting";
  case SessionState::Authenticating:
    return "authenticating";
  case SessionState::Negotiating:
    return "negotiating";
  case SessionState::Streaming:
    return "streaming";
  case SessionState::Reconnecting:
    return "reconnecting";
  case SessionState::Stopped:
    return "stopped";
  case SessionState::Failed:
    return "failed";
  }
  return "unknown";
}

namespace {

// get_device_sdp / get_device_ice polling: fast at first (a robot that is
// ready answers within one round trip), backing off by half each time to the
// phone app's 0.5 s.
constexpr unsigned kFirstPollIntervalMs = 50;
constexpr unsigned kMaxPollIntervalMs = 500;

class AdaptivePoll {
public:
  // The next poll, after the current interval, which then grows.
  void schedule(EventLoop &loop, std::function<void()> poll) {
    loop.start_oneshot(timer_, interval_ms_, std::move(poll));
    interval_ms_ = std::min(kMaxPollIntervalMs, interval_ms_ + interval_ms_ / 2);
  }
  void cancel() { timer_.cancel(); }

private:
  Timer timer_;
  unsigned interval_ms_ = kFirstPollIntervalMs;
};

// A poll whose reply has not come by then is taken as missed (robots drop
// one now and then) and the next one goes out.
constexpr unsigned kPollTimeoutMs = 1500;
// get_turn_server "retry": ask again from 100 ms, doubling to 1 s, for at
// most half the setup deadline (then direct paths only, with a warning).
constexpr unsigned kFirstTurnRetryMs = 100;
constexpr unsigned kWatchdogTickMs = 250;
constexpr unsigned kMaxTurnRetryMs = 1000;
// After ending a stale session of ours, the robot takes a moment to free its
// viewer slot (go2rtc waits 1 s): re-check the status this often, this many
// times.
constexpr unsigned kStaleCheckIntervalMs = 250;
constexpr unsigned kMaxStaleChecks = 12;
// "disconnecting" / "too frequent": one more start_camera_preview after this.
constexpr unsigned kPreviewRetryMs = 1000;

std::string result_text(JsonNode *result) {
  return result ? serialize_json(result) : "nothing";
}

// A reply as what the caller wants: the result node, or a typed error that
// names the command.
Result<JsonNodePtr> reply_result(const std::string &method, Result<RpcReply> reply) {
  if (!reply)
    return reply.error();
  switch (reply->kind) {
  case RpcReply::Kind::Result:
    return reply->result;
  case RpcReply::Kind::Unsupported:
    return Error{ErrorCode::Unsupported, method + " is not supported by this firmware"};
  case RpcReply::Kind::Error:
    break;
  }
  std::string message = method + " failed: " + reply->error_message;
  if (reply->error_code != 0)
    message += " (code " + std::to_string(reply->error_code) + ")";
  return Error{ErrorCode::RobotError, message};
}

} // namespace

class CameraSession::Core : public std::enable_shared_from_this<CameraSession::Core> {
public:
  Core(EventLoop &loop, CameraSessionConfig config, CameraSessionListener *listener)
      : loop_(loop), config_(std::move(config)), listener_(listener) {}

  std::atomic<SessionState> state{SessionState::Idle};
  std::atomic<unsigned> reconnects{0};
  std::atomic<unsigned> undecodable{0}; // frames on our topic that did not decode

  // Any thread: after this returns no listener callback runs (one in progress
  // finishes first).
  void detach_listener() {
    std::lock_guard<std::recursive_mutex> lock(listener_mutex_);
    listener_ = nullptr;
  }

  void start();
  void stop(std::function<void()> done, unsigned grace_ms);
  void send_offer(const std::string &sdp);
  void add_local_candidate(const IceCandidate &candidate);
  void media_connected();
  void media_failed(const Error &error) { fatal(error); }
  void set_quality(VideoQuality quality);
  void command(const std::string &method, const std::string &params, CommandCallback done);
  void rc_move(double velocity, double omega, unsigned duration_ms, CommandCallback done);
  void set_voice_chat(bool record, bool play);

private:
  using ResultHandler = std::function<void(Result<JsonNodePtr>)>;
  using ReplyHandler = std::function<void(Result<RpcReply>)>;

  template <typename F>
  void notify(F &&deliver) {
    std::lock_guard<std::recursive_mutex> lock(listener_mutex_);
    if (listener_)
      deliver(*listener_);
  }
  void set_state(SessionState next);
  void warn(const Error &error);
  void fatal(const Error &error);
  void watch_media();
  bool running() const { return rpc_ && !failed_ && !stopping_; }

  int64_t call(const std::string &method, const std::string &params, ResultHandler handler,
               unsigned timeout_ms = 0);
  void call_for_reply(const std::string &method, const std::string &params, ReplyHandler handler);
  void on_mqtt_state(MqttState mqtt_state, const Error *error);
  void connect_account();
  bool pattern_rejected_before();
  void fail_pattern(const Error &error);
  void release_account();
  std::string renew_account_keys();
  void begin_authentication();
  void check_status();
  void on_password_checked(Result<RpcReply> reply);
  void on_connect_status(Result<JsonNodePtr> result);
  void request_turn();
  void on_turn_server(Result<JsonNodePtr> result);
  void turn_not_yet(const std::string &why);
  void maybe_start_preview();
  void end_stale_session();
  void start_preview();
  void on_preview_started(Result<RpcReply> reply);
  void maybe_start_voice_chat();
  void on_voice_chat(Result<JsonNodePtr> result, bool record, bool play);
  void maybe_request_offer();
  void on_offer_sent(Result<JsonNodePtr> result);
  void send_candidate(const IceCandidate &candidate);
  void poll_answer();
  void on_device_sdp(Result<JsonNodePtr> result);
  void poll_candidates();
  void on_device_ice(Result<JsonNodePtr> result);
  void on_deadline();
  void finish_stop();

  EventLoop &loop_;
  CameraSessionConfig config_;
  std::recursive_mutex listener_mutex_;
  CameraSessionListener *listener_;

  std::shared_ptr<RpcClient> rpc_;
  int mqtt_state_token_ = 0;
  int device_token_ = 0;

  bool authentication_started_ = false;
  bool password_ok_ = false;
  bool status_known_ = false;
  ConnectStatus status_;
  unsigned stale_checks_ = 0; // status re-checks after ending our stale session
  bool turn_requested_ = false;
  bool turn_ready_ = false;
  unsigned turn_requests_ = 0;
  unsigned turn_retry_ms_ = kFirstTurnRetryMs;
  gint64 turn_give_up_us_ = 0;
  bool preview_requested_ = false;
  bool preview_retried_ = false;
  bool preview_started_ = false;
  bool offer_requested_ = false;
  bool offer_sent_ = false;
  bool answer_received_ = false;
  bool media_connected_ = false;
  bool stop_sent_ = false;
  bool failed_ = false;
  bool stopping_ = false;

  std::vector<IceCandidate> queued_candidates_;
  std::set<std::string> seen_remote_candidates_;
  int64_t rc_seqnum_ = 0;
  std::set<int64_t> commands_in_flight_; // the application's (command()), by request id
  std::string last_poll_error_;          // why the last get_device_sdp failed ("" if it said retry)

  // Voice chat: wanted (config, then set_voice_chat) and granted.
  bool voice_busy_ = false;      // a start_voice_chat is in flight
  bool voice_list_form_ = false; // the robot refused {"record","play"}: send []
  bool voice_record_sent_ = false;
  bool voice_play_sent_ = false;
  bool voice_failed_ = false;

  Timer deadline_;
  AdaptivePoll sdp_poll_;
  AdaptivePoll ice_poll_;
  Timer step_timer_; // stale-session re-checks, the preview retry
  Timer turn_timer_; // TURN retries (they overlap the preview retry)
  Timer watchdog_;   // media progress while streaming
  uint64_t last_progress_ = 0;
  gint64 last_progress_us_ = 0;
  unsigned sdp_polls_ = 0;
};

void CameraSession::Core::set_state(SessionState next) {
  if (state == next)
    return;
  state = next;
  log_message(LogLevel::Info, "session " + config_.duid + ": " + session_state_name(next));
  notify([next](CameraSessionListener &listener) { listener.on_session_state(next); });
}

void CameraSession::Core::warn(const Error &error) {
  log_message(LogLevel::Warning, "session " + config_.duid + ": " + error.message);
  notify([&error](CameraSessionListener &listener) { listener.on_session_error(error, false); });
}

void CameraSession::Core::fatal(const Error &error) {
  if (failed_ || stopping_)
    return;
  failed_ = true;
  deadline_.cancel();
  sdp_poll_.cancel();
  ice_poll_.cancel();
  step_timer_.cancel();
  turn_timer_.cancel();
  watchdog_.cancel();
  log_message(LogLevel::Error, "session " + config_.duid + ": " + error.message +
                                   (error.detail.empty() ? "" : " [" + error.detail + "]"));
  // Free the robot's single viewer slot if we hold it (never when the preview
  // was refused: that slot is someone else's).
  if (preview_started_ && !stop_sent_ && rpc_) {
    stop_sent_ = true;
    call(command::kStopPreview, stop_preview_params(config_.client_id), [](Result<JsonNodePtr>) {});
  }
  notify([&error](CameraSessionListener &listener) { listener.on_session_error(error, true); });
  set_state(SessionState::Failed);
}

int64_t CameraSession::Core::call(const std::string &method, const std::string &params,
                                  ResultHandler handler, unsigned timeout_ms) {
  std::weak_ptr<Core> weak = weak_from_this();
  return rpc_->call(config_.duid, method, params,
                    timeout_ms ? timeout_ms : config_.command_timeout_ms,
                    [weak, method, handler = std::move(handler)](Result<RpcReply> reply) {
                      if (auto self = weak.lock())
                        handler(reply_result(method, std::move(reply)));
                    });
}

// For the commands whose error replies need reading (code and message).
void CameraSession::Core::call_for_reply(const std::string &method, const std::string &params,
                                         ReplyHandler handler) {
  std::weak_ptr<Core> weak = weak_from_this();
  rpc_->call(config_.duid, method, params, config_.command_timeout_ms,
             [weak, handler = std::move(handler)](Result<RpcReply> reply) {
               if (weak.lock())
                 handler(std::move(reply));
             });
}

void CameraSession::Core::start() {
  if (state != SessionState::Idle)
    return;
  set_state(SessionState::Connecting);
  if (pattern_rejected_before())
    return;
  loop_.start_oneshot(deadline_, config_.negotiation_timeout_ms, [this] { on_deadline(); });

  connect_account();
}

// The account's (shared) connection, with this session's robot on it.
void CameraSession::Core::connect_account() {
  RpcAccount account = make_rpc_account(config_.broker, config_.ca_file, config_.rriot_u,
                                        config_.rriot_s, config_.rriot_k);
  account.mqtt.connect_timeout_ms =
      std::max(account.mqtt.connect_timeout_ms, config_.command_timeout_ms);
  rpc_ = RpcClient::acquire(loop_, account);
  device_token_ = rpc_->attach_device(
      config_.duid, config_.local_key,
      [this](const RpcPush &push) {
        log_message(LogLevel::Trace, "session " + config_.duid + ": push " + push.key);
      },
      [this] { undecodable++; });
  mqtt_state_token_ = rpc_->mqtt().add_state_handler(
      [this](MqttState mqtt_state, const Error *error) { on_mqtt_state(mqtt_state, error); });
  MqttState current = rpc_->mqtt().state();
  if (current == MqttState::Connected || current == MqttState::Failed) {
    // A shared connection may already be up (or down for good).
    std::weak_ptr<Core> weak = weak_from_this();
    loop_.post([weak, current] {
      auto self = weak.lock();
      if (self && self->rpc_) {
        Error refused{ErrorCode::BrokerUnreachable, "the connection to the broker failed earlier"};
        self->on_mqtt_state(current, current == MqttState::Failed ? &refused : nullptr);
      }
    });
  }
}

void CameraSession::Core::on_mqtt_state(MqttState mqtt_state, const Error *error) {
  if (failed_ || stopping_)
    return;
  switch (mqtt_state) {
  case MqttState::Connected:
    if (!authentication_started_)
      begin_authentication();
    else if (state == SessionState::Reconnecting)
      set_state(SessionState::Streaming);
    break;
  case MqttState::Reconnecting:
    if (media_connected_) {
      // Media flows peer to peer or through TURN; only signaling is down.
      if (state != SessionState::Reconnecting)
        reconnects++;
      set_state(SessionState::Reconnecting);
    } else if (authentication_started_) {
      fatal(Error{ErrorCode::ConnectionLost,
                  "lost the broker connection while setting up the stream" +
                      (error ? ": " + error->message : std::string())});
    }
    break;
  case MqttState::Failed: {
    Error failure = error ? *error : Error{ErrorCode::BrokerUnreachable, "cannot reach the broker"};
    if (failure.code == ErrorCode::BrokerNotAuthorized && authentication_started_) {
      std::string why = renew_account_keys();
      if (why.empty())
        break; // connecting again with the file's new keys
      failure.message += "; " + why;
    }
    fatal(failure);
    break;
  }
  default:
    break;
  }
}

void CameraSession::Core::release_account() {
  // The application's commands end now, as Cancelled, rather than at their
  // timeout: the connection may live on for another session of the account.
  std::set<int64_t> commands;
  commands.swap(commands_in_flight_);
  for (int64_t id : commands)
    rpc_->cancel(id);
  rpc_->mqtt().remove_state_handler(mqtt_state_token_);
  rpc_->detach_device(device_token_);
  rpc_.reset(); // the last session of an account closes its MQTT connection
}

// The broker refused keys it took before. Returns "" when the credentials
// file has other keys now (the session then connects with them), else why not.
// Never the same keys twice: a file that did not change means a failure.
std::string CameraSession::Core::renew_account_keys() {
  if (config_.credentials_file.empty())
    return "";
  auto account = load_credentials_file(config_.credentials_file, config_.duid);
  if (!account)
    return "re-reading " + config_.credentials_file + " failed: " + account.error().message;
  const Rriot &keys = account->rriot;
  if (keys.u == config_.rriot_u && keys.s == config_.rriot_s && keys.k == config_.rriot_k)
    return "re-read " + config_.credentials_file +
           ", which has the same keys: log in again (roborock-login, or in Home "
           "Assistant) to renew them";
  log_message(LogLevel::Info, "session " + config_.duid +
                                  ": the broker refused the account keys; connecting with "
                                  "the new ones in " +
                                  config_.credentials_file);
  config_.rriot_u = keys.u;
  config_.rriot_s = keys.s;
  config_.rriot_k = keys.k;
  release_account();
  connect_account();
  return "";
}

void CameraSession::Core::begin_authentication() {
  authentication_started_ = true;
  set_state(SessionState::Authenticating);
  if (config_.pattern_password.empty()) {
    // A robot without a pattern: nothing to check (go2rtc does the same).
    password_ok_ = true;
  } else {
    // Sent exactly once per session: robots lock remote viewing after
    // repeated wrong patterns, so a rejection is final.
    call_for_reply(command::kCheckPassword, check_password_params(config_.pattern_password),
                   [this](Result<RpcReply> reply) { on_password_checked(std::move(reply)); });
  }
  if (config_.end_stale_session)
    check_status();
  else
    status_known_ = true;
  maybe_start_preview();
}

// A refusal that rejects the pattern is remembered (pattern_rejections.h),
// so that no later session of this process or another sends it again.
void CameraSession::Core::fail_pattern(const Error &error) {
  if (error.code == ErrorCode::WrongPassword)
    remember_pattern_rejection(config_.duid, config_.local_key, config_.pattern_password);
  fatal(error);
}

// A pattern the robot rejected before (in this process or, recently, in
// another) is not sent again: the session fails at once, saying how to go on.
bool CameraSession::Core::pattern_rejected_before() {
  auto when = find_pattern_rejection(config_.duid, config_.local_key, config_.pattern_password);
  if (!when)
    return false;
  GDateTime *time = g_date_time_new_from_unix_local(*when);
  gchar *text = time ? g_date_time_format(time, "%Y-%m-%d %H:%M:%S") : g_strdup("?");
  std::string at = text;
  g_free(text);
  if (time)
    g_date_time_unref(time);
  fatal(Error{ErrorCode::WrongPassword,
              "the robot rejected this pattern password at " + at +
                  "; it is not sent again, to avoid locking remote viewing. Set the right "
                  "pattern, or if this one is right, delete " +
                  pattern_rejections_path() + " (a rejection is forgotten after 24 h)"});
  return true;
}

void CameraSession::Core::check_status() {
  call(command::kConnectStatus, kNoParams,
       [this](Result<JsonNodePtr> result) { on_connect_status(std::move(result)); });
}

void CameraSession::Core::on_password_checked(Result<RpcReply> reply) {
  if (!running())
    return;
  if (reply && reply->kind == RpcReply::Kind::Unsupported) {
    // Older firmwares check the password in start_camera_preview only.
    warn(Error{ErrorCode::Unsupported, "check_homesec_password is not supported by this "
                                       "firmware; the preview checks the pattern"});
    password_ok_ = true;
    maybe_start_preview();
    return;
  }
  if (!reply) {
    fatal(reply.error());
    return;
  }
  if (reply->kind == RpcReply::Kind::Error) {
    Error error = explain_preview_refusal(reply->error_code, reply->error_message, true);
    if (error.code == ErrorCode::RobotError) { // unexplained: still a refusal of the pattern
      error.code = ErrorCode::WrongPassword;
      error.message = "the robot did not accept the pattern password; not retried, to avoid "
                      "locking remote viewing";
    }
    error.method = command::kCheckPassword;
    fail_pattern(error);
    return;
  }
  if (!is_ok_result(reply->result.get())) {
    // Anything but "ok" is not a success: going on would send the pattern
    // again in start_camera_preview.
    fail_pattern(Error{ErrorCode::WrongPassword,
                       "the robot did not confirm the pattern password (it answered " +
                           result_text(reply->result.get()) +
                           "); not retried, to avoid locking remote viewing"});
    return;
  }
  password_ok_ = true;
  maybe_start_preview();
}

void CameraSession::Core::on_connect_status(Result<JsonNodePtr> result) {
  if (!running())
    return;
  status_known_ = true;
  status_ = ConnectStatus{};
  if (result) {
    auto status = parse_connect_status(result->get());
    if (status)
      status_ = status.value();
  } else if (stale_checks_ == 0) {
    // Optional step: without it we cannot end a stale session, nothing more.
    warn(Error{result.error().code, "cannot check who is viewing: " + result.error().message});
  }
  if (stale_checks_ > 0 && status_.held_by_someone() && status_.client_id == config_.client_id &&
      stale_checks_ < kMaxStaleChecks) {
    stale_checks_++; // our old session is still being released
    loop_.start_oneshot(step_timer_, kStaleCheckIntervalMs, [this] { check_status(); });
    return;
  }
  if (stale_checks_ > 0) {
    if (status_.client_id == config_.client_id)
      status_ = ConnectStatus{}; // gave up waiting: the preview will say what is wrong
    preview_requested_ = false;
  }
  maybe_start_preview();
}

void CameraSession::Core::maybe_start_preview() {
  if (!password_ok_ || !status_known_ || preview_requested_ || !running())
    return;
  preview_requested_ = true;
  if (status_.held_by_someone() && status_.client_id != config_.client_id) {
    fatal(Error{ErrorCode::CameraBusy, "camera busy: another viewer (client " + status_.client_id +
                                           ") is watching; close it (e.g. the Roborock app's "
                                           "camera view) and try again"});
    return;
  }
  if (status_.held_by_someone() && stale_checks_ == 0) {
    end_stale_session();
    return;
  }
  start_preview();
}

// Our own client id still holds the camera: a session of ours that did not
// end cleanly. End it, then wait until the robot reports the slot free.
void CameraSession::Core::end_stale_session() {
  log_message(LogLevel::Info, "session " + config_.duid + ": ending a stale session of ours");
  call(command::kStopPreview, stop_preview_params(config_.client_id), [this](Result<JsonNodePtr>) {
    if (!running())
      return;
    stale_checks_ = 1;
    check_status();
  });
}

void CameraSession::Core::start_preview() {
  if (!running())
    return;
  set_state(SessionState::Negotiating);
  call_for_reply(command::kStartPreview,
                 start_preview_params(config_.client_id, config_.quality, config_.pattern_password),
                 [this](Result<RpcReply> reply) { on_preview_started(std::move(reply)); });
  // Robots get their TURN credentials when the preview starts: ask right
  // behind it (the robot handles them in order), saving a round trip.
  if (!turn_requested_) {
    turn_requested_ = true;
    turn_give_up_us_ = g_get_monotonic_time() + gint64(config_.negotiation_timeout_ms) * 1000 / 2;
    request_turn();
  } else if (!turn_ready_) {
    // A retried preview: the robot that said "retry" has TURN credentials
    // once this preview is accepted, so ask right behind it again.
    turn_timer_.cancel();
    turn_retry_ms_ = kFirstTurnRetryMs;
    request_turn();
  }
}

void CameraSession::Core::on_preview_started(Result<RpcReply> reply) {
  if (!running())
    return;
  if (!reply) {
    fatal(reply.error());
    return;
  }
  if (reply->kind == RpcReply::Kind::Unsupported) {
    fatal(Error{ErrorCode::Unsupported, "this robot has no camera preview "
                                        "(start_camera_preview is not supported)"});
    return;
  }
  if (reply->kind == RpcReply::Kind::Error) {
    RobotRefusal refusal = classify_robot_error(reply->error_code, reply->error_message);
    if (refusal == RobotRefusal::TryAgain && !preview_retried_) {
      preview_retried_ = true; // "disconnecting" / "too frequent": once more, a second later
      log_message(LogLevel::Info, "session " + config_.duid + ": preview refused for now (" +
                                      reply->error_message + "); trying again");
      loop_.start_oneshot(step_timer_, kPreviewRetryMs, [this] { start_preview(); });
      return;
    }
    Error error = explain_preview_refusal(reply->error_code, reply->error_message,
                                          !config_.pattern_password.empty());
    error.method = command::kStartPreview;
    fail_pattern(error);
    return;
  }
  if (!is_ok_result(reply->result.get())) {
    fatal(Error{ErrorCode::RobotError, "the robot did not start the camera (it answered " +
                                           result_text(reply->result.get()) + ")"});
    return;
  }
  preview_started_ = true;
  maybe_request_offer();
}

void CameraSession::Core::request_turn() {
  if (!running() || turn_ready_)
    return;
  turn_requests_++;
  call(command::kGetTurnServer, kNoParams,
       [this](Result<JsonNodePtr> result) { on_turn_server(std::move(result)); });
}

void CameraSession::Core::on_turn_server(Result<JsonNodePtr> result) {
  if (!running() || turn_ready_)
    return;
  if (!result) {
    if (result.error().code == ErrorCode::Unsupported) {
      turn_ready_ = true;
      warn(Error{ErrorCode::Unsupported, "the robot has no TURN relay to give (get_turn_server "
                                         "is not supported); trying direct paths only"});
      maybe_request_offer();
      return;
    }
    turn_not_yet(result.error().message);
    return;
  }
  auto turn = parse_turn_server(result->get());
  if (!turn) {
    turn_not_yet(turn.error().message);
    return;
  }
  if (turn->retry) {
    turn_not_yet("it answered \"retry\"");
    return;
  }
  turn_ready_ = true;
  turn_timer_.cancel();
  TurnServer server = turn.value();
  notify([&server](CameraSessionListener &listener) { listener.on_turn_server(server); });
  maybe_request_offer();
}

// No TURN relay yet: ask again shortly, or give up on it and let the offer go
// with direct paths only.
void CameraSession::Core::turn_not_yet(const std::string &why) {
  if (g_get_monotonic_time() < turn_give_up_us_) {
    loop_.start_oneshot(turn_timer_, turn_retry_ms_, [this] { request_turn(); });
    turn_retry_ms_ = std::min(kMaxTurnRetryMs, turn_retry_ms_ * 2);
    return;
  }
  turn_ready_ = true;
  warn(Error{ErrorCode::BadMessage, "the robot gave no TURN relay after " +
                                        std::to_string(turn_requests_) + " requests (" + why +
                                        "); trying direct paths only, which fail behind NAT"});
  maybe_request_offer();
}

void CameraSession::Core::maybe_request_offer() {
  if (!preview_started_ || !turn_ready_ || offer_requested_ || !running())
    return;
  offer_requested_ = true;
  notify([](CameraSessionListener &listener) { listener.on_offer_needed(); });
}

void CameraSession::Core::send_offer(const std::string &sdp) {
  if (!running() || offer_sent_)
    return;
  call(command::kSendSdp, send_sdp_params(SessionDescription{"offer", sdp}),
       [this](Result<JsonNodePtr> result) { on_offer_sent(std::move(result)); });
}

void CameraSession::Core::on_offer_sent(Result<JsonNodePtr> result) {
  if (!running())
    return;
  if (!result) {
    fatal(Error{result.error().code == ErrorCode::RobotError ? ErrorCode::NegotiationFailed
                                                             : result.error().code,
                "the robot did not take our offer: " + result.error().message});
    return;
  }
  offer_sent_ = true;
  for (const IceCandidate &candidate : queued_candidates_)
    send_candidate(candidate);
  queued_candidates_.clear();
  poll_answer();
}

void CameraSession::Core::add_local_candidate(const IceCandidate &candidate) {
  if (!running())
    return;
  if (offer_sent_)
    send_candidate(candidate);
  else
    queued_candidates_.push_back(candidate); // the robot needs the offer first
}

void CameraSession::Core::send_candidate(const IceCandidate &candidate) {
  call(command::kSendIce, send_ice_params(candidate), [this](Result<JsonNodePtr> result) {
    if (running() && !result && !media_connected_)
      warn(Error{result.error().code,
                 "a local ICE candidate was not delivered: " + result.error().message});
  });
}

void CameraSession::Core::poll_answer() {
  if (!running() || answer_received_)
    return;
  sdp_polls_++;
  call(
      command::kGetDeviceSdp, kNoParams,
      [this](Result<JsonNodePtr> result) { on_device_sdp(std::move(result)); },
      std::min(kPollTimeoutMs, config_.command_timeout_ms));
}

void CameraSession::Core::on_device_sdp(Result<JsonNodePtr> result) {
  if (!running() || answer_received_)
    return;
  if (!result && result.error().code == ErrorCode::Unsupported) {
    fatal(Error{ErrorCode::Unsupported,
                "this robot does not stream video (" + result.error().message + ")"});
    return;
  }
  if (!result) {
    // One bad or missed reply is not the end: keep polling until the deadline.
    last_poll_error_ = result.error().message;
    log_message(LogLevel::Debug, "session " + config_.duid + ": " + last_poll_error_);
    sdp_poll_.schedule(loop_, [this] { poll_answer(); });
    return;
  }
  auto sdp = parse_device_sdp(result->get());
  if (!sdp) {
    fatal(Error{ErrorCode::NegotiationFailed,
                "the robot's answer is malformed: " + sdp.error().message});
    return;
  }
  if (sdp->retry) {
    last_poll_error_.clear(); // the robot is there, just not ready: earlier misses were noise
    sdp_poll_.schedule(loop_, [this] { poll_answer(); });
    return;
  }
  answer_received_ = true;
  SessionDescription answer = sdp->answer;
  notify([&answer](CameraSessionListener &listener) { listener.on_answer(answer); });
  poll_candidates();
}

void CameraSession::Core::poll_candidates() {
  if (!running() || media_connected_)
    return;
  call(
      command::kGetDeviceIce, kNoParams,
      [this](Result<JsonNodePtr> result) { on_device_ice(std::move(result)); },
      std::min(kPollTimeoutMs, config_.command_timeout_ms));
}

void CameraSession::Core::on_device_ice(Result<JsonNodePtr> result) {
  if (!running() || media_connected_)
    return;
  if (!result) {
    // Candidates may also be in the answer SDP; the deadline catches a
    // connection that never comes up. One bad or missed reply is no news.
    log_message(LogLevel::Debug,
                "session " + config_.duid +
                    ": cannot get the robot's ICE candidates: " + result.error().message);
    if (result.error().code == ErrorCode::Unsupported)
      return;
  } else if (auto ice = parse_device_ice(result->get())) {
    if (ice->undecodable)
      warn(Error{ErrorCode::BadMessage, std::to_string(ice->undecodable) +
                                            " ICE candidates from the robot did not decode"});
    for (const IceCandidate &candidate : ice->candidates) {
      std::string key = std::to_string(candidate.sdp_mline_index) + " " + candidate.candidate;
      if (!seen_remote_candidates_.insert(key).second)
        continue; // get_device_ice repeats the whole list
      notify([&candidate](CameraSessionListener &listener) {
        listener.on_remote_candidate(candidate);
      });
    }
  } else {
    warn(ice.error());
  }
  ice_poll_.schedule(loop_, [this] { poll_candidates(); });
}

void CameraSession::Core::media_connected() {
  if (!running() || media_connected_)
    return;
  media_connected_ = true;
  deadline_.cancel();
  ice_poll_.cancel();
  set_state(SessionState::Streaming);
  watch_media();
  maybe_start_voice_chat();
}

// The media watchdog: a robot that reboots, or drops off Wi-Fi, or closes
// its peer connection without a word leaves ICE "connected" for a long time,
// and the picture frozen. No progress for media_timeout_ms is a lost stream.
void CameraSession::Core::watch_media() {
  if (!config_.media_progress || config_.media_timeout_ms == 0)
    return;
  last_progress_ = config_.media_progress();
  last_progress_us_ = g_get_monotonic_time();
  loop_.start_timer(watchdog_, kWatchdogTickMs, [this] {
    if (!running())
      return false;
    uint64_t progress = config_.media_progress();
    gint64 now = g_get_monotonic_time();
    if (progress != last_progress_) {
      last_progress_ = progress;
      last_progress_us_ = now;
      return true;
    }
    if (now - last_progress_us_ < gint64(config_.media_timeout_ms) * 1000)
      return true;
    fatal(Error{ErrorCode::ConnectionLost, "no video from the robot for " +
                                               std::to_string(config_.media_timeout_ms / 1000) +
                                               " s: the media connection was lost"});
    return false;
  });
}

void CameraSession::Core::set_voice_chat(bool record, bool play) {
  config_.voice_record = config_.voice_record || record;
  config_.voice_play = config_.voice_play || play;
  maybe_start_voice_chat();
}

// Once the media is up, as the clients proven on real robots do it, and only
// when someone listens or talks: voice chat pauses the robot's cleaning.
void CameraSession::Core::maybe_start_voice_chat() {
  if (!running() || !media_connected_ || voice_busy_ || voice_failed_)
    return;
  bool record = config_.voice_record || voice_record_sent_;
  bool play = config_.voice_play || voice_play_sent_;
  if ((!record && !play) || (record == voice_record_sent_ && play == voice_play_sent_))
    return;
  voice_busy_ = true;
  std::string params = voice_list_form_ ? kNoParams : voice_chat_params(record, play);
  call(command::kStartVoiceChat, params, [this, record, play](Result<JsonNodePtr> result) {
    on_voice_chat(std::move(result), record, play);
  });
}

void CameraSession::Core::on_voice_chat(Result<JsonNodePtr> result, bool record, bool play) {
  voice_busy_ = false;
  if (!running())
    return;
  if (!result && !voice_list_form_ && result.error().code == ErrorCode::RobotError) {
    voice_list_form_ = true; // older firmwares take only start_voice_chat []
    maybe_start_voice_chat();
    return;
  }
  if (!result) {
    voice_failed_ = true;
    warn(Error{result.error().code,
               "robot audio and talk-back unavailable: " + result.error().message});
    return;
  }
  bool play_was_on = voice_play_sent_;
  // [] turns on both directions.
  voice_record_sent_ = voice_list_form_ || record;
  voice_play_sent_ = voice_list_form_ || play;
  if (play && !play_was_on)
    call(command::kSetVoiceVolume, voice_volume_params(std::min(100u, config_.talkback_volume)),
         [this](Result<JsonNodePtr> volume) {
           if (running() && !volume)
             warn(Error{volume.error().code,
                        "cannot set the talk-back volume: " + volume.error().message});
         });
  maybe_start_voice_chat(); // a flag may have turned on meanwhile
}

void CameraSession::Core::on_deadline() {
  std::string seconds = std::to_string(config_.negotiation_timeout_ms / 1000);
  if (offer_sent_ && !answer_received_ && last_poll_error_.empty())
    fatal(Error{ErrorCode::RobotUnavailable,
                "the robot never produced its answer: get_device_sdp kept answering \"retry\" "
                "for " +
                    seconds + " s (" + std::to_string(sdp_polls_) +
                    " polls); most models stream only off the dock, so undock the robot and "
                    "try again"});
  else if (offer_sent_ && !answer_received_)
    fatal(Error{ErrorCode::RobotTimeout, "the robot did not provide its answer within " + seconds +
                                             " s (last poll: " + last_poll_error_ +
                                             "); most models stream only off the dock"});
  else if (answer_received_)
    fatal(Error{ErrorCode::NegotiationFailed,
                "no media connection with the robot within " + seconds +
                    " s (ICE failed: no TURN relay or direct path worked)"});
  else
    fatal(Error{ErrorCode::RobotTimeout, "the stream did not start within " + seconds + " s"});
}

void CameraSession::Core::set_quality(VideoQuality quality) {
  config_.quality = quality;
  if (!running() || !preview_started_)
    return; // start_camera_preview will carry it
  call(command::kSwitchQuality, switch_quality_params(quality), [this](Result<JsonNodePtr> result) {
    if (running() && !result)
      warn(Error{result.error().code, "cannot switch video quality: " + result.error().message});
  });
}

void CameraSession::Core::command(const std::string &method, const std::string &params,
                                  CommandCallback done) {
  if (!running()) {
    if (done)
      done(Error{ErrorCode::Cancelled, method + ": the session is not running"});
    return;
  }
  // The id is known before any reply can come (replies and failures arrive
  // through the loop, after this returns).
  auto id = std::make_shared<int64_t>(-1);
  *id = call(method, params, [this, id, done = std::move(done)](Result<JsonNodePtr> result) {
    commands_in_flight_.erase(*id);
    if (!done)
      return;
    if (result)
      done(serialize_json(result->get()));
    else
      done(result.error());
  });
  if (*id >= 0)
    commands_in_flight_.insert(*id);
}

void CameraSession::Core::rc_move(double velocity, double omega, unsigned duration_ms,
                                  CommandCallback done) {
  command(command::kRcMove, rc_move_params(velocity, omega, ++rc_seqnum_, duration_ms),
          std::move(done));
}

void CameraSession::Core::stop(std::function<void()> done, unsigned grace_ms) {
  auto finished = [done] {
    if (done)
      done();
  };
  if (stopping_ || !rpc_) {
    stopping_ = true;
    finished();
    return;
  }
  stopping_ = true;
  deadline_.cancel();
  sdp_poll_.cancel();
  ice_poll_.cancel();
  step_timer_.cancel();
  turn_timer_.cancel();
  watchdog_.cancel();
  if (preview_started_ && !stop_sent_ && rpc_->mqtt().state() == MqttState::Connected) {
    stop_sent_ = true;
    std::weak_ptr<Core> weak = weak_from_this();
    rpc_->call(config_.duid, command::kStopPreview, stop_preview_params(config_.client_id),
               std::max(grace_ms, 1u), [weak, finished](Result<RpcReply>) {
                 if (auto self = weak.lock())
                   self->finish_stop();
                 finished();
               });
    return;
  }
  finish_stop();
  finished();
}

void CameraSession::Core::finish_stop() {
  if (!rpc_)
    return;
  release_account();
  set_state(SessionState::Stopped);
}

// The public handle: hand everything to the loop.

CameraSession::CameraSession(CameraSessionConfig config, CameraSessionListener *listener,
                             EventLoop &loop)
    : loop_(loop), core_(std::make_shared<Core>(loop, std::move(config), listener)) {}

CameraSession::~CameraSession() {
  stop();
  // The core lives on the loop thread: let it die there.
  loop_.post([core = std::move(core_)]() mutable { core.reset(); });
}

void CameraSession::start() {
  loop_.post([core = core_] { core->start(); });
}

void CameraSession::stop(unsigned grace_ms) {
  if (loop_.in_loop_thread()) {
    // Called from a listener callback: we cannot wait for ourselves.
    core_->detach_listener();
    core_->stop(nullptr, grace_ms);
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  loop_.post(
      [core = core_, done, grace_ms] { core->stop([done] { done->set_value(); }, grace_ms); });
  finished.wait_for(std::chrono::milliseconds(grace_ms + 1000));
  core_->detach_listener();
}

void CameraSession::send_offer(const std::string &sdp) {
  loop_.post([core = core_, sdp] { core->send_offer(sdp); });
}

void CameraSession::add_local_candidate(const IceCandidate &candidate) {
  loop_.post([core = core_, candidate] { core->add_local_candidate(candidate); });
}

void CameraSession::set_media_connected() {
  loop_.post([core = core_] { core->media_connected(); });
}

void CameraSession::media_failed(const Error &error) {
  loop_.post([core = core_, error] { core->media_failed(error); });
}

void CameraSession::set_quality(VideoQuality quality) {
  loop_.post([core = core_, quality] { core->set_quality(quality); });
}

void CameraSession::rc_start(CommandCallback done) {
  send_command(command::kRcStart, kNoParams, std::move(done));
}

void CameraSession::rc_move(double velocity, double omega, unsigned duration_ms,
                            CommandCallback done) {
  loop_.post([core = core_, velocity, omega, duration_ms, done = std::move(done)]() mutable {
    core->rc_move(velocity, omega, duration_ms, std::move(done));
  });
}

void CameraSession::rc_halt(CommandCallback done) {
  send_command(command::kRcHalt, kNoParams, std::move(done));
}

void CameraSession::rc_end(CommandCallback done) {
  send_command(command::kRcEnd, kNoParams, std::move(done));
}

void CameraSession::set_voice_chat(bool record, bool play) {
  loop_.post([core = core_, record, play] { core->set_voice_chat(record, play); });
}

void CameraSession::send_command(const std::string &method, const std::string &params_json,
                                 CommandCallback done) {
  loop_.post([core = core_, method, params_json, done = std::move(done)]() mutable {
    core->command(method, params_json, std::move(done));
  });
}

SessionState CameraSession::state() const {
  return core_->state;
}

unsigned CameraSession::reconnect_count() const {
  return core_->reconnects;
}

unsigned CameraSession::undecodable_count() const {
  return core_->undecodable;
}

} // namespace roborock
