// SPDX-License-Identifier: LGPL-2.1-or-later
// Element settings -> session configuration, and roborock:// URIs (pure code).
#include "element_settings.h"
#include "roborock_uri.h"
#include <map>

#include "test_support.h"

using namespace roborock;

namespace {

ElementSettings complete() {
  ElementSettings s;
  s.duid = "duid1";
  s.local_key = "0123456789abcdef";
  s.rriot_u = "u";
  s.rriot_s = "s";
  s.rriot_k = "k";
  s.region = "eu";
  s.password = "2580";
  return s;
}

void assert_error(const ElementSettings &settings, ErrorCode code, const char *mentions) {
  auto config = resolve_session_config(settings);
  if (config.ok())
    g_error("resolved, expected an error mentioning %s", mentions);
  if (config.error().code != code || !strstr(config.error().message.c_str(), mentions))
    g_error("got %s: %s (expected %s mentioning %s)", error_code_name(config.error().code),
            config.error().message.c_str(), error_code_name(code), mentions);
}

void test_complete_settings() {
  auto config = resolve_session_config(complete());
  g_assert_true(config.ok());
  ASSERT_STR_EQ(config->broker.url(), "ssl://mqtt-eu.roborock.com:8883");
  ASSERT_STR_EQ(config->duid, "duid1");
  ASSERT_STR_EQ(config->pattern_password, "2580");
  // 8 hex characters, like the Roborock app's.
  g_assert_cmpuint(config->client_id.size(), ==, 8);
  g_assert_true(config->client_id.find_first_not_of("0123456789abcdef") == std::string::npos);
  ASSERT_STR_EQ(config->client_id, default_client_id()); // stable
  g_assert_cmpuint(config->command_timeout_ms, ==, 10000);
  g_assert_cmpuint(config->negotiation_timeout_ms, ==, 30000);

  ElementSettings s = complete();
  s.mqtt_url = "tcp://10.0.0.1:1883"; // overrides region
  s.client_id = "mine";
  s.timeout_s = 2;
  s.talkback_volume = 35;
  config = resolve_session_config(s);
  ASSERT_STR_EQ(config->broker.url(), "tcp://10.0.0.1:1883");
  ASSERT_STR_EQ(config->client_id, "mine");
  g_assert_cmpuint(config->talkback_volume, ==, 35);
  g_assert_false(config->voice_record); // voice chat only when audio is consumed
  g_assert_false(config->voice_play);
  g_assert_cmpuint(config->negotiation_timeout_ms, ==, 20000); // never under 20 s
}

void config_ok_without_password(const ElementSettings &s) {
  auto config = resolve_session_config(s);
  g_assert_true(config.ok());
  g_assert_true(config->pattern_password.empty());
}

void test_missing_and_malformed() {
  ElementSettings s = complete();
  s.duid.clear();
  assert_error(s, ErrorCode::CredentialsMissing, "duid");
  s = complete();
  s.rriot_k.clear();
  assert_error(s, ErrorCode::CredentialsMissing, "rriot-k");
  s = complete();
  s.local_key.clear();
  assert_error(s, ErrorCode::CredentialsMissing, "local-key");
  s = complete();
  s.local_key = "short";
  assert_error(s, ErrorCode::CredentialsMalformed, "16 characters");
  s = complete();
  s.password.clear(); // a robot without a pattern
  config_ok_without_password(s);
  s = complete();
  s.password = "hunter2";
  assert_error(s, ErrorCode::CredentialsMalformed, "not the account password");
  s = complete();
  s.region.clear();
  assert_error(s, ErrorCode::CredentialsMissing, "region");
  s = complete();
  s.region = "atlantis";
  assert_error(s, ErrorCode::BadBrokerUrl, "atlantis");
  s = complete();
  s.mqtt_url = "http://x";
  assert_error(s, ErrorCode::BadBrokerUrl, "scheme");
  // From nothing, one error names everything that is missing.
  ElementSettings empty;
  for (const char *needed : {"set duid", "rriot-k", "set local-key", "set region"})
    assert_error(empty, ErrorCode::CredentialsMissing, needed);
  // A slip that puts the next property in duid: said, without the value.
  s = complete();
  s.duid = "local-key=SecretKey1234567";
  assert_error(s, ErrorCode::CredentialsMalformed, "duid must be the robot's id");
  g_assert_null(strstr(resolve_session_config(s).error().message.c_str(), "SecretKey"));
}

void test_credentials_file_fills_gaps() {
  ElementSettings s;
  s.credentials_file = test::data_path("credentials/ha/.storage/core.config_entries");
  s.duid = "3xQnPwFAKE2";
  s.password = "2580";
  auto config = resolve_session_config(s);
  if (!config)
    g_error("%s", config.error().message.c_str());
  ASSERT_STR_EQ(config->local_key, "q9W8e7R6t5Y4u3I2");
  ASSERT_STR_EQ(config->rriot_u, "2Gb5LkTAi8tYcJ6aZvXxQp");
  ASSERT_STR_EQ(config->broker.url(), "ssl://mqtt-us-2.roborock.com:8883"); // the account's r.m
  // Keys from the file may be renewed from it on a refusal...
  ASSERT_STR_EQ(config->credentials_file, s.credentials_file);
  // ...keys given as properties never.
  ElementSettings explicit_keys = s;
  explicit_keys.rriot_k = "explicitK";
  ASSERT_STR_EQ(resolve_session_config(explicit_keys)->credentials_file, "");

  // Explicit values win over the file.
  s.local_key = "explicitKey12345";
  s.region = "eu";
  config = resolve_session_config(s);
  ASSERT_STR_EQ(config->local_key, "explicitKey12345");
  ASSERT_STR_EQ(config->broker.url(), "ssl://mqtt-eu.roborock.com:8883");

  // One robot in the file: no duid needed.
  ElementSettings single;
  single.credentials_file = test::data_path("credentials/user_data_with_home.json");
  single.password = "2580";
  config = resolve_session_config(single);
  g_assert_true(config.ok());
  ASSERT_STR_EQ(config->duid, "onlyDuid");

  // Several robots and no duid: say so.
  ElementSettings several;
  several.credentials_file = test::data_path("credentials/ha/.storage");
  several.password = "2580";
  assert_error(several, ErrorCode::CredentialsMissing, "set duid");
  several.credentials_file = "/nonexistent/user_data.json";
  assert_error(several, ErrorCode::FileUnreadable, "/nonexistent/user_data.json");
}

// duid may be the robot's name from the file, in any case; an unknown one is
// answered with what the file has.
void test_duid_by_name() {
  ElementSettings s;
  s.credentials_file = test::data_path("credentials/ha/.storage");
  s.password = "2580";
  s.duid = "kITCHEN";
  auto config = resolve_session_config(s);
  if (!config)
    g_error("%s", config.error().message.c_str());
  ASSERT_STR_EQ(config->duid, "3xQnPwFAKE2");
  ASSERT_STR_EQ(config->local_key, "q9W8e7R6t5Y4u3I2");
  s.duid = "Downstairs robot";
  assert_error(s, ErrorCode::CredentialsMissing, "\"Kitchen\" (3xQnPwFAKE2)");
  g_assert_null(strstr(resolve_session_config(s).error().message.c_str(), "q9W8e7R6t5Y4u3I2"));
}

// Nothing about the account set: the login tool's file, when it exists.
void test_default_credentials_file() {
  std::string file = test::data_path("credentials/user_data_with_home.json");
  ElementSettings s;
  s.password = "2580";
  auto config = resolve_session_config(s, file);
  if (!config)
    g_error("%s", config.error().message.c_str());
  ASSERT_STR_EQ(config->duid, "onlyDuid");
  ASSERT_STR_EQ(config->credentials_file, file);
  // A missing default file changes nothing: the usual "missing settings".
  assert_error(s, ErrorCode::CredentialsMissing, "missing settings");
  g_assert_false(resolve_session_config(s, "/nonexistent/credentials.json").ok());
  // Account keys given explicitly: the default file is not read.
  s = complete();
  config = resolve_session_config(s, file);
  g_assert_true(config.ok());
  ASSERT_STR_EQ(config->credentials_file, "");
  g_assert_cmpstr(config->duid.c_str(), !=, "onlyDuid");
}

void test_uri() {
  auto parsed = parse_roborock_uri(
      "roborock://dev42?local-key=abcdefghijklmnop&u=U&s=S%2B1&k=K&password=2580&region=eu"
      "&quality=sd&audio=false");
  if (!parsed)
    g_error("%s", parsed.error().message.c_str());
  std::map<std::string, std::string> values(parsed->begin(), parsed->end());
  ASSERT_STR_EQ(parsed->front().first, "duid");
  ASSERT_STR_EQ(values["duid"], "dev42");
  ASSERT_STR_EQ(values["rriot-s"], "S+1"); // percent-decoded
  ASSERT_STR_EQ(values["rriot-u"], "U");
  ASSERT_STR_EQ(values["quality"], "sd");
  ASSERT_STR_EQ(values["audio"], "false");
  auto file = parse_roborock_uri(
      "roborock://dev42?credentials-file=%2Fhome%2Fme%2F.storage%2Fcore.config_entries");
  g_assert_true(file.ok());
  ASSERT_STR_EQ(file->back().second, "/home/me/.storage/core.config_entries");
  for (const char *bad : {"roborock://", "http://dev42", "roborock://dev42?colour=blue",
                          "not a uri", "roborock://dev42?password=%zz"}) {
    auto result = parse_roborock_uri(bad);
    if (result.ok())
      g_error("accepted %s", bad);
  }
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/element-settings/complete", test_complete_settings);
  g_test_add_func("/element-settings/missing-and-malformed", test_missing_and_malformed);
  g_test_add_func("/element-settings/credentials-file", test_credentials_file_fills_gaps);
  g_test_add_func("/element-settings/duid-by-name", test_duid_by_name);
  g_test_add_func("/element-settings/default-credentials-file", test_default_credentials_file);
  g_test_add_func("/element-settings/uri", test_uri);
  return g_test_run();
}
