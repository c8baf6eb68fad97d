// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-login against the simulated cloud web API (real HTTPS, the real
// paths and error codes), then roborocksrc streaming with the file it wrote.
#include <sys/stat.h>

#include <cstring>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "element_fixture.h"

using namespace roborock::test;
using roborock::JsonNodePtr;
using roborock::testbed::event_number;
using roborock::testbed::event_string;
using roborock::testbed::TestbedOptions;

namespace {

struct LoginRun {
  int exit_status = -1;
  std::string out;
  std::string err;
  bool says(const char *text) const {
    return strstr(out.c_str(), text) || strstr(err.c_str(), text);
  }
};

// The credentials file of this test, in the testbed's directory.
std::string credentials_path(const Testbed &testbed) {
  return testbed.dir() + "/config/roborock/credentials.json";
}

// roborock-login pointed at the simulated regions, `input` on its stdin;
// trusting the testbed's CA unless `trust_ca` is false.
LoginRun run_login(const Testbed &testbed, std::vector<std::string> args,
                   const std::string &input = "", bool trust_ca = true) {
  std::string path = credentials_path(testbed);
  std::vector<const char *> argv = {ROBOROCK_LOGIN_PATH, "--file", path.c_str()};
  if (trust_ca)
    argv.insert(argv.end(), {"--ca-file", testbed.ca_file().c_str()});
  std::vector<std::string> urls = testbed.web_api_urls();
  for (const std::string &url : urls) {
    argv.push_back("--api-url");
    argv.push_back(url.c_str());
  }
  for (const std::string &arg : args)
    argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSubprocess) process = g_subprocess_newv(
      argv.data(),
      GSubprocessFlags(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                       G_SUBPROCESS_FLAGS_STDERR_PIPE),
      &error);
  g_assert_no_error(error);
  g_autofree char *out = nullptr, *err = nullptr;
  g_assert_true(g_subprocess_communicate_utf8(process, input.c_str(), nullptr, &out, &err, &error));
  LoginRun run{g_subprocess_get_exit_status(process), out ? out : "", err ? err : ""};
  g_test_message("roborock-login: exit %d\n%s%s", run.exit_status, run.out.c_str(),
                 run.err.c_str());
  return run;
}

// A login with the account's email and code given on the command line.
LoginRun log_in(const Testbed &testbed) {
  return run_login(testbed, {"--email", testbed.login_email(), "--code", testbed.login_code()});
}

std::string read_file(const std::string &path) {
  g_autofree char *contents = nullptr;
  g_assert_true(g_file_get_contents(path.c_str(), &contents, nullptr, nullptr));
  return contents;
}

// Nothing the account must keep to itself reaches the terminal.
void assert_no_secrets(const Testbed &testbed, const LoginRun &run) {
  const auto &a = testbed.account();
  for (const std::string &secret : {a.s, a.k, a.local_key, testbed.login_code()})
    if (run.says(secret.c_str()))
      g_error("roborock-login printed a secret");
  // The token and the Hawk key are only in the file.
  std::string file = read_file(credentials_path(testbed));
  for (const char *member : {"\"token\":\"", "\"h\":\""}) {
    const char *at = strstr(file.c_str(), member);
    g_assert_nonnull(at);
    std::string value(at + strlen(member));
    value = value.substr(0, value.find('"'));
    if (run.says(value.c_str()))
      g_error("roborock-login printed %s", member);
  }
}

std::vector<std::string> endpoints_asked(const Testbed &testbed) {
  std::vector<std::string> endpoints;
  for (const JsonNodePtr &event : testbed.web_api_events())
    endpoints.push_back(event_string(event, "endpoint"));
  return endpoints;
}

size_t count(const std::vector<std::string> &list, const char *item) {
  size_t n = 0;
  for (const std::string &entry : list)
    n += entry == item;
  return n;
}

TestbedOptions with_web_api(std::vector<std::string> faults = {}) {
  TestbedOptions options;
  options.start_web_api = true;
  options.web_api_faults = std::move(faults);
  return options;
}

