// SPDX-License-Identifier: LGPL-2.1-or-later
#include "camera_session.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <vector>

#include "log.h"
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
// ready answers within one round trip), backing off to the phone app's 0.5 s.
constexpr unsigned kFirstPollIntervalMs = 50;
constexpr unsigned kMaxPollIntervalMs = 500;

unsigned next_poll_interval(unsigned current) {
  return std::min(kMaxPollIntervalMs, current + current / 2);
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
  void set_quality(VideoQuality quality);
  void command(const std::string &method, const std::string &params, CommandCallback done);
  void rc_move(double velocity, double omega, unsigned duration_ms, CommandCallback done);
  void rc_stop(CommandCallback done);

private:
  using ResultHandler = std::function<void(Result<JsonNodePtr>)>;

  template <typename F>
  void notify(F &&deliver) {
    std::lock_guard<std::recursive_mutex> lock(listener_mutex_);
    if (listener_)
      deliver(*listener_);
  }
  void set_state(SessionState next);
  void warn(const Error &error);
  void fatal(const Error &error);
  bool running() const { return rpc_ && !failed_ && !stopping_; }

  void call(const std::string &method, const std::string &params, ResultHandler handler,
            unsigned timeout_ms = 0);
  void on_mqtt_state(MqttState mqtt_state, const Error *error);
  void begin_authentication();
  void on_password_checked(Result<JsonNodePtr> result);
  void on_connect_status(Result<JsonNodePtr> result);
  void on_turn_server(Result<JsonNodePtr> result);
  void maybe_start_preview();
  void start_preview();
  void on_preview_started(Result<JsonNodePtr> result);
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
  bool turn_ready_ = false;
  bool preview_requested_ = false;
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

  Timer deadline_;
  Timer sdp_poll_;
  Timer ice_poll_;
  unsigned sdp_interval_ms_ = kFirstPollIntervalMs;
  unsigned ice_interval_ms_ = kFirstPollIntervalMs;
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
  log_message(LogLevel::Error, "session " + config_.duid + ": " + error.message);
  // Free the robot's single viewer slot if we hold it (never when the preview
  // was refused: that slot is someone else's).
  if (preview_started_ && !stop_sent_ && rpc_) {
    stop_sent_ = true;
    call(command::kStopPreview, kNoParams, [](Result<JsonNodePtr>) {});
  }
  notify([&error](CameraSessionListener &listener) { listener.on_session_error(error, true); });
  set_state(SessionState::Failed);
}

void CameraSession::Core::call(const std::string &method, const std::string &params,
                               ResultHandler handler, unsigned timeout_ms) {
  std::weak_ptr<Core> weak = weak_from_this();
  rpc_->call(config_.duid, method, params, timeout_ms ? timeout_ms : config_.command_timeout_ms,
             [weak, method, handler = std::move(handler)](Result<RpcReply> reply) {
               if (auto self = weak.lock())
                 handler(reply_result(method, std::move(reply)));
             });
}

void CameraSession::Core::start() {
  if (state != SessionState::Idle)
    return;
  set_state(SessionState::Connecting);
  loop_.start_oneshot(deadline_, config_.negotiation_timeout_ms, [this] { on_deadline(); });

  RpcAccount account = make_rpc_account(config_.broker, config_.ca_file, config_.rriot_u,
                                        config_.rriot_s, config_.rriot_k);
  account.mqtt.connect_timeout_ms =
      std::max(account.mqtt.connect_timeout_ms, config_.command_timeout_ms);
  rpc_ = RpcClient::acquire(loop_, account);
  device_token_ = rpc_->attach_device(config_.duid, config_.local_key, [this](const RpcPush &push) {
    log_message(LogLevel::Trace, "session " + config_.duid + ": push " + push.key);
  });
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
  case MqttState::Failed:
    fatal(error ? *error : Error{ErrorCode::BrokerUnreachable, "cannot reach the broker"});
    break;
  default:
    break;
  }
}

