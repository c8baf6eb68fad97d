// SPDX-License-Identifier: LGPL-2.1-or-later
// The file roborock-login writes: private, atomic, and read back both by
// `--refresh` and by the element's credentials-file reader.
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "credentials_file.h"
#include "http_client.h"
#include "login_file.h"
#include "test_support.h"

using namespace roborock;

namespace {

const char *kUserJson = R"({"token":"tokenTTTT","rruid":"rr1","region":"eu","country":"DE",
  "rriot":{"u":"userU","s":"secretS","h":"hawkH","k":"keyK",
           "r":{"r":"EU","a":"https://api-eu.example","m":"ssl://mqtt-eu.example:8883"}}})";
const char *kHomeJson = R"({"products":[{"id":"p1","model":"roborock.vacuum.a27"}],
  "devices":[{"duid":"duidKitchen","name":"Kitchen robot","localKey":"localKeyKitch16","productId":"p1"}],
  "receivedDevices":[{"duid":"duidShared","name":"Mum's","localKey":"localKeyShared16"}]})";

SavedLogin sample_login() {
  SavedLogin login;
  login.email = "owner@example.com";
  login.region = {"https://euiot.example", "DE", "49"};
  login.user.json = kUserJson;
  login.home_json = kHomeJson;
  return login;
}

std::string temp_dir() {
  g_autofree char *dir = g_dir_make_tmp("login-file-XXXXXX", nullptr);
  return dir;
}

void test_written_private_in_new_directory() {
  std::string path = temp_dir() + "/config/roborock/credentials.json";
  g_assert_true(write_login_file(path, sample_login()).ok());
  struct stat file_stat {};
  g_assert_cmpint(g_stat(path.c_str(), &file_stat), ==, 0);
  g_assert_cmpint(file_stat.st_mode & 0777, ==, 0600);
  g_autofree char *dir = g_path_get_dirname(path.c_str());
  g_assert_cmpint(g_stat(dir, &file_stat), ==, 0);
  g_assert_cmpint(file_stat.st_mode & 0777, ==, 0700);
  // Rewriting an existing, widened file makes it private again.
  g_chmod(path.c_str(), 0644);
  g_assert_true(write_login_file(path, sample_login()).ok());
  g_assert_cmpint(g_stat(path.c_str(), &file_stat), ==, 0);
  g_assert_cmpint(file_stat.st_mode & 0777, ==, 0600);
}

void test_element_reads_what_login_wrote() {
  std::string path = temp_dir() + "/credentials.json";
  g_assert_true(write_login_file(path, sample_login()).ok());
  auto account = load_credentials_file(path, "");
  g_assert_true(account.ok());
  ASSERT_STR_EQ(account->rriot.u, "userU");
  ASSERT_STR_EQ(account->rriot.k, "keyK");
  ASSERT_STR_EQ(account->rriot.mqtt_url, "ssl://mqtt-eu.example:8883");
  g_assert_cmpuint(account->devices.size(), ==, 2);
  ASSERT_STR_EQ(account->devices[0].name, "Kitchen robot");
  ASSERT_STR_EQ(account->devices[0].local_key, "localKeyKitch16");
  ASSERT_STR_EQ(account->devices[0].model, "roborock.vacuum.a27");
  g_assert_true(account->devices[1].shared);
}

void test_refresh_reads_it_back() {
  std::string path = temp_dir() + "/credentials.json";
  g_assert_true(write_login_file(path, sample_login()).ok());
  auto login = read_login_file(path);
  g_assert_true(login.ok());
  ASSERT_STR_EQ(login->email, "owner@example.com");
  ASSERT_STR_EQ(login->region.base_url, "https://euiot.example");
  ASSERT_STR_EQ(login->region.country_code, "49");
  ASSERT_STR_EQ(login->user.token, "tokenTTTT");
  ASSERT_STR_EQ(login->user.rriot.h, "hawkH");
  ASSERT_STR_EQ(login->user.api_url, "https://api-eu.example");
}

// Home Assistant's storage has no email to refresh with: said, not guessed.
void test_refresh_refuses_other_files() {
  for (const char *name : {"user_data.json", "truncated.json", "array.json", "missing.json"}) {
    auto login = read_login_file(test::data_path((std::string("credentials/") + name).c_str()));
    if (login.ok())
      g_error("read as a login file: %s", name);
    g_assert_false(login.error().message.empty());
  }
}

void test_url_encoding() {
  ASSERT_STR_EQ(url_encode_fields({{"email", "a+b@x.com"}, {"type", "auth"}, {"platform", ""}}),
                "email=a%2Bb%40x.com&type=auth&platform=");
  ASSERT_STR_EQ(url_encode_fields({{"k", "x y&z=1"}}), "k=x%20y%26z%3D1");
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/login-file/written-private-in-new-directory",
                  test_written_private_in_new_directory);
  g_test_add_func("/login-file/element-reads-what-login-wrote",
                  test_element_reads_what_login_wrote);
  g_test_add_func("/login-file/refresh-reads-it-back", test_refresh_reads_it_back);
  g_test_add_func("/login-file/refresh-refuses-other-files", test_refresh_refuses_other_files);
  g_test_add_func("/login-file/url-encoding", test_url_encoding);
  return g_test_run();
}
