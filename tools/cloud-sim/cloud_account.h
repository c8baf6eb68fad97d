// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulated cloud's one account, read from a JSON file (--account):
//
//   {"email": "owner@example.com", "code": "123456",
//    "user": {"token", "rruid", "nickname", "country", "countrycode", "region",
//             "rriot": {"u", "s", "h", "k", "r": {"r", "a", "m", "l"}}},
//    "rrHomeId": 1234567,
//    "homeData": {"devices": [...], "receivedDevices": [...], "products": [...]}}
//
// "user" is the login reply's data (protocol reference §10), sent as given
// except that a missing rriot.r.a becomes the simulator's own rriot base URL;
// "homeData" is the home data reply's result, sent verbatim.
#pragma once

#include <cstdint>
#include <string>

#include "credentials.h"
#include "error.h"
#include "json_util.h"

namespace roborock::cloud {

struct CloudAccount {
  std::string email;
  std::string code;  // what the login email would carry (secret)
  std::string token; // user.token (secret)
  Rriot rriot;       // u, s, h: what a signed call must be signed with (secrets)
  int64_t home_id = 0;
  JsonNodePtr user;      // the user record (login reply data)
  JsonNodePtr home_data; // the home data result
};

// Loads the account; `rriot_base_url` fills rriot.r.a when the file has none.
Result<CloudAccount> load_cloud_account(const std::string &path, const std::string &rriot_base_url);

// Emails compare without regard to ASCII case.
bool same_email(const std::string &a, const std::string &b);

} // namespace roborock::cloud
