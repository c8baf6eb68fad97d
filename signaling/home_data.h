// SPDX-License-Identifier: LGPL-2.1-or-later
// The account's robots from home data (protocol reference §10): the rriot
// API's reply, which the login tool writes into the credentials file, and the
// same object as Home Assistant stores it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <json-glib/json-glib.h>

#include "error.h"

namespace roborock {

// Whether a robot has a camera, as far as home data tells (protocol reference
// §10): featureSet's bit 3 (mask 8) is the video monitor; a device without a
// usable featureSet leaves it unknown.
enum class CameraSupport { Unknown, Yes, No };

const char *camera_support_name(CameraSupport camera); // "unknown", "yes", "no"

// CameraSupport from home data's featureSet (a decimal integer, as a string
// or a number); anything else, or 0, is Unknown.
CameraSupport camera_support_from_feature_set(const std::string &feature_set);

struct DeviceRecord {
  std::string duid;
  std::string name;
  std::string local_key; // secret
  std::string product_id;
  std::string model;   // the product's model, e.g. "roborock.vacuum.a27"; empty if unknown
  bool shared = false; // from receivedDevices: another account's robot shared with this one
  CameraSupport camera = CameraSupport::Unknown;
};

// Appends the devices of a home data object ({devices, receivedDevices,
// products}; snake_case received_devices too) to `devices`, owned ones first,
// skipping duids already there. A device without duid or local key is left out
// (nothing could stream it); odd members are skipped, not fatal.
void read_home_devices(JsonObject *home, std::vector<DeviceRecord> &devices);

bool has_device(const std::vector<DeviceRecord> &devices, std::string_view duid);

// The devices of `{"success":true,"result":{..home data..}}`; a reply that is
// not a successful home data reply is an error.
Result<std::vector<DeviceRecord>> parse_home_data(std::string_view reply);

} // namespace roborock
