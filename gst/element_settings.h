// SPDX-License-Identifier: LGPL-2.1-or-later
// What the element's properties say, and how they become a camera session's
// configuration: the credentials file fills what was not set explicitly, the
// broker comes from mqtt-url, region or the account, and anything missing or
// malformed gives an error a user can act on. No GStreamer here.
#pragma once

#include <string>

#include "camera_session.h"
#include "error.h"

namespace roborock {

// The jitter buffers' latency, ms: the loss measurements of
// docs/performance.md chose it.
constexpr unsigned kDefaultLatencyMs = 200;

// Every default of the element's properties.
struct ElementSettings {
  std::string duid;
  std::string local_key; // secret
  std::string rriot_u;
  std::string rriot_s; // secret
  std::string rriot_k; // secret
  std::string region;
  std::string mqtt_url;
  std::string tls_ca_file;
  std::string credentials_file;
  std::string password; // secret: the pattern digits
  std::string client_id;
  VideoQuality quality = VideoQuality::HD;
  bool audio = true;
  unsigned latency_ms = kDefaultLatencyMs;
  unsigned timeout_s = kDefaultCommandTimeoutMs / 1000; // per command
  unsigned talkback_volume = kDefaultTalkbackVolume;    // the robot's speaker, 0-100
  unsigned media_timeout_s =
      kDefaultMediaTimeoutMs / 1000; // no video this long while streaming: lost
  int max_restarts = 5;              // of a lost stream, in a row; -1: for ever
};

// A client id (8 hex characters) that stays the same on this machine, so
// that a session of ours that did not end cleanly can be recognised and ended
// on the next start.
std::string default_client_id();

// Errors are CredentialsMissing, CredentialsMalformed, FileUnreadable or
// BadBrokerUrl, with a message naming the property or file to fix.
// `default_credentials_file` (the login tool's file, default_credentials_path())
// is read when no account setting at all is given and it exists.
Result<CameraSessionConfig>
resolve_session_config(const ElementSettings &settings,
                       const std::string &default_credentials_file = "");

} // namespace roborock