void CameraSession::Core::begin_authentication() {
  authentication_started_ = true;
  set_state(SessionState::Authenticating);
  // Sent exactly once per session: robots lock remote viewing after repeated
  // wrong patterns, so a rejection is final.
  call(command::kCheckPassword, check_password_params(config_.pattern_password),
       [this](Result<JsonNodePtr> result) { on_password_checked(std::move(result)); });
  // Independent of the password: ask now so it is ready by offer time.
  call(command::kGetTurnServer, kNoParams,
       [this](Result<JsonNodePtr> result) { on_turn_server(std::move(result)); });
  if (config_.end_stale_session)
    call(command::kConnectStatus, kNoParams,
         [this](Result<JsonNodePtr> result) { on_connect_status(std::move(result)); });
  else
    status_known_ = true;
}

void CameraSession::Core::on_password_checked(Result<JsonNodePtr> result) {
  if (!running())
    return;
  if (!result) {
    const Error &error = result.error();
    if (error.code == ErrorCode::RobotError) {
      fatal(Error{ErrorCode::WrongPassword, "wrong pattern password: the robot rejected it (" +
                                                error.message +
                                                "); not retried, to avoid locking remote viewing"});
    } else if (error.code == ErrorCode::Unsupported) {
      // Older firmwares check the password in start_camera_preview only.
      warn(error);
      password_ok_ = true;
      maybe_start_preview();
    } else {
      fatal(error);
    }
    return;
  }
  password_ok_ = true;
  maybe_start_preview();
}

void CameraSession::Core::on_connect_status(Result<JsonNodePtr> result) {
  if (!running())
    return;
  status_known_ = true;
  if (result) {
    auto status = parse_connect_status(result->get());
    if (status)
      status_ = status.value();
  } else {
    // Optional step: without it we cannot end a stale session, nothing more.
    warn(Error{result.error().code, "cannot check who is viewing: " + result.error().message});
  }
  maybe_start_preview();
}

void CameraSession::Core::on_turn_server(Result<JsonNodePtr> result) {
  if (!running())
    return;
  turn_ready_ = true;
  if (!result) {
    warn(Error{result.error().code, result.error().message + "; continuing without a TURN relay"});
  } else if (auto turn = parse_turn_server(result->get())) {
    TurnServer server = turn.value();
    if (server.url.empty())
      warn(Error{ErrorCode::BadMessage, "the robot gave no TURN relay; trying direct paths only"});
    else
      notify([&server](CameraSessionListener &listener) { listener.on_turn_server(server); });
  } else {
    warn(Error{turn.error().code, turn.error().message + "; continuing without a TURN relay"});
  }
  maybe_request_offer();
}

void CameraSession::Core::maybe_start_preview() {
  if (!password_ok_ || !status_known_ || preview_requested_)
    return;
  preview_requested_ = true;
  if (status_.held_by_someone() && status_.client_id != config_.client_id) {
    fatal(Error{ErrorCode::CameraBusy, "camera busy: another viewer (client " + status_.client_id +
                                           ") is watching; close it (e.g. the Roborock app's "
                                           "camera view) and try again"});
    return;
  }
  if (status_.held_by_someone()) {
    // Our own client id still holds the camera: a session of ours that did not
    // end cleanly. End it, then start afresh.
    log_message(LogLevel::Info, "session " + config_.duid + ": ending a stale session of ours");
    call(command::kStopPreview, stop_preview_params_for(config_.client_id),
         [this](Result<JsonNodePtr>) { start_preview(); });
    return;
  }
  start_preview();
}

void CameraSession::Core::start_preview() {
  if (!running())
    return;
  set_state(SessionState::Negotiating);
  call(command::kStartPreview,
       start_preview_params(config_.client_id, config_.quality, config_.pattern_password),
       [this](Result<JsonNodePtr> result) { on_preview_started(std::move(result)); });
}

void CameraSession::Core::on_preview_started(Result<JsonNodePtr> result) {
  if (!running())
    return;
  if (!result) {
    const Error &error = result.error();
    if (error.code == ErrorCode::RobotError)
      fatal(Error{ErrorCode::CameraBusy, "camera busy (another viewer, e.g. the Roborock app, is "
                                         "watching): " +
                                             error.message});
    else
      fatal(error);
    return;
  }
  preview_started_ = true;
  if (config_.voice_chat)
    call(command::kStartVoiceChat, kNoParams, [this](Result<JsonNodePtr> voice) {
      if (running() && !voice)
        warn(Error{voice.error().code, "robot audio unavailable: " + voice.error().message});
    });
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
  call(command::kGetDeviceSdp, kNoParams,
       [this](Result<JsonNodePtr> result) { on_device_sdp(std::move(result)); });
}

