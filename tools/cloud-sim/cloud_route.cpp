// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cloud_route.h"

#include <cstring>

namespace roborock::cloud {
namespace {

// libsoup hands a handler its path and everything below it.
bool path_matches(const Route &route, const char *path) {
  if (strcmp(path, route.path) == 0)
    return !route.has_subpaths;
  return route.has_subpaths;
}

void dispatch(SoupServer *, SoupServerMessage *message, const char *path, GHashTable *query,
              gpointer data) {
  Route &route = *static_cast<Route *>(data);
  CloudRequest request(message, query, *route.region, route.endpoint);
  if (!path_matches(route, path) || (route.v4 && route.region->cloud->faults.v4_missing)) {
    request.reply_status(SOUP_STATUS_NOT_FOUND);
    return;
  }
  if (request.method() != route.method) {
    request.reply_status(SOUP_STATUS_METHOD_NOT_ALLOWED);
    return;
  }
  route.handler(request);
}

} // namespace

void add_route(SoupServer *server, Region &region, Route route) {
  route.region = &region;
  region.routes.push_back(std::make_unique<Route>(route));
  soup_server_add_handler(server, route.path, dispatch, region.routes.back().get(), nullptr);
}

} // namespace roborock::cloud