// The first run: email, emailed code, file; then the element streams from it.
void test_first_run_streams() {
  Testbed testbed(with_web_api());
  LoginRun run = run_login(testbed, {}, testbed.login_email() + "\n" + testbed.login_code() + "\n");
  g_assert_cmpint(run.exit_status, ==, 0);
  g_assert_true(run.says("Kitchen robot"));
  g_assert_true(run.says("roborock.vacuum.a27"));
  g_assert_true(run.says(testbed.account().duid.c_str()));
  g_assert_true(run.says("(shared with you)"));
  assert_no_secrets(testbed, run);

  struct stat file_stat {};
  g_assert_cmpint(g_stat(credentials_path(testbed).c_str(), &file_stat), ==, 0);
  g_assert_cmpint(file_stat.st_mode & 0777, ==, 0600);

  // The region is found after the first region disowns the email; one code.
  auto endpoints = endpoints_asked(testbed);
  g_assert_cmpuint(count(endpoints, "get_url_by_email"), ==, 2);
  g_assert_cmpuint(count(endpoints, "send_code_v4"), ==, 1);
  g_assert_cmpuint(count(endpoints, "login_v4"), ==, 1);
  g_assert_cmpuint(count(endpoints, "home_data"), ==, 1);

  Streaming streaming(
      "roborocksrc name=src credentials-file=" + credentials_path(testbed) +
          " duid=" + testbed.account().duid + " password=" + testbed.account().pattern +
          " tls-ca-file=" + testbed.ca_file() + " timeout=3 ! decodebin ! fakesink name=out",
      10);
  assert_no_errors(streaming.pipeline);
}

void test_list() {
  Testbed testbed(with_web_api());
  g_assert_cmpint(log_in(testbed).exit_status, ==, 0);
  size_t asked = testbed.web_api_events().size();
  LoginRun list = run_login(testbed, {"--list"});
  g_assert_cmpint(list.exit_status, ==, 0);
  g_assert_true(list.says("Kitchen robot"));
  g_assert_true(list.says("Hall"));
  g_assert_true(list.says("CAMERA"));
  g_assert_true(list.says("roborock.vacuum.a40  no "));         // Hall: featureSet without camera
  g_assert_true(list.says("roborock.vacuum.a27  yes "));        // Kitchen
  g_assert_true(list.says("roborock.vacuum.a27  unknown "));    // shared: no featureSet
  g_assert_cmpuint(testbed.web_api_events().size(), ==, asked); // the file only
  assert_no_secrets(testbed, list);
}

// gst-device-monitor-1.0 lists the camera robots of the file the login tool
// wrote (found through $ROBOROCK_CREDENTIALS); gst-inspect-1.0 shows the
// provider.
void test_device_monitor() {
  Testbed testbed(with_web_api());
  g_assert_cmpint(log_in(testbed).exit_status, ==, 0);
  g_setenv("ROBOROCK_CREDENTIALS", credentials_path(testbed).c_str(), TRUE);
  Launch monitor = run_command_line("gst-device-monitor-1.0 Source/Network");
  g_unsetenv("ROBOROCK_CREDENTIALS");
  g_assert_true(monitor.says("name  : Kitchen robot"));
  g_assert_true(monitor.says("roborock.model = roborock.vacuum.a27"));
  g_assert_true(monitor.says("roborock.camera = yes"));
  g_assert_true(monitor.says("name  : Mum's robot"));
  g_assert_true(monitor.says("roborock.camera = unknown"));
  g_assert_true(monitor.says("video/x-h264"));
  g_assert_false(monitor.says("Hall")); // its flags say it has no camera
  g_assert_false(monitor.says(testbed.account().local_key.c_str()));

  Launch inspect = run_command_line("gst-inspect-1.0 roborock");
  g_assert_true(inspect.says("roborockdeviceprovider"));
  g_assert_true(inspect.says("roborocksrc"));
}

// --refresh reuses the saved login: no new code while the token works.
void test_refresh() {
  Testbed testbed(with_web_api());
  g_assert_cmpint(log_in(testbed).exit_status, ==, 0);
  std::string before = read_file(credentials_path(testbed));
  LoginRun refresh = run_login(testbed, {"--refresh"});
  g_assert_cmpint(refresh.exit_status, ==, 0);
  g_assert_true(refresh.says("Kitchen robot"));
  auto endpoints = endpoints_asked(testbed);
  g_assert_cmpuint(count(endpoints, "send_code_v4"), ==, 1); // the first login's only
  g_assert_cmpuint(count(endpoints, "home_data"), ==, 2);
  assert_no_secrets(testbed, refresh);
}

// An expired token: --refresh logs in again with a new code for the saved
// email. The cloud no longer knows the saved token (as after a password
// change), so the test puts one it never issued into the file.
void test_refresh_after_expiry() {
  Testbed testbed(with_web_api());
  LoginRun first = log_in(testbed);
  g_assert_cmpint(first.exit_status, ==, 0);
  std::string path = credentials_path(testbed);
  std::string file = read_file(path);
  const char *member = "\"token\":\"";
  size_t at = file.find(member);
  g_assert_cmpuint(at, !=, std::string::npos);
  at += strlen(member);
  file.replace(at, file.find('"', at) - at, "expiredToken0000");
  g_assert_true(g_file_set_contents(path.c_str(), file.c_str(), -1, nullptr));

  LoginRun refresh = run_login(testbed, {"--refresh"}, testbed.login_code() + "\n");
  g_assert_cmpint(refresh.exit_status, ==, 0);
  g_assert_true(refresh.says("expired"));
  g_assert_true(refresh.says(testbed.login_email().c_str())); // "code emailed to ..."
  g_assert_cmpuint(count(endpoints_asked(testbed), "send_code_v4"), ==, 2);
  g_assert_null(strstr(read_file(path).c_str(), "expiredToken0000"));
}

