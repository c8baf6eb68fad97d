// SPDX-License-Identifier: LGPL-2.1-or-later
#include "element_settings.h"

#include <vector>

#include <glib.h>

#include "credentials_file.h"
#include "crypto.h"

namespace roborock {
namespace {

constexpr size_t kLocalKeyLength = 16;

Error missing(const std::string &message) {
  return Error{ErrorCode::CredentialsMissing, message};
}

// Robot ids (duid) are short strings of letters and digits.
bool is_robot_id(const std::string &text) {
  if (text.size() > 64)
    return false;
  for (char c : text)
    if (!g_ascii_isalnum(c) && c != '-' && c != '_')
      return false;
  return true;
}

bool all_digits(const std::string &text) {
  for (char c : text)
    if (c < '0' || c > '9')
      return false;
  return !text.empty();
}

} // namespace

// 8 hex characters, as the Roborock app's client ids are (go2rtc uses 12):
// robots and the cloud may expect that form. Derived from the machine id (or
// the host name), so it is stable on this machine.
std::string default_client_id() {
  gchar *machine_id = nullptr;
  std::string seed;
  if (g_file_get_contents("/etc/machine-id", &machine_id, nullptr, nullptr))
    seed = g_strstrip(machine_id);
  g_free(machine_id);
  if (seed.empty())
    seed = g_get_host_name();
  return md5_hex("roborocksrc:" + seed).substr(0, 8);
}

Result<CameraSessionConfig> resolve_session_config(const ElementSettings &settings,
                                                   const std::string &default_credentials_file) {
  ElementSettings s = settings;
  // Nothing about the account given: the login tool's file, if there is one.
  bool account_given =
      !s.credentials_file.empty() || !s.rriot_u.empty() || !s.rriot_s.empty() || !s.rriot_k.empty();
  if (!account_given && !default_credentials_file.empty() &&
      g_file_test(default_credentials_file.c_str(), G_FILE_TEST_IS_REGULAR))
    s.credentials_file = default_credentials_file;
  // Keys the file gave may be renewed from it; keys set as properties not.
  bool keys_from_file =
      !s.credentials_file.empty() && (s.rriot_u.empty() && s.rriot_s.empty() && s.rriot_k.empty());
  // 1. The credentials file fills the gaps.
  if (!s.credentials_file.empty()) {
    auto account = load_credentials_file(s.credentials_file, s.duid);
    if (!account)
      return account.error();
    if (s.rriot_u.empty())
      s.rriot_u = account->rriot.u;
    if (s.rriot_s.empty())
      s.rriot_s = account->rriot.s;
    if (s.rriot_k.empty())
      s.rriot_k = account->rriot.k;
    if (s.mqtt_url.empty() && s.region.empty())
      s.mqtt_url = account->rriot.mqtt_url;
    if (s.mqtt_url.empty() && s.region.empty())
      s.region = account->rriot.region;
    // A duid that is no robot id is a robot's name: the file says which.
    if (s.local_key.empty() || s.duid.empty() || !is_robot_id(s.duid)) {
      auto device = find_device(*account, s.duid);
      if (!device)
        return device.error();
      s.duid = device->duid;
      if (s.local_key.empty())
        s.local_key = device->local_key;
    }
  }

  // 2. What is set is well formed (values are never echoed: any may be a
  // secret that a slip put in the wrong property).
  if (!s.duid.empty() && !is_robot_id(s.duid))
    return Error{ErrorCode::CredentialsMalformed,
                 "duid must be the robot's id (letters, digits, '-' and '_'); this one has "
                 "other characters (a gst-launch slip such as \"duid= local-key=...\"?)"};
  if (!s.local_key.empty() && s.local_key.size() != kLocalKeyLength)
    return Error{ErrorCode::CredentialsMalformed, "local-key must be 16 characters (it has " +
                                                      std::to_string(s.local_key.size()) + ")"};
  // No password: the robot has no pattern (it says so if it has one).
  if (!s.password.empty() && !all_digits(s.password))
    return Error{ErrorCode::CredentialsMalformed,
                 "password must be the pattern's digits (1-9), not the account password"};

  // 3. The broker: mqtt-url, else region, else the account's.
  std::string url = s.mqtt_url;
  if (url.empty() && !s.region.empty()) {
    auto from_region = broker_url_for_region(s.region);
    if (!from_region)
      return from_region.error();
    url = *from_region;
  }

  // 4. Everything needed is there: all that is missing, said at once.
  std::vector<std::string> needed;
  if (s.duid.empty())
    needed.push_back("duid (or credentials-file, for an account with one robot)");
  if (s.rriot_u.empty() || s.rriot_s.empty() || s.rriot_k.empty())
    needed.push_back("the account keys: credentials-file (Home Assistant's "
                     ".storage/core.config_entries or a user_data JSON) or rriot-u, rriot-s "
                     "and rriot-k");
  if (s.local_key.empty())
    needed.push_back("local-key (or a credentials-file that lists this robot)");
  if (url.empty())
    needed.push_back("region (us, eu, cn, ru) or mqtt-url (or a credentials-file that has it)");
  if (!needed.empty()) {
    std::string message = "missing settings: set " + needed[0];
    for (size_t i = 1; i < needed.size(); i++)
      message += "; set " + needed[i];
    return missing(message);
  }
  auto broker = parse_broker_url(url);
  if (!broker)
    return broker.error();

  CameraSessionConfig config;
  config.broker = *broker;
  config.ca_file = s.tls_ca_file;
  config.rriot_u = s.rriot_u;
  config.rriot_s = s.rriot_s;
  config.rriot_k = s.rriot_k;
  if (keys_from_file)
    config.credentials_file = s.credentials_file;
  config.duid = s.duid;
  config.local_key = s.local_key;
  config.pattern_password = s.password;
  config.client_id = s.client_id.empty() ? default_client_id() : s.client_id;
  config.quality = s.quality;
  config.talkback_volume = s.talkback_volume;
  config.media_timeout_ms = s.media_timeout_s * 1000;
  config.command_timeout_ms = std::max(1u, s.timeout_s) * 1000;
  config.negotiation_timeout_ms = std::max(20000u, config.command_timeout_ms * 3);
  return config;
}

} // namespace roborock
