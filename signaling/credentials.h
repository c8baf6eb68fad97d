// SPDX-License-Identifier: LGPL-2.1-or-later
// Account material ("rriot") and everything derived from it: MQTT username and
// password, topics, broker address (protocol reference §2).
#pragma once

#include <string>
#include <string_view>

#include "error.h"

namespace roborock {

// The rriot object of a logged-in account. Secrets: s, k, h.
struct Rriot {
  std::string u;        // user id
  std::string s;        // secret
  std::string k;        // key
  std::string h;        // HMAC key: signs the REST calls (hawk_auth.h)
  std::string region;   // r.r, e.g. "US"
  std::string mqtt_url; // r.m, e.g. "ssl://mqtt-us.roborock.com:8883"
  std::string api_url;  // r.a, e.g. "https://api-us.roborock.com": the signed REST calls' base
};

struct MqttCredentials {
  std::string username; // md5hex(u:k)[2:10]
  std::string password; // md5hex(s:k)[16:]
};

MqttCredentials derive_mqtt_credentials(std::string_view u, std::string_view s, std::string_view k);

// rr/m/i/{u}/{username}/{duid}: where the client publishes requests.
std::string request_topic(std::string_view u, std::string_view username, std::string_view duid);
// rr/m/o/{u}/{username}/{duid}: where the robot publishes replies.
std::string response_topic(std::string_view u, std::string_view username, std::string_view duid);

struct BrokerAddress {
  std::string host;
  int port = 8883;
  bool tls = true;

  std::string url() const;
};

// Accepts ssl://, mqtts://, tcp:// and mqtt:// URLs with an optional port
// (8883 for TLS, 1883 for plain TCP).
Result<BrokerAddress> parse_broker_url(std::string_view url);

// us / eu / cn / ru (any case) to ssl://mqtt-{region}.roborock.com:8883.
Result<std::string> broker_url_for_region(std::string_view region);

} // namespace roborock
