// SPDX-License-Identifier: LGPL-2.1-or-later
#include "rpc_client.h"

#include <ctime>

#include "frame_codec.h"
#include "log.h"

namespace roborock {
namespace {

// Registry of shared clients, touched on the loop thread only.
std::map<std::string, std::weak_ptr<RpcClient>> &registry() {
  static auto *clients = new std::map<std::string, std::weak_ptr<RpcClient>>();
  return *clients;
}

std::string registry_key(const RpcAccount &account) {
  return account.mqtt.broker.url() + "|" + account.mqtt.username + "|" + account.mqtt.ca_file;
}

uint32_t now_seconds() {
  return uint32_t(time(nullptr));
}

} // namespace

RpcIdAllocator::RpcIdAllocator(int64_t start)
    : next_(start < kFirst || start > kLast ? kFirst : start) {}

RpcAccount make_rpc_account(const BrokerAddress &broker, const std::string &ca_file,
                            const std::string &u, const std::string &s, const std::string &k) {
  MqttCredentials credentials = derive_mqtt_credentials(u, s, k);
  RpcAccount account;
  account.mqtt.broker = broker;
  account.mqtt.ca_file = ca_file;
  account.mqtt.username = credentials.username;
  account.mqtt.password = credentials.password;
  account.rriot_u = u;
  return account;
}

std::shared_ptr<RpcClient> RpcClient::acquire(EventLoop &loop, const RpcAccount &account) {
  std::string key = registry_key(account);
  auto &clients = registry();
  // A client whose connection failed for good (refused, unreachable) is not
  // shared further: a new session deserves a new attempt.
  if (auto existing = clients[key].lock())
    if (existing->mqtt().state() != MqttState::Failed)
      return existing;
  std::shared_ptr<RpcClient> client(new RpcClient(loop, account));
  clients[key] = client;
  client->mqtt_->start();
  return client;
}

RpcClient::RpcClient(EventLoop &loop, const RpcAccount &account)
    : loop_(loop), account_(account), mqtt_(MqttClient::create(loop, account.mqtt)),
      ids_(g_random_int_range(int(RpcIdAllocator::kFirst), int(RpcIdAllocator::kLast))),
      seq_(g_random_int()) {
  mqtt_state_token_ = mqtt_->add_state_handler([this](MqttState state, const Error *error) {
    // Replies to requests sent before a loss will never come: say so now
    // rather than after each request's timeout.
    if (state == MqttState::Reconnecting || state == MqttState::Failed)
      fail_all(ErrorCode::ConnectionLost,
               error ? error->message : std::string("connection to the broker lost"));
  });
}

RpcClient::~RpcClient() {
  auto &clients = registry();
  auto it = clients.find(registry_key(account_));
  if (it != clients.end() && it->second.expired()) // not if replaced by a newer client
    clients.erase(it);
  // Every request still ends with one callback (rpc_client.h): Cancelled,
  // posted, because a callback may reach for this client, which is going.
  for (auto &entry : pending_)
    loop_.post([callback = std::move(entry.second.callback), method = entry.second.method] {
      callback(Error{ErrorCode::Cancelled, method + ": the connection was closed"});
    });
  pending_.clear();
  mqtt_->stop();
}

int RpcClient::attach_device(const std::string &duid, const std::string &local_key,
                             PushHandler on_push, std::function<void()> on_undecodable) {
  int token = next_device_token_++;
  Device &device = devices_[token];
  device.duid = duid;
  device.local_key = local_key;
  device.on_push = std::move(on_push);
  device.on_undecodable = std::move(on_undecodable);
  std::string topic = response_topic(account_.rriot_u, account_.mqtt.username, duid);
  std::weak_ptr<RpcClient> weak = weak_from_this();
  device.subscription =
      mqtt_->subscribe(topic, [weak, token](const std::string &, const uint8_t *data, size_t size) {
        auto self = weak.lock();
        if (!self)
          return;
        auto it = self->devices_.find(token);
        if (it != self->devices_.end())
          self->on_frame(it->second, data, size);
      });
  return token;
}

void RpcClient::detach_device(int token) {
  auto it = devices_.find(token);
  if (it == devices_.end())
    return;
  mqtt_->unsubscribe(it->second.subscription);
  devices_.erase(it);
}

int64_t RpcClient::call(const std::string &duid, const std::string &method,
                        const std::string &params_json, unsigned timeout_ms,
                        ReplyCallback callback) {
  int64_t id = ids_.next([this](int64_t candidate) { return pending_.count(candidate) > 0; });
  const std::string *local_key = nullptr;
  for (auto &entry : devices_)
    if (entry.second.duid == duid)
      local_key = &entry.second.local_key;

  auto fail_later = [this, &callback](ErrorCode code, std::string message) {
    loop_.post([callback = std::move(callback), code, message = std::move(message)] {
      callback(Error{code, message});
    });
  };
  if (id < 0) {
    fail_later(ErrorCode::RobotError, "too many requests in flight");
    return -1;
  }
  if (!local_key) {
    fail_later(ErrorCode::RobotError, "device " + duid + " is not attached");
    return -1;
  }

  Frame frame;
  frame.seq = seq_++;
  frame.random = g_random_int();
  frame.timestamp = now_seconds();
  frame.protocol = kProtocolRpcRequest;
  frame.payload = build_request_payload(RpcRequest{id, method, params_json}, frame.timestamp);
  auto bytes = encode_frame(frame, *local_key);
  if (!bytes) {
    fail_later(bytes.error().code, method + ": " + bytes.error().message);
    return -1;
  }
  if (!mqtt_->publish(request_topic(account_.rriot_u, account_.mqtt.username, duid), *bytes)) {
    fail_later(ErrorCode::ConnectionLost,
               "cannot send " + method + ": not connected to " + account_.mqtt.broker.url());
    return -1;
  }
  log_message(LogLevel::Debug, "rpc " + std::to_string(id) + " -> " + method);

  Pending &pending = pending_[id];
  pending.method = method;
  pending.callback = std::move(callback);
  pending.timer = std::make_unique<Timer>();
  loop_.start_oneshot(*pending.timer, timeout_ms, [this, id, method, timeout_ms] {
    std::string seconds = std::to_string((timeout_ms + 999) / 1000);
    finish(id, Error{ErrorCode::RobotTimeout,
                     "the robot did not answer within " + seconds + " s (is it online?)",
                     "no reply to " + method + " within " + seconds + " s", 0, method});
  });
  return id;
}

void RpcClient::cancel(int64_t id) {
  auto it = pending_.find(id);
  if (it != pending_.end())
    finish(id, Error{ErrorCode::Cancelled, it->second.method + ": cancelled"});
}

void RpcClient::finish(int64_t id, Result<RpcReply> result) {
  auto it = pending_.find(id);
  if (it == pending_.end())
    return;
  ReplyCallback callback = std::move(it->second.callback);
  log_message(LogLevel::Debug, "rpc " + std::to_string(id) + " <- " + it->second.method + ": " +
                                   (result.ok() ? "reply" : error_code_name(result.error().code)));
  pending_.erase(it); // also cancels the timer, which may be what is running now
  callback(std::move(result));
}

void RpcClient::fail_all(ErrorCode code, const std::string &message) {
  std::vector<int64_t> ids;
  for (auto &entry : pending_)
    ids.push_back(entry.first);
  for (int64_t id : ids) {
    auto it = pending_.find(id);
    if (it != pending_.end())
      finish(id, Error{code, it->second.method + " failed: " + message});
  }
}

void RpcClient::on_frame(const Device &device, const uint8_t *data, size_t size) {
  auto frame = decode_frame(data, size, device.local_key);
  if (!frame) {
    if (device.on_undecodable)
      device.on_undecodable();
    log_message(LogLevel::Warning,
                "ignoring a frame from " + device.duid + ": " + frame.error().message);
    return;
  }
  if (frame->protocol != kProtocolRpcResponse && frame->protocol != kProtocolRpcRequest) {
    log_message(LogLevel::Debug,
                "ignoring a frame with protocol " + std::to_string(frame->protocol));
    return;
  }
  auto message = parse_rpc_message(frame->payload);
  if (!message) {
    if (device.on_undecodable)
      device.on_undecodable();
    log_message(LogLevel::Warning,
                "ignoring a message from " + device.duid + ": " + message.error().message);
    return;
  }
  PushHandler on_push = device.on_push; // the handler may detach the device
  if (on_push)
    for (const RpcPush &push : message->pushes)
      on_push(push);
  if (!message->reply)
    return;
  if (!pending_.count(message->reply->id)) {
    log_message(LogLevel::Debug,
                "dropping a reply with unknown id " + std::to_string(message->reply->id));
    return;
  }
  finish(message->reply->id, std::move(*message->reply));
}

} // namespace roborock
