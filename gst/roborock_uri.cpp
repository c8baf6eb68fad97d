// SPDX-License-Identifier: LGPL-2.1-or-later
#include "roborock_uri.h"

#include <glib.h>

namespace roborock {
namespace {

// Query keys and the properties they set; the short u/s/k follow the rriot names.
const std::pair<const char *, const char *> kQueryKeys[] = {
    {"local-key", "local-key"},
    {"u", "rriot-u"},
    {"s", "rriot-s"},
    {"k", "rriot-k"},
    {"rriot-u", "rriot-u"},
    {"rriot-s", "rriot-s"},
    {"rriot-k", "rriot-k"},
    {"password", "password"},
    {"region", "region"},
    {"mqtt-url", "mqtt-url"},
    {"credentials-file", "credentials-file"},
    {"tls-ca-file", "tls-ca-file"},
    {"quality", "quality"},
    {"audio", "audio"},
    {"client-id", "client-id"},
    {"latency", "latency"},
    {"timeout", "timeout"},
};

Error bad_uri(const std::string &why) {
  return Error{ErrorCode::CredentialsMalformed, why};
}

} // namespace

Result<PropertyAssignments> parse_roborock_uri(const std::string &uri) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GUri) parsed = g_uri_parse(uri.c_str(), G_URI_FLAGS_ENCODED_QUERY, &error);
  if (!parsed)
    return bad_uri("not a valid URI: " + std::string(error->message));
  if (g_strcmp0(g_uri_get_scheme(parsed), kUriScheme) != 0)
    return bad_uri("the URI scheme must be roborock://");
  const char *host = g_uri_get_host(parsed);
  if (!host || !*host)
    return bad_uri("the URI names no robot: use roborock://<duid>?...");

  PropertyAssignments assignments = {{"duid", host}};
  const char *query = g_uri_get_query(parsed);
  if (!query)
    return assignments;
  g_autoptr(GHashTable) params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &error);
  if (!params)
    return bad_uri("the URI query does not parse: " + std::string(error->message));
  // Property order does not matter: settings are resolved when the element starts.
  for (const auto &entry : kQueryKeys)
    if (const char *value = static_cast<const char *>(g_hash_table_lookup(params, entry.first)))
      assignments.emplace_back(entry.second, value);
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init(&iter, params);
  while (g_hash_table_iter_next(&iter, &key, nullptr)) {
    bool known = false;
    for (const auto &entry : kQueryKeys)
      known = known || g_strcmp0(entry.first, static_cast<const char *>(key)) == 0;
    if (!known)
      return bad_uri("unknown URI parameter \"" + std::string(static_cast<const char *>(key)) +
                     "\"");
  }
  return assignments;
}

} // namespace roborock
