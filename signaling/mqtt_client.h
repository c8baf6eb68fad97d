// SPDX-License-Identifier: LGPL-2.1-or-later
// An MQTT 3.1.1 client over TLS (libmosquitto), driven by an EventLoop.
//
// Threading: every method must be called on the EventLoop thread, and every
// handler is called there. libmosquitto's socket is polled by the loop's
// GMainContext; the only other thread is a short-lived worker per connection
// attempt, which runs libmosquitto's blocking DNS + TCP connect while the loop
// leaves that mosquitto instance alone. The TLS handshake and CONNACK then
// complete on the loop thread.
//
// Connection policy:
//  - The first connection failing (unreachable, TLS failure, timeout) is final:
//    state Failed with BrokerUnreachable. A live source should say so at once.
//  - A connection lost after CONNACK is retried with exponential backoff and
//    jitter (state Reconnecting), re-subscribing every filter afterwards.
//  - A broker refusing the credentials (CONNACK 4 or 5) is final
//    (BrokerNotAuthorized), on the first attempt or any later one: retrying
//    would only hammer the broker with the same refused password.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "credentials.h"
#include "error.h"
#include "event_loop.h"

struct mosquitto;
struct mosquitto_message;

namespace roborock {

struct MqttClientConfig {
  BrokerAddress broker;
  std::string username;
  std::string password;  // secret: never logged
  std::string client_id; // empty: a unique id is generated
  std::string ca_file;   // empty: the system trust store
  int keepalive_seconds = 30;
  unsigned connect_timeout_ms = 10000;
  unsigned reconnect_min_ms = 500;
  unsigned reconnect_max_ms = 30000;
};

enum class MqttState { Idle, Connecting, Connected, Reconnecting, Failed, Stopped };
const char *mqtt_state_name(MqttState state);

class MqttClient : public std::enable_shared_from_this<MqttClient> {
public:
  using MessageHandler =
      std::function<void(const std::string &topic, const uint8_t *data, size_t size)>;
  // `error` is set with Failed, and with Reconnecting (why the link was lost).
  using StateHandler = std::function<void(MqttState state, const Error *error)>;

  static std::shared_ptr<MqttClient> create(EventLoop &loop, MqttClientConfig config);
  ~MqttClient();

  void start();
  // Disconnects. No handler is called afterwards.
  void stop();

  MqttState state() const { return state_; }
  const MqttClientConfig &config() const { return config_; }
  unsigned reconnect_count() const { return reconnects_; }

  int add_state_handler(StateHandler handler);
  void remove_state_handler(int token);

  // Subscribes `filter` (QoS 1) once, however many handlers share it; handlers
  // get every message whose topic matches. The filter is re-subscribed after
  // each reconnect. `on_acked` (optional) runs when the broker first confirms.
  int subscribe(const std::string &filter, MessageHandler handler,
                std::function<void()> on_acked = nullptr);
  void unsubscribe(int token);

  // QoS 1. False when not connected (nothing is queued: RPCs time out instead).
  bool publish(const std::string &topic, const std::vector<uint8_t> &payload);

private:
  struct Subscription {
    std::string filter;
    MessageHandler handler;
    std::function<void()> on_acked;
  };
  struct Attempt; // one connection attempt's mosquitto instance

  MqttClient(EventLoop &loop, MqttClientConfig config);

  void begin_attempt(bool first);
  void on_attempt_connected(int rc, int saved_errno);
  void attempt_failed(const std::string &why);
  void schedule_reconnect();
  void teardown_connection();
  void set_state(MqttState state, const Error *error = nullptr);
  void fail(ErrorCode code, const std::string &message);

  bool use_tls(Attempt &attempt);
  void watch_socket();
  void update_io_conditions();
  static gboolean on_socket_ready(gpointer self);
  void handle_io();
  void run_keepalive();

  void subscribe_filter(const std::string &filter);
  bool filter_in_use(const std::string &filter) const;

  static void on_connect_cb(mosquitto *mosq, void *self, int rc);
  static void on_disconnect_cb(mosquitto *mosq, void *self, int rc);
  static void on_message_cb(mosquitto *mosq, void *self, const mosquitto_message *message);
  static void on_subscribe_cb(mosquitto *mosq, void *self, int mid, int count, const int *qos);
  static void on_log_cb(mosquitto *mosq, void *self, int level, const char *text);
  void on_connack(int rc);
  void on_disconnected(int rc);
  void on_message(const mosquitto_message *message);

  EventLoop &loop_;
  MqttClientConfig config_;
  MqttState state_ = MqttState::Idle;
  bool ever_connected_ = false;
  unsigned reconnects_ = 0;
  unsigned backoff_step_ = 0;
  std::string last_tls_error_;

  std::shared_ptr<Attempt> attempt_;
  GSource *socket_source_ = nullptr;
  gpointer socket_tag_ = nullptr;
  Timer connect_timer_;
  Timer reconnect_timer_;
  Timer keepalive_timer_;

  int next_token_ = 1;
  std::map<int, StateHandler> state_handlers_;
  std::map<int, Subscription> subscriptions_;
  std::map<int, std::string> pending_subacks_; // mid -> filter
};

} // namespace roborock
