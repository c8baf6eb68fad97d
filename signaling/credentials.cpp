// SPDX-License-Identifier: LGPL-2.1-or-later
#include "credentials.h"

#include <cctype>

#include "crypto.h"

namespace roborock {

MqttCredentials derive_mqtt_credentials(std::string_view u, std::string_view s,
                                        std::string_view k) {
  std::string user_material = std::string(u) + ":" + std::string(k);
  std::string password_material = std::string(s) + ":" + std::string(k);
  return MqttCredentials{md5_hex(user_material).substr(2, 8),
                         md5_hex(password_material).substr(16)};
}

static std::string topic(const char *direction, std::string_view u, std::string_view username,
                         std::string_view duid) {
  std::string out = "rr/m/";
  out += direction;
  out += '/';
  out += u;
  out += '/';
  out += username;
  out += '/';
  out += duid;
  return out;
}

std::string request_topic(std::string_view u, std::string_view username, std::string_view duid) {
  return topic("i", u, username, duid);
}

std::string response_topic(std::string_view u, std::string_view username, std::string_view duid) {
  return topic("o", u, username, duid);
}

std::string BrokerAddress::url() const {
  return std::string(tls ? "ssl://" : "tcp://") + host + ":" + std::to_string(port);
}

Result<BrokerAddress> parse_broker_url(std::string_view url) {
  BrokerAddress address;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return make_error(ErrorCode::BadBrokerUrl, "broker URL \"" + std::string(url) +
                                                   "\" has no scheme (expected ssl://host:port)");
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme == "ssl" || scheme == "mqtts") {
    address.tls = true;
    address.port = 8883;
  } else if (scheme == "tcp" || scheme == "mqtt") {
    address.tls = false;
    address.port = 1883;
  } else {
    return make_error(ErrorCode::BadBrokerUrl, "broker URL scheme \"" + std::string(scheme) +
                                                   "\" is not one of ssl, mqtts, tcp, mqtt");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/')
    rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  std::string_view host = colon == std::string_view::npos ? rest : rest.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    int value = 0;
    for (char c : port) {
      if (!isdigit(static_cast<unsigned char>(c)) || value > 65535)
        return make_error(ErrorCode::BadBrokerUrl,
                          "broker URL \"" + std::string(url) + "\" has an invalid port");
      value = value * 10 + (c - '0');
    }
    if (port.empty() || value == 0 || value > 65535)
      return make_error(ErrorCode::BadBrokerUrl,
                        "broker URL \"" + std::string(url) + "\" has an invalid port");
    address.port = value;
  }
  if (host.empty() || host.find('/') != std::string_view::npos)
    return make_error(ErrorCode::BadBrokerUrl,
                      "broker URL \"" + std::string(url) + "\" has no host");
  address.host = std::string(host);
  return address;
}

Result<std::string> broker_url_for_region(std::string_view region) {
  std::string lower;
  for (char c : region)
    lower += char(tolower(static_cast<unsigned char>(c)));
  if (lower != "us" && lower != "eu" && lower != "cn" && lower != "ru")
    return make_error(ErrorCode::BadBrokerUrl,
                      "unknown region \"" + std::string(region) + "\" (use us, eu, cn or ru)");
  return "ssl://mqtt-" + lower + ".roborock.com:8883";
}

} // namespace roborock
