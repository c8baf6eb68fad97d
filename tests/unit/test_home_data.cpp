// SPDX-License-Identifier: LGPL-2.1-or-later
// The robots of an account from the home data reply (protocol reference §10).
#include "home_data.h"
#include "test_support.h"

using namespace roborock;

namespace {

const char *kReply = R"({"api":null,"code":200,"status":"ok","success":true,"result":{
  "id":1234,"name":"My Home",
  "products":[{"id":"prodA","name":"Roborock S7 MaxV","code":"a27","model":"roborock.vacuum.a27",
               "category":"robot.vacuum.cleaner","capability":0,"schema":[]},
              {"id":42,"name":"Roborock Q7","model":"roborock.vacuum.a40"}],
  "devices":[{"duid":"duidKitchen","name":"Kitchen robot","localKey":"localKeyKitch16","productId":"prodA",
              "online":true,"featureSet":"2234201184108543","newFeatureSet":"0000000000002041"},
             {"duid":"duidNoKey","name":"Broken"},
             {"duid":"duidHall","name":"Hall","localKey":"localKeyHall0016","productId":42,
              "featureSet":2234201184108535}],
  "receivedDevices":[{"duid":"duidShared","name":"Mum's robot","localKey":"localKeyShared16",
                      "productId":"unknownProduct"}],
  "rooms":[]}})";

void test_devices_and_models() {
  auto devices = parse_home_data(kReply);
  g_assert_true(devices.ok());
  g_assert_cmpuint(devices->size(), ==, 3); // the one without a local key is left out
  const DeviceRecord &kitchen = (*devices)[0];
  ASSERT_STR_EQ(kitchen.duid, "duidKitchen");
  ASSERT_STR_EQ(kitchen.name, "Kitchen robot");
  ASSERT_STR_EQ(kitchen.local_key, "localKeyKitch16");
  ASSERT_STR_EQ(kitchen.product_id, "prodA");
  ASSERT_STR_EQ(kitchen.model, "roborock.vacuum.a27");
  g_assert_false(kitchen.shared);
  ASSERT_STR_EQ((*devices)[1].product_id, "42"); // an integer product id
  ASSERT_STR_EQ((*devices)[1].model, "roborock.vacuum.a40");
  const DeviceRecord &shared = (*devices)[2];
  ASSERT_STR_EQ(shared.duid, "duidShared");
  g_assert_true(shared.shared);
  ASSERT_STR_EQ(shared.model, ""); // no such product
}

// featureSet's mask 8 is the video monitor; without a usable featureSet the
// camera is unknown, never guessed.
void test_camera_from_feature_set() {
  auto devices = parse_home_data(kReply);
  g_assert_true(devices.ok());
  g_assert_true((*devices)[0].camera == CameraSupport::Yes);
  g_assert_true((*devices)[1].camera == CameraSupport::No); // a number, bit 3 clear
  g_assert_true((*devices)[2].camera == CameraSupport::Unknown);
  // An a187's (S8 MaxV Ultra, a camera robot) featureSet as home data has it.
  g_assert_true(camera_support_from_feature_set("2247397454282751") == CameraSupport::Yes);
  g_assert_true(camera_support_from_feature_set("2247397454282743") == CameraSupport::No);
  for (const char *odd : {"", "0", "-8", "8x", "0x8", " 8", "99999999999999999999999"})
    if (camera_support_from_feature_set(odd) != CameraSupport::Unknown)
      g_error("\"%s\" is not unknown", odd);
  ASSERT_STR_EQ(camera_support_name(CameraSupport::No), "no");
}

void test_bad_replies() {
  const char *bad[] = {
      "",
      "[1,2]",
      "{\"success\":false,\"msg\":\"unauthorized\"}",
      "{\"success\":true}",
      "{\"success\":true,\"result\":[]}",
      "{\"success\":\"yes\",\"result\":{}}",
      "{\"success\":true,\"result\":{\"devices\":[",
  };
  for (const char *reply : bad) {
    auto devices = parse_home_data(reply);
    if (devices.ok())
      g_error("accepted: %s", reply);
    g_assert_false(devices.error().message.empty());
  }
}

// Odd members are skipped, not fatal: a robot list with junk still lists the rest.
void test_odd_members() {
  auto devices = parse_home_data(R"({"success":true,"result":{"devices":[7,null,
    {"duid":5,"localKey":"k"},{"duid":"d","localKey":"k","name":3,"productId":[1]}],
    "products":"none","receivedDevices":{}}})");
  g_assert_true(devices.ok());
  g_assert_cmpuint(devices->size(), ==, 1);
  ASSERT_STR_EQ((*devices)[0].duid, "d");
  ASSERT_STR_EQ((*devices)[0].name, "");
  ASSERT_STR_EQ((*devices)[0].model, "");
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/home-data/devices-and-models", test_devices_and_models);
  g_test_add_func("/home-data/camera-from-feature-set", test_camera_from_feature_set);
  g_test_add_func("/home-data/bad-replies", test_bad_replies);
  g_test_add_func("/home-data/odd-members", test_odd_members);
  return g_test_run();
}
