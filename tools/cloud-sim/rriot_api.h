// SPDX-License-Identifier: LGPL-2.1-or-later
// The rriot API (user.rriot.r.a) of the account's region: the signed home
// data call, GET /v3/user/homes/{rrHomeId} (and the /v2/ and unversioned
// paths), replying {api, code, result, status, success} (protocol reference
// §10). Every call must carry a valid Hawk signature (hawk_check.h).
#pragma once

#include <libsoup/soup.h>

#include "cloud.h"

namespace roborock::cloud {

// A signature whose ts is further than this from the clock is refused.
constexpr int64_t kHawkMaxSkewSeconds = 600;

void add_rriot_api(SoupServer *server, Region &region);

} // namespace roborock::cloud
