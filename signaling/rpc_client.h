// SPDX-License-Identifier: LGPL-2.1-or-later
// Request/response RPC with robots over one MQTT connection (protocol §2-§4).
//
// One RpcClient (and so one MQTT connection) exists per broker and account; it
// is shared by every session using them and lives as long as one holds it.
// Each attached device's response topic is subscribed once. Replies are
// matched to requests by id; replies with unknown ids are dropped; pushes go to
// the device's push handler; every request ends with exactly one callback:
// the reply, RobotTimeout, ConnectionLost or Cancelled.
//
// Threading: EventLoop thread only, like MqttClient.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "credentials.h"
#include "error.h"
#include "event_loop.h"
#include "mqtt_client.h"
#include "rpc.h"

namespace roborock {

// Allocates request ids in [10000, 32767] (what robots accept), wrapping
// around and skipping ids still in use.
class RpcIdAllocator {
public:
  static constexpr int64_t kFirst = 10000;
  static constexpr int64_t kLast = 32767;

  explicit RpcIdAllocator(int64_t start);
  template <typename InUse>
  int64_t next(InUse in_use) {
    for (int64_t tries = 0; tries <= kLast - kFirst; tries++) {
      int64_t id = next_;
      next_ = next_ == kLast ? kFirst : next_ + 1;
      if (!in_use(id))
        return id;
    }
    return -1; // every id pending: the caller fails the request
  }

private:
  int64_t next_;
};

struct RpcAccount {
  MqttClientConfig mqtt; // broker, derived username/password, CA file
  std::string rriot_u;
};

// Builds the shared MQTT settings of an account from its rriot keys.
RpcAccount make_rpc_account(const BrokerAddress &broker, const std::string &ca_file,
                            const std::string &u, const std::string &s, const std::string &k);

class RpcClient : public std::enable_shared_from_this<RpcClient> {
public:
  using ReplyCallback = std::function<void(Result<RpcReply>)>;
  using PushHandler = std::function<void(const RpcPush &push)>;

  // The shared client for this broker and account, created and started if
  // needed.
  static std::shared_ptr<RpcClient> acquire(EventLoop &loop, const RpcAccount &account);
  ~RpcClient();

  MqttClient &mqtt() { return *mqtt_; }

  // Subscribes the device's response topic (once per topic, however many
  // attach) and decodes its frames with `local_key`. The returned token keeps
  // the attachment; detach_device() releases it.
  // `on_undecodable` (optional) runs for each frame on its topic that does
  // not decode (another key, bad CRC, cut short, not JSON): dropped, counted.
  int attach_device(const std::string &duid, const std::string &local_key, PushHandler on_push,
                    std::function<void()> on_undecodable = nullptr);
  void detach_device(int token);

  // Sends `method` to `duid` (which must be attached). Returns the request id.
  int64_t call(const std::string &duid, const std::string &method, const std::string &params_json,
               unsigned timeout_ms, ReplyCallback callback);
  // Ends a request with Cancelled; later replies for it are dropped.
  void cancel(int64_t id);

private:
  struct Device {
    std::string duid;
    std::string local_key;
    PushHandler on_push;
    std::function<void()> on_undecodable;
    int subscription = 0;
  };
  struct Pending {
    std::string method;
    ReplyCallback callback;
    std::unique_ptr<Timer> timer;
  };

  RpcClient(EventLoop &loop, const RpcAccount &account);
  void on_frame(const Device &device, const uint8_t *data, size_t size);
  void finish(int64_t id, Result<RpcReply> result);
  void fail_all(ErrorCode code, const std::string &message);

  EventLoop &loop_;
  RpcAccount account_;
  std::shared_ptr<MqttClient> mqtt_;
  int mqtt_state_token_ = 0;
  RpcIdAllocator ids_;
  uint32_t seq_;
  int next_device_token_ = 1;
  std::map<int, Device> devices_;
  std::map<int64_t, Pending> pending_;
};

} // namespace roborock
