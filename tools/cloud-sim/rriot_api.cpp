// SPDX-License-Identifier: LGPL-2.1-or-later
#include "rriot_api.h"

#include <cstring>

#include "cloud_route.h"
#include "hawk_check.h"

namespace roborock::cloud {
namespace {

// What the signature covers, from the request as it arrived.
HawkRequest signed_parts(CloudRequest &request) {
  HawkRequest parts;
  parts.path = request.path();
  if (GHashTable *query = request.query_table()) {
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, query);
    while (g_hash_table_iter_next(&iter, &key, &value))
      parts.query[static_cast<const char *>(key)] = static_cast<const char *>(value);
  }
  parts.body = request.body();
  return parts;
}

// The {id} after ".../homes/", if it is a number.
std::optional<int64_t> home_id_in(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string id = path.substr(slash + 1);
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoll(id.c_str(), nullptr, 10);
}

void get_home_data(CloudRequest &request) {
  const CloudAccount &account = request.cloud().account;
  HawkVerdict verdict =
      check_hawk(request.header("Authorization"), account.rriot, signed_parts(request),
                 g_get_real_time() / G_USEC_PER_SEC, kHawkMaxSkewSeconds);
  request.note("hawk", hawk_verdict_name(verdict));
  if (verdict != HawkVerdict::Ok)
    return request.reply_rriot(SOUP_STATUS_UNAUTHORIZED, 401, "unauthorized");
  std::optional<int64_t> id = home_id_in(request.path());
  if (!id || *id != account.home_id)
    return request.reply_rriot(SOUP_STATUS_NOT_FOUND, 404, "home not found");
  request.reply_rriot(SOUP_STATUS_OK, 200, "ok", serialize_json(account.home_data.get()));
}

} // namespace

void add_rriot_api(SoupServer *server, Region &region) {
  for (const char *path : {"/v3/user/homes", "/v2/user/homes", "/user/homes"})
    add_route(server, region, Route{path, "home_data", "GET", get_home_data, false, true});
}

} // namespace roborock::cloud
