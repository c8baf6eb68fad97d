// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cloud_account.h"

namespace roborock::cloud {
namespace {

Error config_error(const std::string &path, const std::string &what) {
  return make_error(ErrorCode::CredentialsMalformed, path + ": " + what);
}

// The file is the test's own, so a mutable (not sealed) tree is fine: r.a is
// filled in place.
Result<JsonNodePtr> read_json_file(const std::string &path) {
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_file(parser, path.c_str(), &error))
    return make_error(ErrorCode::FileUnreadable, path + ": " + error->message);
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root))
    return config_error(path, "not a JSON object");
  return adopt_json_node(json_node_copy(root));
}

std::string member_string(JsonObject *object, const char *name) {
  const char *value = json_object_string(object, name);
  return value ? value : "";
}

// rriot.u, s, h must be there (the signature check needs them); r.a is
// filled when absent.
Status read_rriot(JsonObject *user, const std::string &path, const std::string &base_url,
                  Rriot &rriot) {
  JsonObject *object = json_object_object(user, "rriot");
  if (!object)
    return config_error(path, "user.rriot is missing");
  rriot.u = member_string(object, "u");
  rriot.s = member_string(object, "s");
  rriot.h = member_string(object, "h");
  rriot.k = member_string(object, "k");
  if (rriot.u.empty() || rriot.s.empty() || rriot.h.empty() || rriot.k.empty())
    return config_error(path, "user.rriot needs u, s, h and k");
  JsonObject *r = json_object_object(object, "r");
  if (!r) {
    json_object_set_object_member(object, "r", json_object_new());
    r = json_object_object(object, "r");
  }
  if (!json_object_string(r, "a"))
    json_object_set_string_member(r, "a", base_url.c_str());
  return Ok{};
}

} // namespace

Result<CloudAccount> load_cloud_account(const std::string &path,
                                        const std::string &rriot_base_url) {
  auto root = read_json_file(path);
  if (!root)
    return root.error();
  JsonObject *object = json_node_get_object(root->get());
  CloudAccount account;
  account.email = member_string(object, "email");
  account.code = member_string(object, "code");
  if (account.email.empty() || account.code.empty())
    return config_error(path, "email and code are required");
  JsonObject *user = json_object_object(object, "user");
  if (!user)
    return config_error(path, "user is missing");
  account.token = member_string(user, "token");
  if (account.token.empty())
    return config_error(path, "user.token is missing");
  if (auto status = read_rriot(user, path, rriot_base_url, account.rriot); !status)
    return status.error();
  JsonNode *home_id = json_object_get_member(object, "rrHomeId");
  if (!home_id || !JSON_NODE_HOLDS_VALUE(home_id) ||
      json_node_get_value_type(home_id) != G_TYPE_INT64)
    return config_error(path, "rrHomeId must be an integer");
  account.home_id = json_node_get_int(home_id);
  if (!json_object_object(object, "homeData"))
    return config_error(path, "homeData must be an object");
  account.user = adopt_json_node(json_node_copy(json_object_get_member(object, "user")));
  account.home_data = adopt_json_node(json_node_copy(json_object_get_member(object, "homeData")));
  return account;
}

bool same_email(const std::string &a, const std::string &b) {
  return g_ascii_strcasecmp(a.c_str(), b.c_str()) == 0;
}

} // namespace roborock::cloud
