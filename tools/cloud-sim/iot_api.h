// SPDX-License-Identifier: LGPL-2.1-or-later
// The iot ("basic") API of one region, as protocol reference §10 describes
// it: getUrlByEmail, the code send (v4 and v1), key/sign and the v4 login,
// the v1 login, getHomeDetail. Replies {code, msg, data}, success 200.
#pragma once

#include <libsoup/soup.h>

#include "cloud.h"

namespace roborock::cloud {

void add_iot_api(SoupServer *server, Region &region);

} // namespace roborock::cloud
