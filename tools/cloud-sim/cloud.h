// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulated cloud as every handler sees it: the account, the login state,
// the faults asked for, the event log, and the region a request arrived in.
// Everything runs on the main thread's GMainContext, so nothing here locks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../roborock-sim/event_log.h"
#include "cloud_account.h"
#include "login_state.h"

namespace roborock::cloud {

// --fault: error paths a client must handle, on demand.
struct Faults {
  bool too_frequent = false;  // every code send answers 9002
  bool agreement = false;     // a login with the right code answers 3009
  bool token_invalid = false; // getHomeDetail answers 2010
  bool v4_missing = false;    // the v4 paths (and v3 key/sign) are 404
};

struct Cloud {
  CloudAccount account;
  LoginState login;
  Faults faults;
  sim::EventLog events;
};

struct Route; // iot_api.cpp / rriot_api.cpp

// One region: its own HTTPS port and base URL. Only the account's region
// knows the account (and serves the rriot API).
struct Region {
  std::string name; // "us", "eu", ...
  std::string base_url;
  bool holds_account = false;
  Cloud *cloud = nullptr;
  std::vector<std::unique_ptr<Route>> routes; // owned here, registered with its server
};

} // namespace roborock::cloud