void CameraSession::Core::on_device_sdp(Result<JsonNodePtr> result) {
  if (!running() || answer_received_)
    return;
  if (!result) {
    const Error &error = result.error();
    fatal(Error{error.code == ErrorCode::RobotError ? ErrorCode::NegotiationFailed : error.code,
                error.message + (error.code == ErrorCode::RobotError
                                     ? " (some firmwares refuse video while docked)"
                                     : "")});
    return;
  }
  auto sdp = parse_device_sdp(result->get());
  if (!sdp) {
    fatal(Error{ErrorCode::NegotiationFailed,
                "the robot's answer is malformed: " + sdp.error().message});
    return;
  }
  if (sdp->retry) {
    loop_.start_oneshot(sdp_poll_, sdp_interval_ms_, [this] { poll_answer(); });
    sdp_interval_ms_ = next_poll_interval(sdp_interval_ms_);
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
  call(command::kGetDeviceIce, kNoParams,
       [this](Result<JsonNodePtr> result) { on_device_ice(std::move(result)); });
}

void CameraSession::Core::on_device_ice(Result<JsonNodePtr> result) {
  if (!running() || media_connected_)
    return;
  if (!result) {
    // Candidates may also be in the answer SDP; the deadline catches a
    // connection that never comes up.
    warn(Error{result.error().code,
               "cannot get the robot's ICE candidates: " + result.error().message});
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
  loop_.start_oneshot(ice_poll_, ice_interval_ms_, [this] { poll_candidates(); });
  ice_interval_ms_ = next_poll_interval(ice_interval_ms_);
}

void CameraSession::Core::media_connected() {
  if (!running() || media_connected_)
    return;
  media_connected_ = true;
  deadline_.cancel();
  ice_poll_.cancel();
  set_state(SessionState::Streaming);
}

void CameraSession::Core::on_deadline() {
  std::string seconds = std::to_string(config_.negotiation_timeout_ms / 1000);
  if (offer_sent_ && !answer_received_)
    fatal(Error{ErrorCode::RobotTimeout,
                "robot did not provide its answer: get_device_sdp kept answering \"retry\" for " +
                    seconds + " s (" + std::to_string(sdp_polls_) + " polls)"});
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
  call(method, params, [done = std::move(done)](Result<JsonNodePtr> result) {
    if (!done)
      return;
    if (result)
      done(serialize_json(result->get()));
    else
      done(result.error());
  });
}

void CameraSession::Core::rc_move(double velocity, double omega, unsigned duration_ms,
                                  CommandCallback done) {
  command(command::kRcMove, rc_move_params(velocity, omega, ++rc_seqnum_, duration_ms),
          std::move(done));
}

void CameraSession::Core::rc_stop(CommandCallback done) {
  std::weak_ptr<Core> weak = weak_from_this();
  command(command::kRcEnd, kNoParams, [weak, done](Result<std::string> result) {
    auto self = weak.lock();
    if (self && !result && result.error().code == ErrorCode::Unsupported) {
      self->command(command::kRcStopLegacy, kNoParams, done); // older firmwares
      return;
    }
    if (done)
      done(std::move(result));
  });
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
  if (preview_started_ && !stop_sent_ && rpc_->mqtt().state() == MqttState::Connected) {
    stop_sent_ = true;
    std::weak_ptr<Core> weak = weak_from_this();
    rpc_->call(config_.duid, command::kStopPreview, kNoParams, std::max(grace_ms, 1u),
               [weak, finished](Result<RpcReply>) {
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
  rpc_->mqtt().remove_state_handler(mqtt_state_token_);
  rpc_->detach_device(device_token_);
  rpc_.reset(); // the last session of an account closes its MQTT connection
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

void CameraSession::rc_stop(CommandCallback done) {
  loop_.post([core = core_, done = std::move(done)]() mutable { core->rc_stop(std::move(done)); });
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

} // namespace roborock
