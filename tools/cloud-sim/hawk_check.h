// SPDX-License-Identifier: LGPL-2.1-or-later
// The server side of the signed REST calls (protocol reference §10,
// signaling/hawk_auth.h): parses `Hawk id="u",s="s",ts="TS",nonce="N",mac="M"`
// (with or without a space after each comma) and checks it against the
// account's rriot u, s and h, the request and the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "credentials.h"
#include "hawk_auth.h"

namespace roborock::cloud {

enum class HawkVerdict { Ok, Missing, Malformed, WrongId, Stale, WrongMac };

// Its name in the event log ("wrong-mac").
const char *hawk_verdict_name(HawkVerdict verdict);

struct HawkFields {
  std::string id, s, ts, nonce, mac;
};

std::optional<HawkFields> parse_hawk_header(const std::string &header);

// A timestamp more than `max_skew_s` from `now_s` either way is stale.
HawkVerdict check_hawk(const std::optional<std::string> &header, const Rriot &rriot,
                       const HawkRequest &request, int64_t now_s, int64_t max_skew_s);

} // namespace roborock::cloud
