// SPDX-License-Identifier: LGPL-2.1-or-later
#include "credentials_file.h"

#include <glib.h>

#include "json_util.h"

namespace roborock {
namespace {

constexpr const char *kConfigEntriesName = "core.config_entries";
// Credential files are small; anything bigger is not one.
constexpr gsize kMaxFileSize = 16 * 1024 * 1024;

Result<JsonNodePtr> read_json_file(const std::string &path) {
  g_autofree char *contents = nullptr;
  gsize size = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, &size, &error))
    return make_error(ErrorCode::FileUnreadable, path + ": " + error->message);
  if (size > kMaxFileSize)
    return make_error(ErrorCode::CredentialsMalformed, path + ": too large for a credentials file");
  auto root = parse_json(std::string_view(contents, size), "credentials file");
  if (!root)
    return make_error(ErrorCode::CredentialsMalformed, path + ": " + root.error().message);
  if (!JSON_NODE_HOLDS_OBJECT(root->get()))
    return make_error(ErrorCode::CredentialsMalformed, path + ": top level is not a JSON object");
  return root;
}

Error missing(const std::string &path, const std::string &field) {
  return make_error(ErrorCode::CredentialsMissing, path + ": " + field + " is missing");
}

} // namespace

Result<Rriot> read_rriot(JsonObject *rriot, const std::string &path, const std::string &where) {
  Rriot out;
  struct Field {
    const char *name;
    std::string *target;
  } required[] = {{"u", &out.u}, {"s", &out.s}, {"k", &out.k}};
  for (const Field &field : required) {
    const char *value = json_object_string(rriot, field.name);
    if (!value || !*value)
      return missing(path, where + "." + field.name);
    *field.target = value;
  }
  if (const char *h = json_object_string(rriot, "h"))
    out.h = h;
  JsonObject *r = json_object_object(rriot, "r");
  if (const char *region = json_object_string(r, "r"))
    out.region = region;
  if (const char *mqtt = json_object_string(r, "m"))
    out.mqtt_url = mqtt;
  if (const char *api = json_object_string(r, "a"))
    out.api_url = api;
  return out;
}

namespace {

// homeData / home_data: {devices: [...], receivedDevices: [...]}
void read_home_data(JsonObject *container, std::vector<DeviceRecord> &devices) {
  for (const char *name : {"homeData", "home_data"}) {
    read_home_devices(json_object_object(container, name), devices);
  }
  // Some stores keep the device arrays beside homeData rather than inside it.
  read_home_devices(container, devices);
}

// The user record nests as "user_data" (roborock-login, snake_case tools) or
// "userData" (python-roborock's ~/.roborock cache), or is the file itself.
constexpr const char *kUserDataMembers[] = {"user_data", "userData"};

Result<AccountCredentials> load_user_data(JsonObject *root, const std::string &path) {
  JsonObject *user_data = root;
  std::string where = "rriot";
  for (const char *member : kUserDataMembers)
    if (!json_object_object(root, "rriot") && json_object_object(root, member)) {
      user_data = json_object_object(root, member);
      where = std::string(member) + ".rriot";
    }
  JsonObject *rriot = json_object_object(user_data, "rriot");
  if (!rriot)
    return missing(path, where);
  auto parsed = read_rriot(rriot, path, where);
  if (!parsed)
    return parsed.error();
  AccountCredentials account{path, std::move(parsed.value()), {}};
  read_home_data(root, account.devices);
  // python-roborock's cache keeps the home data under cacheData.
  read_home_data(json_object_object(root, "cacheData"), account.devices);
  return account;
}

// One Home Assistant config entry of domain "roborock".
Result<AccountCredentials> load_ha_entry(JsonObject *entry, const std::string &path,
                                         const std::string &storage_dir, guint index) {
  std::string where = "data.entries[" + std::to_string(index) + "]";
  JsonObject *user_data = json_object_object(json_object_object(entry, "data"), "user_data");
  if (!user_data)
    return missing(path, where + ".data.user_data");
  JsonObject *rriot = json_object_object(user_data, "rriot");
  if (!rriot)
    return missing(path, where + ".data.user_data.rriot");
  auto parsed = read_rriot(rriot, path, where + ".data.user_data.rriot");
  if (!parsed)
    return parsed.error();
  AccountCredentials account{path, std::move(parsed.value()), {}};

  // Older versions kept home data in the entry itself; newer ones in a store file.
  read_home_data(json_object_object(entry, "data"), account.devices);
  if (const char *entry_id = json_object_string(entry, "entry_id")) {
    g_autofree char *store_path =
        g_build_filename(storage_dir.c_str(), "roborock", entry_id, nullptr);
    if (g_file_test(store_path, G_FILE_TEST_IS_REGULAR)) {
      auto store = read_json_file(store_path);
      if (!store)
        return store.error();
      JsonObject *store_root = json_node_get_object(store->get());
      read_home_data(json_object_object(store_root, "data"), account.devices);
      account.source += " and " + std::string(store_path);
    }
  }
  return account;
}

Result<AccountCredentials> load_ha_config_entries(JsonObject *root, const std::string &path,
                                                  std::string_view duid) {
  JsonArray *entries = json_object_array(json_object_object(root, "data"), "entries");
  if (!entries)
    return missing(path, "data.entries");
  g_autofree char *storage_dir = g_path_get_dirname(path.c_str());
  std::vector<AccountCredentials> accounts;
  for (guint i = 0; i < json_array_get_length(entries); i++) {
    JsonNode *node = json_array_get_element(entries, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      continue;
    JsonObject *entry = json_node_get_object(node);
    if (g_strcmp0(json_object_string(entry, "domain"), "roborock") != 0)
      continue;
    auto account = load_ha_entry(entry, path, storage_dir, i);
    if (!account)
      return account.error();
    accounts.push_back(std::move(account.value()));
  }
  if (accounts.empty())
    return make_error(ErrorCode::CredentialsMissing,
                      path + ": no entry with domain \"roborock\" in data.entries");
  if (!duid.empty())
    for (AccountCredentials &account : accounts)
      if (names_device(account.devices, duid))
        return std::move(account);
  if (accounts.size() > 1)
    return make_error(ErrorCode::CredentialsMissing,
                      path + ": several Roborock accounts and none lists device \"" +
                          std::string(duid) + "\"; set duid to one of their devices");
  return std::move(accounts.front());
}

} // namespace

std::string default_credentials_path() {
  const char *named = g_getenv(kCredentialsEnvironmentVariable);
  if (named && *named)
    return named;
  g_autofree char *path =
      g_build_filename(g_get_user_config_dir(), "roborock", "credentials.json", nullptr);
  return path;
}

Result<AccountCredentials> load_credentials_file(const std::string &path, std::string_view duid) {
  std::string file = path;
  if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
    g_autofree char *entries = g_build_filename(path.c_str(), kConfigEntriesName, nullptr);
    file = entries;
  }
  auto root = read_json_file(file);
  if (!root)
    return root.error();
  JsonObject *object = json_node_get_object(root->get());
  if (json_object_array(json_object_object(object, "data"), "entries"))
    return load_ha_config_entries(object, file, duid);
  if (json_object_object(object, "rriot") || json_object_object(object, "user_data") ||
      json_object_object(object, "userData"))
    return load_user_data(object, file);
  if (json_object_object(json_object_object(object, "data"), "homeData"))
    return make_error(ErrorCode::CredentialsMissing,
                      file + ": this is Home Assistant's device store, which has no account keys; "
                             "use .storage/core.config_entries instead");
  return make_error(ErrorCode::CredentialsMissing,
                    file + ": neither data.entries (Home Assistant) nor rriot (user_data) found");
}