void assert_login_fails(const Testbed &testbed, const LoginRun &run, const char *says) {
  g_assert_cmpint(run.exit_status, ==, 1);
  if (!run.says(says))
    g_error("expected \"%s\" in the output", says);
  g_assert_false(g_file_test(credentials_path(testbed).c_str(), G_FILE_TEST_EXISTS));
}

void test_wrong_code() {
  Testbed testbed(with_web_api());
  std::string wrong = testbed.login_code() == "000000" ? "111111" : "000000";
  LoginRun run = run_login(testbed, {"--email", testbed.login_email(), "--code", wrong});
  assert_login_fails(testbed, run, "The code is wrong or has expired");
  g_assert_true(run.says("2018"));
}

void test_unknown_email() {
  Testbed testbed(with_web_api());
  LoginRun run = run_login(testbed, {"--email", "nobody@example.com", "--code", "123456"});
  assert_login_fails(testbed, run, "No Roborock region knows this email address");
  // Every region was asked, no code was sent.
  auto endpoints = endpoints_asked(testbed);
  g_assert_cmpuint(count(endpoints, "get_url_by_email"), ==, testbed.web_api_urls().size());
  g_assert_cmpuint(count(endpoints, "send_code_v4") + count(endpoints, "send_code_v1"), ==, 0);
}

// Too many codes asked for: the cloud's lock is said, nothing retried.
void test_locked() {
  Testbed testbed(with_web_api({"too-frequent"}));
  LoginRun run = run_login(testbed, {"--email", testbed.login_email(), "--code", "123456"});
  assert_login_fails(testbed, run, "refuses more login codes");
  g_assert_cmpuint(count(endpoints_asked(testbed), "send_code_v4"), ==, 1);
}

void test_agreement() {
  Testbed testbed(with_web_api({"agreement"}));
  LoginRun run = log_in(testbed);
  assert_login_fails(testbed, run, "accept its user agreement");
}

// A region without the v4 calls: the v1 code send and login.
void test_v1_fallback() {
  Testbed testbed(with_web_api({"v4-missing"}));
  LoginRun run = log_in(testbed);
  g_assert_cmpint(run.exit_status, ==, 0);
  auto endpoints = endpoints_asked(testbed);
  g_assert_cmpuint(count(endpoints, "send_code_v1"), ==, 1);
  g_assert_cmpuint(count(endpoints, "login_v1"), ==, 1);
}

void test_no_network() {
  Testbed testbed(with_web_api());
  g_autoptr(GError) error = nullptr;
  const char *argv[] = {ROBOROCK_LOGIN_PATH,    "--file",  nullptr,         "--api-url",
                        "https://10.203.0.1:1", "--email", "a@example.com", nullptr};
  std::string path = credentials_path(testbed);
  argv[2] = path.c_str();
  g_autoptr(GSubprocess) process = g_subprocess_newv(
      argv, GSubprocessFlags(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE),
      &error);
  g_autofree char *out = nullptr, *err = nullptr;
  g_assert_true(g_subprocess_communicate_utf8(process, nullptr, nullptr, &out, &err, &error));
  g_assert_cmpint(g_subprocess_get_exit_status(process), ==, 1);
  g_assert_nonnull(strstr(err, "Could not reach the Roborock cloud"));
}

// A web API whose certificate no trusted CA signed is refused.
void test_untrusted_certificate() {
  Testbed testbed(with_web_api());
  LoginRun run = run_login(testbed, {"--email", testbed.login_email()}, "", false);
  assert_login_fails(testbed, run, "Could not reach the Roborock cloud");
  g_assert_cmpuint(testbed.web_api_events().size(), ==, 0); // TLS refused before any request
}

} // namespace

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/login/first-run-streams", test_first_run_streams);
  g_test_add_func("/login/list", test_list);
  g_test_add_func("/login/device-monitor", test_device_monitor);
  g_test_add_func("/login/refresh", test_refresh);
  g_test_add_func("/login/refresh-after-expiry", test_refresh_after_expiry);
  g_test_add_func("/login/wrong-code", test_wrong_code);
  g_test_add_func("/login/unknown-email", test_unknown_email);
  g_test_add_func("/login/locked", test_locked);
  g_test_add_func("/login/agreement", test_agreement);
  g_test_add_func("/login/v1-fallback", test_v1_fallback);
  g_test_add_func("/login/no-network", test_no_network);
  g_test_add_func("/login/untrusted-certificate", test_untrusted_certificate);
  return g_test_run();
}
