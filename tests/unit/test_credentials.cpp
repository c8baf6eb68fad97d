// SPDX-License-Identifier: LGPL-2.1-or-later
// Credential derivation (vectors), broker URLs, topics, and the file loaders.
#include "credentials.h"
#include "credentials_file.h"
#include "test_support.h"

using namespace roborock;

namespace {

void test_vectors() {
  JsonNodePtr root = test::load_vectors();
  JsonArray *cases = test::vector_array(root, "mqtt_credentials");
  g_assert_cmpuint(json_array_get_length(cases), >=, 2);
  for (guint i = 0; i < json_array_get_length(cases); i++) {
    JsonObject *c = json_array_get_object_element(cases, i);
    MqttCredentials creds = derive_mqtt_credentials(json_object_get_string_member(c, "rriot_u"),
                                                    json_object_get_string_member(c, "rriot_s"),
                                                    json_object_get_string_member(c, "rriot_k"));
    ASSERT_STR_EQ(creds.username, json_object_get_string_member(c, "mqtt_username"));
    ASSERT_STR_EQ(creds.password, json_object_get_string_member(c, "mqtt_password"));
    // The vectors' broker is the US region's default.
    auto url = broker_url_for_region("us");
    g_assert_true(url.ok());
    auto address = parse_broker_url(*url);
    g_assert_true(address.ok());
    ASSERT_STR_EQ(address->host, json_object_get_string_member(c, "host"));
    g_assert_cmpint(address->port, ==, json_object_get_int_member(c, "port"));
    g_assert_true(address->tls == json_object_get_boolean_member(c, "tls"));
  }
}

void test_topics() {
  MqttCredentials creds = derive_mqtt_credentials("user123", "secret", "keyk");
  ASSERT_STR_EQ(request_topic("user123", creds.username, "duid1"), "rr/m/i/user123/4b742381/duid1");
  ASSERT_STR_EQ(response_topic("user123", creds.username, "duid1"),
                "rr/m/o/user123/4b742381/duid1");
}

void test_broker_urls() {
  struct Case {
    const char *url;
    const char *host;
    int port;
    bool tls;
  } good[] = {
      {"ssl://mqtt-eu-3.roborock.com:8883", "mqtt-eu-3.roborock.com", 8883, true},
      {"ssl://10.0.0.1", "10.0.0.1", 8883, true},
      {"mqtts://broker:18883/", "broker", 18883, true},
      {"tcp://localhost:1883", "localhost", 1883, false},
      {"mqtt://h", "h", 1883, false},
  };
  for (const Case &c : good) {
    auto address = parse_broker_url(c.url);
    if (!address)
      g_error("%s: %s", c.url, address.error().message.c_str());
    ASSERT_STR_EQ(address->host, c.host);
    g_assert_cmpint(address->port, ==, c.port);
    g_assert_true(address->tls == c.tls);
  }
  for (const char *bad : {"", "mqtt-us.roborock.com:8883", "http://x:1", "ssl://", "ssl://:8883",
                          "ssl://h:", "ssl://h:0", "ssl://h:70000", "ssl://h:88a3",
                          "ssl://h:99999999999999999999", "ssl://a/b:1"}) {
    auto address = parse_broker_url(bad);
    if (address.ok())
      g_error("accepted bad URL '%s'", bad);
    g_assert_true(address.error().code == ErrorCode::BadBrokerUrl);
  }
  ASSERT_STR_EQ(broker_url_for_region("EU")->c_str(), "ssl://mqtt-eu.roborock.com:8883");
  ASSERT_STR_EQ(broker_url_for_region("ru")->c_str(), "ssl://mqtt-ru.roborock.com:8883");
  g_assert_false(broker_url_for_region("mars").ok());
  g_assert_false(broker_url_for_region("").ok());
}

Result<AccountCredentials> load(const char *relative, std::string_view duid = {}) {
  return load_credentials_file(test::data_path(relative), duid);
}

void assert_load_error(const char *relative, ErrorCode code, const char *must_mention) {
  auto account = load(relative);
  if (account.ok())
    g_error("%s: loaded, expected an error", relative);
  if (account.error().code != code)
    g_error("%s: got %s: %s", relative, error_code_name(account.error().code),
            account.error().message.c_str());
  // The message names the file and the field.
  g_autofree char *base = g_path_get_basename(relative);
  g_assert_nonnull(strstr(account.error().message.c_str(), base));
  if (!strstr(account.error().message.c_str(), must_mention))
    g_error("%s: message '%s' does not mention '%s'", relative, account.error().message.c_str(),
            must_mention);
}

void test_home_assistant() {
  for (const char *path :
       {"credentials/ha/.storage/core.config_entries", "credentials/ha/.storage"}) {
    auto account = load(path);
    if (!account)
      g_error("%s", account.error().message.c_str());
    ASSERT_STR_EQ(account->rriot.u, "2Gb5LkTAi8tYcJ6aZvXxQp");
    ASSERT_STR_EQ(account->rriot.s, "pYx1A9s3Yw5Bq7Rt");
    ASSERT_STR_EQ(account->rriot.k, "HwzR2vL9c4eW1uPk");
    ASSERT_STR_EQ(account->rriot.mqtt_url, "ssl://mqtt-us-2.roborock.com:8883");
    g_assert_cmpuint(account->devices.size(), ==, 3);
    auto device = find_device(*account, "3xQnPwFAKE2");
    g_assert_true(device.ok());
    ASSERT_STR_EQ(device->local_key, "q9W8e7R6t5Y4u3I2");
    ASSERT_STR_EQ(device->name, "Kitchen");
    // Shared devices come from receivedDevices.
    ASSERT_STR_EQ(find_device(*account, "shared9FAKE3")->local_key, "ZzYyXxWwVvUuTtSs");
    auto missing = find_device(*account, "nope");
    g_assert_false(missing.ok());
    g_assert_nonnull(strstr(missing.error().message.c_str(), "nope"));
    g_assert_false(find_device(*account, "").ok()); // three devices: which one?
  }
}

void test_home_assistant_two_accounts() {
  auto second = load("credentials/ha-two-accounts/.storage/core.config_entries", "secondDuid");
  g_assert_true(second.ok());
  ASSERT_STR_EQ(second->rriot.u, "secondUser");
  auto first = load("credentials/ha-two-accounts/.storage", "3xQnPwFAKE2");
  g_assert_true(first.ok());
  ASSERT_STR_EQ(first->rriot.u, "2Gb5LkTAi8tYcJ6aZvXxQp");
  auto ambiguous = load("credentials/ha-two-accounts/.storage");
  g_assert_false(ambiguous.ok());
  g_assert_true(ambiguous.error().code == ErrorCode::CredentialsMissing);
}

void test_user_data() {
  auto account = load("credentials/user_data.json");
  g_assert_true(account.ok());
  ASSERT_STR_EQ(account->rriot.u, "user123");
  ASSERT_STR_EQ(account->rriot.mqtt_url, "ssl://mqtt-eu-3.roborock.com:8883");
  ASSERT_STR_EQ(account->rriot.region, "EU");
  g_assert_true(account->devices.empty());

  auto with_home = load("credentials/user_data_with_home.json");
  g_assert_true(with_home.ok());
  auto only = find_device(*with_home, "");
  g_assert_true(only.ok());
  ASSERT_STR_EQ(only->local_key, "OnlyLocalKey0001");
}

// python-roborock's CLI cache (~/.roborock): ConnectionCache.as_dict(), camelCase.
void test_python_roborock_cache() {
  auto account = load("credentials/python-roborock-cache.json");
  g_assert_true(account.ok());
  ASSERT_STR_EQ(account->rriot.u, "cacheUser0001");
  ASSERT_STR_EQ(account->rriot.mqtt_url, "ssl://mqtt-eu-2.roborock.com:8883");
  auto device = find_device(*account, "");
  g_assert_true(device.ok());
  ASSERT_STR_EQ(device->duid, "cacheDuid0001");
  ASSERT_STR_EQ(device->local_key, "CacheLocalKey001");
  ASSERT_STR_EQ(device->model, "roborock.vacuum.a27");
}

void test_broken_files() {
  assert_load_error("credentials/ha-broken/.storage/core.config_entries",
                    ErrorCode::CredentialsMissing, "data.user_data.rriot.k");
  assert_load_error("credentials/user_data_missing_s.json", ErrorCode::CredentialsMissing,
                    "rriot.s");
  assert_load_error("credentials/user_data_wrong_type.json", ErrorCode::CredentialsMissing,
                    "rriot.s");
  assert_load_error("credentials/truncated.json", ErrorCode::CredentialsMalformed, "JSON");
  assert_load_error("credentials/array.json", ErrorCode::CredentialsMalformed, "object");
  assert_load_error("credentials/unrelated.json", ErrorCode::CredentialsMissing, "rriot");
  assert_load_error("credentials/ha-no-roborock.config_entries", ErrorCode::CredentialsMissing,
                    "roborock");
  assert_load_error("credentials/ha/.storage/roborock/01HQROBOROCK00000000000001",
                    ErrorCode::CredentialsMissing, "core.config_entries");
  assert_load_error("credentials/does-not-exist.json", ErrorCode::FileUnreadable, "does-not-exist");
  assert_load_error("credentials/ha", ErrorCode::FileUnreadable, "core.config_entries");
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/credentials/vectors", test_vectors);
  g_test_add_func("/credentials/topics", test_topics);
  g_test_add_func("/credentials/broker-urls", test_broker_urls);
  g_test_add_func("/credentials/home-assistant", test_home_assistant);
  g_test_add_func("/credentials/home-assistant-two-accounts", test_home_assistant_two_accounts);
  g_test_add_func("/credentials/user-data", test_user_data);
  g_test_add_func("/credentials/python-roborock-cache", test_python_roborock_cache);
  g_test_add_func("/credentials/broken-files", test_broken_files);
  return g_test_run();
}
