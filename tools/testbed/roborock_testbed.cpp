// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-testbed: brings up the simulated world (TLS broker with ACLs, robot
// simulator, optionally coturn) in the current private network namespace,
// runs a command with the connection settings in its environment, and tears
// the world down when the command ends. Used by the demo and for trying the
// element by hand:
//
//   tools/netns-run build/tools/testbed/roborock-testbed -- sh -c
//     'gst-launch-1.0 roborocksrc mqtt-url=$ROBOROCK_MQTT_URL ... ! fakesink'
#include <cstdio>
#include <string>
#include <vector>

#include <glib.h>

#include "testbed.h"

using namespace roborock::testbed;

int main(int argc, char **argv) {
  gboolean turn = FALSE;
  gboolean web_api = FALSE;
  gchar **sim_args = nullptr;
  GOptionEntry entries[] = {
      {"turn", 0, 0, G_OPTION_ARG_NONE, &turn, "Also run coturn and hand its relay to the robot",
       nullptr},
      {"web-api", 0, 0, G_OPTION_ARG_NONE, &web_api,
       "Also run the simulated account web API (for roborock-login)", nullptr},
      {"sim-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sim_args,
       "Extra roborock-sim flag, e.g. --sim-arg=--sdp-retries=5 (repeatable)", "FLAG"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  GOptionContext *context = g_option_context_new("-- COMMAND [ARGS...]");
  g_option_context_set_summary(
      context,
      "Runs COMMAND against a simulated robot. Must run inside tools/netns-run.\n"
      "COMMAND sees ROBOROCK_MQTT_URL, ROBOROCK_CA_FILE, ROBOROCK_RRIOT_U/S/K, ROBOROCK_DUID,\n"
      "ROBOROCK_LOCAL_KEY, ROBOROCK_PASSWORD, ROBOROCK_CREDENTIALS_FILE (a user_data JSON)\n"
      "and ROBOROCK_SIM_EVENTS (the simulator's event log); with --web-api also\n"
      "ROBOROCK_WEB_API_URLS (space-separated), ROBOROCK_LOGIN_EMAIL and ROBOROCK_LOGIN_CODE\n"
      "(the code the simulated cloud 'emails').");
  g_option_context_add_main_entries(context, entries, nullptr);
  GError *error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    fprintf(stderr, "roborock-testbed: %s\n", error->message);
    return 2;
  }
  g_option_context_free(context);
  int first = 1;
  if (first < argc && g_strcmp0(argv[first], "--") == 0)
    first++;
  if (first >= argc) {
    fprintf(stderr, "roborock-testbed: no command given (see --help)\n");
    return 2;
  }

  TestbedOptions options;
  options.start_turn = turn;
  options.start_web_api = web_api;
  for (gchar **arg = sim_args; arg && *arg; arg++)
    options.simulator_args.push_back(*arg);
  Testbed testbed(options);
  const TestAccount &account = testbed.account();

  std::string credentials = testbed.write_credentials_file();

  gchar **env = g_get_environ();
  struct {
    const char *name;
    std::string value;
  } settings[] = {
      {"ROBOROCK_MQTT_URL", testbed.broker_url()},
      {"ROBOROCK_CA_FILE", testbed.ca_file()},
      {"ROBOROCK_RRIOT_U", account.u},
      {"ROBOROCK_RRIOT_S", account.s},
      {"ROBOROCK_RRIOT_K", account.k},
      {"ROBOROCK_DUID", account.duid},
      {"ROBOROCK_LOCAL_KEY", account.local_key},
      {"ROBOROCK_PASSWORD", account.pattern},
      {"ROBOROCK_CREDENTIALS_FILE", credentials},
      {"ROBOROCK_SIM_EVENTS", testbed.dir() + "/sim-events.jsonl"},
  };
  for (auto &setting : settings)
    env = g_environ_setenv(env, setting.name, setting.value.c_str(), TRUE);
  if (web_api) {
    std::string urls;
    for (const std::string &url : testbed.web_api_urls())
      urls += (urls.empty() ? "" : " ") + url;
    env = g_environ_setenv(env, "ROBOROCK_WEB_API_URLS", urls.c_str(), TRUE);
    env = g_environ_setenv(env, "ROBOROCK_LOGIN_EMAIL", testbed.login_email().c_str(), TRUE);
    env = g_environ_setenv(env, "ROBOROCK_LOGIN_CODE", testbed.login_code().c_str(), TRUE);
  }

  gint status = 0;
  if (!g_spawn_sync(nullptr, argv + first, env,
                    GSpawnFlags(G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN), nullptr,
                    nullptr, nullptr, nullptr, &status, &error)) {
    fprintf(stderr, "roborock-testbed: cannot run %s: %s\n", argv[first], error->message);
    g_strfreev(env);
    return 2;
  }
  g_strfreev(env);
  return g_spawn_check_wait_status(status, nullptr) ? 0 : 1;
}
