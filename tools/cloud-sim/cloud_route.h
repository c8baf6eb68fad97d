// SPDX-License-Identifier: LGPL-2.1-or-later
// A path of the simulated cloud and the handler that answers it: the method
// it takes (others get 405), whether it is one of the v4 login paths (gone
// with --fault v4-missing: 404), and whether longer paths below it belong to
// it too (/v3/user/homes/{id}).
#pragma once

#include <libsoup/soup.h>

#include "cloud_request.h"

namespace roborock::cloud {

using Handler = void (*)(CloudRequest &request);

struct Route {
  const char *path;
  const char *endpoint; // its name in the event log
  const char *method;
  Handler handler;
  bool v4 = false;
  bool has_subpaths = false;
  Region *region = nullptr; // set by add_route
};

void add_route(SoupServer *server, Region &region, Route route);

} // namespace roborock::cloud
