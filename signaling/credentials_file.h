// SPDX-License-Identifier: LGPL-2.1-or-later
// Reads account and device keys from files users already have (protocol
// reference §9): Home Assistant's storage, or a user_data JSON file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <json-glib/json-glib.h>

#include "credentials.h"
#include "error.h"
#include "home_data.h"

namespace roborock {

struct AccountCredentials {
  std::string source; // the file the account came from, for messages
  Rriot rriot;
  std::vector<DeviceRecord> devices; // may be empty (user_data files carry none)
};

// The environment variable that names a credentials file for the login tool,
// roborock:// URIs without one and the device provider.
constexpr const char *kCredentialsEnvironmentVariable = "ROBOROCK_CREDENTIALS";

// $ROBOROCK_CREDENTIALS when set, else the file `roborock-login` writes:
// $XDG_CONFIG_HOME/roborock/credentials.json (~/.config/... by default).
std::string default_credentials_path();

// `path` may be:
//  - Home Assistant's `.storage` directory, or its `core.config_entries` file:
//    the roborock entry's data.user_data.rriot, with device keys from the
//    sibling `roborock/<entry_id>` store (data.homeData.devices and
//    receivedDevices);
//  - a user_data JSON file: an object with `rriot` nested (optionally under
//    "user_data", with "homeData"/"home_data" devices beside it).
// When the file holds several accounts, `duid` (a duid or a robot's name)
// chooses the one that owns it.
// Errors name the file and the missing or malformed field.
Result<AccountCredentials> load_credentials_file(const std::string &path, std::string_view duid);

// An rriot object ({u, s, h, k, r: {r, a, m, l}}) -> Rriot; u, s and k are
// required. `source` and `where` (the JSON path) name it in messages.
Result<Rriot> read_rriot(JsonObject *rriot, const std::string &source, const std::string &where);

// Whether a device has this duid, or this name (case-insensitive).
bool names_device(const std::vector<DeviceRecord> &devices, std::string_view duid_or_name);

// The device with this duid, else the one with this name (case-insensitive,
// Unicode casefolding), or the only device when `duid_or_name` is empty. An
// unknown or ambiguous one is an error that lists the names and duids.
Result<DeviceRecord> find_device(const AccountCredentials &account, std::string_view duid_or_name);

} // namespace roborock