namespace {

bool same_name(const std::string &a, std::string_view b) {
  g_autofree char *folded_a = g_utf8_casefold(a.c_str(), -1);
  g_autofree char *folded_b = g_utf8_casefold(std::string(b).c_str(), -1);
  return g_strcmp0(folded_a, folded_b) == 0;
}

// "Kitchen robot" (duid1), "Hall" (duid2): what the file offers, never a key.
std::string list_devices(const std::vector<DeviceRecord> &devices) {
  std::string out;
  for (const DeviceRecord &device : devices)
    out += (out.empty() ? "" : ", ") + ("\"" + device.name + "\" (" + device.duid + ")");
  return out.empty() ? "none" : out;
}

} // namespace

bool names_device(const std::vector<DeviceRecord> &devices, std::string_view duid_or_name) {
  for (const DeviceRecord &device : devices)
    if (device.duid == duid_or_name || same_name(device.name, duid_or_name))
      return true;
  return false;
}

Result<DeviceRecord> find_device(const AccountCredentials &account, std::string_view duid_or_name) {
  if (duid_or_name.empty()) {
    if (account.devices.size() == 1)
      return account.devices.front();
    return make_error(
        ErrorCode::CredentialsMissing,
        account.source + ": " + std::to_string(account.devices.size()) +
            " robots found; set duid to the duid or name of one: " + list_devices(account.devices));
  }
  for (const DeviceRecord &device : account.devices)
    if (device.duid == duid_or_name)
      return device;
  std::vector<DeviceRecord> named;
  for (const DeviceRecord &device : account.devices)
    if (same_name(device.name, duid_or_name))
      named.push_back(device);
  if (named.size() == 1)
    return named.front();
  if (named.size() > 1)
    return make_error(ErrorCode::CredentialsMissing,
                      account.source + ": " + std::to_string(named.size()) +
                          " robots are named \"" + std::string(duid_or_name) +
                          "\"; set duid to one of their duids: " + list_devices(named));
  return make_error(ErrorCode::CredentialsMissing,
                    account.source + ": no robot with duid or name \"" + std::string(duid_or_name) +
                        "\"; the file has " + list_devices(account.devices));
}

} // namespace roborock
