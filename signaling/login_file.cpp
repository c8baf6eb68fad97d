// SPDX-License-Identifier: LGPL-2.1-or-later
#include "login_file.h"

#include "credentials_file.h"
#include "json_util.h"

namespace roborock {
namespace {

constexpr const char *kWrittenBy = "roborock-login";
constexpr int kFileMode = 0600;
constexpr int kDirectoryMode = 0700;

Error malformed(const std::string &path, const std::string &what) {
  return Error{ErrorCode::CredentialsMalformed,
               path + " was not written by roborock-login; log in again to replace it.", what};
}

} // namespace

Status write_login_file(const std::string &path, const SavedLogin &login) {
  g_autofree char *directory = g_path_get_dirname(path.c_str());
  if (g_mkdir_with_parents(directory, kDirectoryMode) != 0)
    return Error{ErrorCode::FileUnreadable, std::string("Could not create ") + directory + ".",
                 g_strerror(errno)};
  std::string text = JsonObjectWriter()
                         .add_string("written_by", kWrittenBy)
                         .add_string("email", login.email)
                         .add_string("base_url", login.region.base_url)
                         .add_string("country", login.region.country)
                         .add_string("country_code", login.region.country_code)
                         .add_raw("user_data", login.user.json)
                         .add_raw("home_data", login.home_json)
                         .str() +
                     "\n";
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents_full(path.c_str(), text.data(), gssize(text.size()),
                                G_FILE_SET_CONTENTS_CONSISTENT, kFileMode, &error))
    return Error{ErrorCode::FileUnreadable, "Could not write " + path + ".", error->message};
  return Ok{};
}

Result<SavedLogin> read_login_file(const std::string &path) {
  g_autofree char *contents = nullptr;
  gsize size = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, &size, &error))
    return Error{ErrorCode::FileUnreadable,
                 "Could not read " + path + "; log in first (roborock-login).", error->message};
  auto root = parse_json(std::string_view(contents, size), "login file");
  if (!root || !JSON_NODE_HOLDS_OBJECT(root->get()))
    return malformed(path, "not a JSON object");
  JsonObject *object = json_node_get_object(root->get());
  const char *email = json_object_string(object, "email");
  const char *base_url = json_object_string(object, "base_url");
  JsonObject *user = json_object_object(object, "user_data");
  if (!email || !base_url || !user)
    return malformed(path, "email, base_url or user_data missing");
  SavedLogin login;
  login.email = email;
  login.region.base_url = base_url;
  login.region.country = json_object_string(object, "country") ?: "";
  login.region.country_code = json_object_string(object, "country_code") ?: "";
  const char *token = json_object_string(user, "token");
  auto rriot = read_rriot(json_object_object(user, "rriot"), path, "user_data.rriot");
  if (!token || !rriot)
    return malformed(path, "user_data lacks token or rriot");
  login.user.token = token;
  login.user.rriot = std::move(rriot.value());
  login.user.api_url = login.user.rriot.api_url;
  g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), user);
  login.user.json = serialize_json(node);
  return login;
}

} // namespace roborock
