// SPDX-License-Identifier: LGPL-2.1-or-later
#include "home_data.h"

#include <cerrno>
#include <map>

#include "json_util.h"

namespace roborock {

namespace {

std::map<std::string, std::string> models_by_product_id(JsonObject *result) {
  std::map<std::string, std::string> models;
  JsonArray *products = json_object_array(result, "products");
  for (guint i = 0; products && i < json_array_get_length(products); i++) {
    JsonNode *node = json_array_get_element(products, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      continue;
    JsonObject *product = json_node_get_object(node);
    const char *model = json_object_string(product, "model");
    std::string id = json_object_string_or_int(product, "id");
    if (model && !id.empty())
      models[id] = model;
  }
  return models;
}

void add_devices(JsonObject *home, const char *member, bool shared,
                 const std::map<std::string, std::string> &models, std::vector<DeviceRecord> &out) {
  JsonArray *devices = json_object_array(home, member);
  for (guint i = 0; devices && i < json_array_get_length(devices); i++) {
    JsonNode *node = json_array_get_element(devices, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      continue;
    JsonObject *device = json_node_get_object(node);
    const char *duid = json_object_string(device, "duid");
    const char *local_key = json_object_string(device, "localKey");
    if (!duid || !*duid || !local_key || !*local_key || has_device(out, duid))
      continue;
    const char *name = json_object_string(device, "name");
    std::string product_id = json_object_string_or_int(device, "productId");
    auto model = models.find(product_id);
    std::string feature_set = json_object_string_or_int(device, "featureSet");
    if (feature_set.empty())
      feature_set = json_object_string_or_int(device, "feature_set");
    out.push_back({duid, name ? name : "", local_key, product_id,
                   model == models.end() ? "" : model->second, shared,
                   camera_support_from_feature_set(feature_set)});
  }
}

// python-roborock's DeviceFeatures: is_video_monitor_supported is mask 8 of
// the robot's new feature info, which home data carries as featureSet.
constexpr guint64 kVideoMonitorMask = 8;

} // namespace

const char *camera_support_name(CameraSupport camera) {
  switch (camera) {
  case CameraSupport::Yes:
    return "yes";
  case CameraSupport::No:
    return "no";
  default:
    return "unknown";
  }
}

CameraSupport camera_support_from_feature_set(const std::string &feature_set) {
  if (feature_set.empty() || !g_ascii_isdigit(feature_set[0]))
    return CameraSupport::Unknown;
  char *end = nullptr;
  errno = 0;
  guint64 features = g_ascii_strtoull(feature_set.c_str(), &end, 10);
  if (errno || *end || features == 0)
    return CameraSupport::Unknown;
  return features & kVideoMonitorMask ? CameraSupport::Yes : CameraSupport::No;
}

bool has_device(const std::vector<DeviceRecord> &devices, std::string_view duid) {
  for (const DeviceRecord &device : devices)
    if (device.duid == duid)
      return true;
  return false;
}

void read_home_devices(JsonObject *home, std::vector<DeviceRecord> &devices) {
  if (!home)
    return;
  std::map<std::string, std::string> models = models_by_product_id(home);
  add_devices(home, "devices", false, models, devices);
  add_devices(home, "receivedDevices", true, models, devices);
  add_devices(home, "received_devices", true, models, devices);
}

Result<std::vector<DeviceRecord>> parse_home_data(std::string_view reply) {
  auto root = parse_json(reply, "home data reply");
  if (!root.ok())
    return root.error();
  if (!JSON_NODE_HOLDS_OBJECT(root->get()))
    return Error{ErrorCode::BadMessage, "The account's home data has an unexpected form.",
                 "home data reply is not a JSON object"};
  JsonObject *top = json_node_get_object(root->get());
  JsonObject *result = json_object_object(top, "result");
  if (!json_object_get_boolean_member_with_default(top, "success", FALSE) || !result) {
    const char *message = json_object_string(top, "msg");
    return Error{ErrorCode::BadMessage,
                 "The Roborock cloud did not return the account's home data.",
                 std::string("home data reply without success and result") +
                     (message ? std::string(": ") + message : "")};
  }
  std::vector<DeviceRecord> devices;
  read_home_devices(result, devices);
  return devices;
}

} // namespace roborock
