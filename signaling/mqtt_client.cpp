// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mqtt_client.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <glib-unix.h>
#include <mosquitto.h>
#include <openssl/ssl.h>

#include "background_work.h"
#include "broker_tls.h"
#include "log.h"

namespace roborock {

// One connection attempt: a fresh mosquitto instance. Shared by the client and
// the worker thread running the blocking connect, so whichever finishes last
// destroys it.
struct MqttClient::Attempt {
  mosquitto *mosq = nullptr;
  std::unique_ptr<BrokerTls> tls; // outlives mosq, whose handshakes call into it
  ~Attempt() {
    if (mosq)
      mosquitto_destroy(mosq);
  }
};

namespace {

constexpr unsigned kKeepaliveTickMs = 1000;

std::string generate_client_id() {
  // MQTT 3.1.1 brokers must accept ids up to 23 characters.
  char id[24];
  snprintf(id, sizeof id, "rrsrc-%08x%08x", g_random_int(), g_random_int());
  return id;
}

std::string describe_connect_error(int rc, int saved_errno) {
  switch (rc) {
  case MOSQ_ERR_ERRNO:
    return g_strerror(saved_errno);
  case MOSQ_ERR_EAI:
    return "cannot resolve the host name";
  case MOSQ_ERR_TLS:
    return "TLS setup failed";
  default:
    return mosquitto_strerror(rc);
  }
}

struct PostedMessage {
  std::string topic;
  std::vector<uint8_t> payload;
};

} // namespace

const char *mqtt_state_name(MqttState state) {
  switch (state) {
  case MqttState::Idle:
    return "idle";
  case MqttState::Connecting:
    return "connecting";
  case MqttState::Connected:
    return "connected";
  case MqttState::Reconnecting:
    return "reconnecting";
  case MqttState::Failed:
    return "failed";
  case MqttState::Stopped:
    return "stopped";
  }
  return "unknown";
}

std::shared_ptr<MqttClient> MqttClient::create(EventLoop &loop, MqttClientConfig config) {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
  return std::shared_ptr<MqttClient>(new MqttClient(loop, std::move(config)));
}

MqttClient::MqttClient(EventLoop &loop, MqttClientConfig config)
    : loop_(loop), config_(std::move(config)) {
  if (config_.client_id.empty())
    config_.client_id = generate_client_id();
}

MqttClient::~MqttClient() {
  stop();
}

void MqttClient::start() {
  if (state_ != MqttState::Idle)
    return;
  begin_attempt(true);
}

void MqttClient::stop() {
  if (state_ == MqttState::Stopped)
    return;
  reconnect_timer_.cancel();
  teardown_connection();
  state_ = MqttState::Stopped;
  state_handlers_.clear();
  subscriptions_.clear();
}

void MqttClient::set_state(MqttState state, const Error *error) {
  state_ = state;
  log_message(LogLevel::Debug, "mqtt " + config_.broker.url() + ": " + mqtt_state_name(state) +
                                   (error ? " (" + error->message + ")" : ""));
  // Copy: a handler may remove itself (or others) while we iterate.
  auto handlers = state_handlers_;
  for (auto &entry : handlers)
    if (state_handlers_.count(entry.first))
      entry.second(state, error);
}

void MqttClient::fail(ErrorCode code, const std::string &message) {
  reconnect_timer_.cancel();
  teardown_connection();
  Error error{code, message};
  set_state(MqttState::Failed, &error);
}

void MqttClient::begin_attempt(bool first) {
  set_state(first ? MqttState::Connecting : MqttState::Reconnecting);
  auto attempt = std::make_shared<Attempt>();
  attempt->mosq = mosquitto_new(config_.client_id.c_str(), true, this);
  if (!attempt->mosq) {
    fail(ErrorCode::BrokerUnreachable, "cannot create an MQTT client (out of memory?)");
    return;
  }
  mosquitto *mosq = attempt->mosq;
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  // RPCs are small request/reply exchanges: Nagle's algorithm against delayed
  // ACKs would add tens of milliseconds to every step of the handshake.
  mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_username_pw_set(mosq, config_.username.c_str(), config_.password.c_str());
  mosquitto_connect_callback_set(mosq, on_connect_cb);
  mosquitto_disconnect_callback_set(mosq, on_disconnect_cb);
  mosquitto_message_callback_set(mosq, on_message_cb);
  mosquitto_subscribe_callback_set(mosq, on_subscribe_cb);
  mosquitto_log_callback_set(mosq, on_log_cb);
  if (config_.broker.tls && !use_tls(*attempt))
    return;

  attempt_ = attempt;
  last_tls_error_.clear();
  loop_.start_oneshot(connect_timer_, config_.connect_timeout_ms, [this] {
    attempt_failed("no answer within " + std::to_string(config_.connect_timeout_ms / 1000) + " s");
  });

  std::weak_ptr<MqttClient> weak = weak_from_this();
  EventLoop *loop = &loop_;
  std::string host = config_.broker.host;
  int port = config_.broker.port;
  int keepalive = config_.keepalive_seconds;
  run_in_background([attempt, weak, loop, host, port, keepalive] {
    int rc = mosquitto_connect(attempt->mosq, host.c_str(), port, keepalive);
    int saved_errno = errno;
    loop->post([attempt, weak, rc, saved_errno] {
      auto self = weak.lock();
      if (self && self->attempt_ == attempt)
        self->on_attempt_connected(rc, saved_errno);
    });
  });
}

// Our own TLS context (mosquitto takes a reference): the chain and the host
// name are verified in one place that can say what it refused.
bool MqttClient::use_tls(Attempt &attempt) {
  attempt.tls = std::make_unique<BrokerTls>(config_.broker.host);
  std::string error;
  SSL_CTX *ctx = attempt.tls->make_context(config_.ca_file, &error);
  if (!ctx) {
    fail(ErrorCode::BrokerUnreachable, error);
    return false;
  }
  // Without mosquitto's defaults: they would load CA files of their own.
  int rc = mosquitto_int_option(attempt.mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_void_option(attempt.mosq, MOSQ_OPT_SSL_CTX, ctx);
  SSL_CTX_free(ctx);
  if (rc != MOSQ_ERR_SUCCESS) {
    fail(ErrorCode::BrokerUnreachable,
         std::string("libmosquitto cannot use TLS: ") + mosquitto_strerror(rc));
    return false;
  }
  return true;
}

void MqttClient::on_attempt_connected(int rc, int saved_errno) {
  if (rc != MOSQ_ERR_SUCCESS) {
    attempt_failed(describe_connect_error(rc, saved_errno));
    return;
  }
  // TCP is up; TLS handshake and CONNACK continue on this thread.
  watch_socket();
  loop_.start_timer(keepalive_timer_, kKeepaliveTickMs, [this] {
    run_keepalive();
    return keepalive_timer_.active();
  });
}

void MqttClient::attempt_failed(const std::string &why) {
  std::string reason = why;
  std::string refusal = attempt_ && attempt_->tls ? attempt_->tls->refusal() : "";
  if (!refusal.empty())
    reason = "TLS handshake failed: " + refusal;
  else if (!last_tls_error_.empty())
    reason += " (" + last_tls_error_ + ")";
  teardown_connection();
  if (!ever_connected_) {
    fail(ErrorCode::BrokerUnreachable,
         "cannot connect to MQTT broker " + config_.broker.url() + ": " + reason);
    return;
  }
  Error error{ErrorCode::ConnectionLost, "reconnecting to " + config_.broker.url() + ": " + reason};
  schedule_reconnect();
  set_state(MqttState::Reconnecting, &error);
}

void MqttClient::schedule_reconnect() {
  unsigned delay = config_.reconnect_min_ms;
  for (unsigned i = 0; i < backoff_step_ && delay < config_.reconnect_max_ms; i++)
    delay *= 2;
  delay = std::min(delay, config_.reconnect_max_ms);
  delay = unsigned(delay * g_random_double_range(0.8, 1.2)); // spread out many clients
  backoff_step_++;
  loop_.start_oneshot(reconnect_timer_, delay, [this] {
    reconnects_++;
    begin_attempt(false);
  });
}

void MqttClient::teardown_connection() {
  connect_timer_.cancel();
  keepalive_timer_.cancel();
  if (socket_source_) {
    g_source_destroy(socket_source_);
    g_source_unref(socket_source_);
    socket_source_ = nullptr;
    socket_tag_ = nullptr;
  }
  if (attempt_ && state_ == MqttState::Connected) {
    // Best effort: tell the broker we leave, so it drops the session at once.
    mosquitto_disconnect(attempt_->mosq);
    mosquitto_loop_write(attempt_->mosq, 1);
  }
  attempt_.reset();
  pending_subacks_.clear();
}

void MqttClient::watch_socket() {
  static GSourceFuncs funcs = {
      nullptr,
      nullptr,
      [](GSource *, GSourceFunc callback, gpointer data) -> gboolean { return callback(data); },
      nullptr,
      nullptr,
      nullptr};
  int fd = mosquitto_socket(attempt_->mosq);
  socket_source_ = g_source_new(&funcs, sizeof(GSource));
  socket_tag_ =
      g_source_add_unix_fd(socket_source_, fd, GIOCondition(G_IO_IN | G_IO_ERR | G_IO_HUP));
  g_source_set_callback(socket_source_, on_socket_ready, this, nullptr);
  g_source_attach(socket_source_, loop_.context());
  update_io_conditions();
}

void MqttClient::update_io_conditions() {
  if (!socket_source_ || !attempt_)
    return;
  int condition = G_IO_IN | G_IO_ERR | G_IO_HUP;
  if (mosquitto_want_write(attempt_->mosq))
    condition |= G_IO_OUT;
  g_source_modify_unix_fd(socket_source_, socket_tag_, GIOCondition(condition));
}

gboolean MqttClient::on_socket_ready(gpointer data) {
  static_cast<MqttClient *>(data)->handle_io();
  return G_SOURCE_CONTINUE; // handle_io destroys the source when the socket closes
}

void MqttClient::handle_io() {
  GIOCondition ready = g_source_query_unix_fd(socket_source_, socket_tag_);
  int rc = MOSQ_ERR_SUCCESS;
  if (ready & (G_IO_IN | G_IO_ERR | G_IO_HUP))
    rc = mosquitto_loop_read(attempt_->mosq, 1);
  if (rc == MOSQ_ERR_SUCCESS && (ready & G_IO_OUT))
    rc = mosquitto_loop_write(attempt_->mosq, 1);
  if (rc != MOSQ_ERR_SUCCESS) {
    // libmosquitto closed the socket and reported it through on_disconnect;
    // stop polling the dead descriptor now.
    g_source_destroy(socket_source_);
    g_source_unref(socket_source_);
    socket_source_ = nullptr;
    on_disconnect_cb(nullptr, this, rc);
    return;
  }
  update_io_conditions();
}

void MqttClient::run_keepalive() {
  if (!attempt_ || !socket_source_)
    return;
  int rc = mosquitto_loop_misc(attempt_->mosq);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
    on_disconnect_cb(nullptr, this, rc);
  update_io_conditions();
}

// libmosquitto calls these from inside loop_read/loop_write/loop_misc. Each one
// only posts the event: acting on it there (tearing the instance down, calling
// a handler that stops us) would pull the instance from under libmosquitto.
void MqttClient::on_connect_cb(mosquitto *, void *data, int rc) {
  auto *self = static_cast<MqttClient *>(data);
  self->loop_.post([weak = self->weak_from_this(), attempt = self->attempt_, rc] {
    auto client = weak.lock();
    if (client && client->attempt_ == attempt)
      client->on_connack(rc);
  });
}

void MqttClient::on_disconnect_cb(mosquitto *, void *data, int rc) {
  auto *self = static_cast<MqttClient *>(data);
  self->loop_.post([weak = self->weak_from_this(), attempt = self->attempt_, rc] {
    auto client = weak.lock();
    if (client && attempt && client->attempt_ == attempt)
      client->on_disconnected(rc);
  });
}

void MqttClient::on_message_cb(mosquitto *, void *data, const mosquitto_message *message) {
  auto *self = static_cast<MqttClient *>(data);
  PostedMessage copy{message->topic ? message->topic : "",
                     std::vector<uint8_t>(static_cast<const uint8_t *>(message->payload),
                                          static_cast<const uint8_t *>(message->payload) +
                                              std::max(message->payloadlen, 0))};
  self->loop_.post([weak = self->weak_from_this(), copy = std::move(copy)] {
    auto client = weak.lock();
    if (!client || client->state_ != MqttState::Connected)
      return;
    auto subscriptions = client->subscriptions_;
    for (auto &entry : subscriptions) {
      bool match = false;
      mosquitto_topic_matches_sub(entry.second.filter.c_str(), copy.topic.c_str(), &match);
      if (match && client->subscriptions_.count(entry.first))
        entry.second.handler(copy.topic, copy.payload.data(), copy.payload.size());
    }
  });
}

void MqttClient::on_subscribe_cb(mosquitto *, void *data, int mid, int, const int *) {
  auto *self = static_cast<MqttClient *>(data);
  self->loop_.post([weak = self->weak_from_this(), mid] {
    auto client = weak.lock();
    if (!client)
      return;
    auto it = client->pending_subacks_.find(mid);
    if (it == client->pending_subacks_.end())
      return;
    std::string filter = it->second;
    client->pending_subacks_.erase(it);
    for (auto &entry : client->subscriptions_) {
      if (entry.second.filter == filter && entry.second.on_acked) {
        auto acked = std::move(entry.second.on_acked);
        entry.second.on_acked = nullptr;
        acked();
      }
    }
  });
}

void MqttClient::on_log_cb(mosquitto *, void *data, int level, const char *text) {
  auto *self = static_cast<MqttClient *>(data);
  if (level == MOSQ_LOG_ERR && text && strstr(text, "OpenSSL Error"))
    self->last_tls_error_ = text; // e.g. "... certificate verify failed"
  log_message(LogLevel::Trace, std::string("libmosquitto: ") + (text ? text : ""));
}

void MqttClient::on_connack(int rc) {
  if (rc == 0) {
    connect_timer_.cancel();
    ever_connected_ = true;
    backoff_step_ = 0;
    // Subscribe before announcing Connected: handlers publish requests at
    // once, and the broker handles our packets in order, so replies then
    // always find the subscription in place.
    std::vector<std::string> filters;
    for (auto &entry : subscriptions_)
      if (std::find(filters.begin(), filters.end(), entry.second.filter) == filters.end())
        filters.push_back(entry.second.filter);
    state_ = MqttState::Connected;
    for (const std::string &filter : filters)
      subscribe_filter(filter);
    set_state(MqttState::Connected);
    return;
  }
  if (rc == 4 || rc == 5) {
    fail(ErrorCode::BrokerNotAuthorized,
         "MQTT broker " + config_.broker.url() +
             " refused the credentials (not authorized); check the account's rriot u/s/k, "
             "or log in again (roborock-login) if a newer login renewed them");
    return;
  }
  attempt_failed(std::string("broker refused the connection: ") + mosquitto_connack_string(rc));
}

void MqttClient::on_disconnected(int rc) {
  if (state_ == MqttState::Failed || state_ == MqttState::Stopped)
    return;
  std::string why = rc == MOSQ_ERR_TLS ? "TLS handshake failed" : mosquitto_strerror(rc);
  if (state_ != MqttState::Connected) {
    attempt_failed(why);
    return;
  }
  teardown_connection();
  Error error{ErrorCode::ConnectionLost, "connection to " + config_.broker.url() + " lost: " + why};
  schedule_reconnect();
  set_state(MqttState::Reconnecting, &error);
}

int MqttClient::add_state_handler(StateHandler handler) {
  int token = next_token_++;
  state_handlers_[token] = std::move(handler);
  return token;
}

void MqttClient::remove_state_handler(int token) {
  state_handlers_.erase(token);
}

bool MqttClient::filter_in_use(const std::string &filter) const {
  for (auto &entry : subscriptions_)
    if (entry.second.filter == filter)
      return true;
  return false;
}

void MqttClient::subscribe_filter(const std::string &filter) {
  int mid = 0;
  int rc = mosquitto_subscribe(attempt_->mosq, &mid, filter.c_str(), 1);
  if (rc == MOSQ_ERR_SUCCESS)
    pending_subacks_[mid] = filter;
  else
    log_message(LogLevel::Warning, "subscribe to " + filter + " failed: " + mosquitto_strerror(rc));
  update_io_conditions();
}

int MqttClient::subscribe(const std::string &filter, MessageHandler handler,
                          std::function<void()> on_acked) {
  bool first = !filter_in_use(filter);
  int token = next_token_++;
  bool ack_pending = false;
  for (auto &entry : pending_subacks_)
    ack_pending = ack_pending || entry.second == filter;
  bool already_acked = !first && state_ == MqttState::Connected && !ack_pending;
  subscriptions_[token] = Subscription{filter, std::move(handler), nullptr};
  if (on_acked && already_acked)
    loop_.post(std::move(on_acked));
  else
    subscriptions_[token].on_acked = std::move(on_acked);
  if (first && state_ == MqttState::Connected)
    subscribe_filter(filter);
  return token;
}

void MqttClient::unsubscribe(int token) {
  auto it = subscriptions_.find(token);
  if (it == subscriptions_.end())
    return;
  std::string filter = it->second.filter;
  subscriptions_.erase(it);
  if (!filter_in_use(filter) && state_ == MqttState::Connected) {
    mosquitto_unsubscribe(attempt_->mosq, nullptr, filter.c_str());
    update_io_conditions();
  }
}

bool MqttClient::publish(const std::string &topic, const std::vector<uint8_t> &payload) {
  if (state_ != MqttState::Connected)
    return false;
  int rc = mosquitto_publish(attempt_->mosq, nullptr, topic.c_str(), int(payload.size()),
                             payload.data(), 1, false);
  update_io_conditions();
  if (rc != MOSQ_ERR_SUCCESS)
    log_message(LogLevel::Warning, "publish to " + topic + " failed: " + mosquitto_strerror(rc));
  return rc == MOSQ_ERR_SUCCESS;
}

} // namespace roborock
