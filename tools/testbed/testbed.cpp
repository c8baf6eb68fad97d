// SPDX-License-Identifier: LGPL-2.1-or-later
#include "testbed.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include <glib/gstdio.h>

#include "credentials.h"

namespace roborock::testbed {
namespace {

constexpr const char *kSimUser = "sim-robot";
constexpr const char *kSimPassword = "sim-robot-secret";
constexpr int kBrokerPort = 8883;
constexpr int kDeadPort = 8884;
constexpr int kTurnPort = 3478;
// delay-proxy in front of the broker and of the relay (cloud_rtt_ms).
constexpr int kBrokerDelayPort = 18883;
constexpr int kTurnDelayPort = 13478;

std::string address() {
  const char *value = g_getenv("ROBOROCK_NETNS_ADDRESS");
  return value ? value : "10.203.0.1";
}

// Runs a helper program to completion; aborts the test if it fails.
// One end of coturn's relay port range: 0 the first, 1 the last.
std::string relay_port(int end) {
  std::string range = Testbed::kRelayPorts;
  size_t colon = range.find(':');
  return end == 0 ? range.substr(0, colon) : range.substr(colon + 1);
}

void run(const std::vector<std::string> &argv, const std::string &cwd) {
  std::vector<const char *> args;
  for (const std::string &arg : argv)
    args.push_back(arg.c_str());
  args.push_back(nullptr);
  gchar *err = nullptr;
  gint status = 0;
  GError *error = nullptr;
  if (!g_spawn_sync(cwd.c_str(), const_cast<gchar **>(args.data()), nullptr, G_SPAWN_SEARCH_PATH,
                    nullptr, nullptr, nullptr, &err, &status, &error))
    g_error("cannot run %s: %s", argv[0].c_str(), error->message);
  if (!g_spawn_check_wait_status(status, nullptr))
    g_error("%s failed: %s", argv[0].c_str(), err ? err : "");
  g_free(err);
}

void write_file(const std::string &path, const std::string &contents) {
  GError *error = nullptr;
  if (!g_file_set_contents(path.c_str(), contents.c_str(), -1, &error))
    g_error("cannot write %s: %s", path.c_str(), error->message);
}

GSubprocess *spawn(const std::vector<std::string> &argv, const std::string &log_path) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      GSubprocessFlags(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_MERGE));
  // The test's own GStreamer debugging and tracing is not the helpers' business
  // (a shared GST_DEBUG_FILE would even be overwritten from two offsets).
  for (const char *name : {"GST_DEBUG", "GST_DEBUG_FILE", "GST_TRACERS"})
    g_subprocess_launcher_unsetenv(launcher, name);
  // ROBOROCK_SIM_GST_DEBUG debugs the helpers instead, into their log files
  // (sim.out in the testbed's directory, which ROBOROCK_KEEP_TEST_DIR keeps).
  if (const char *debug = g_getenv("ROBOROCK_SIM_GST_DEBUG"))
    g_subprocess_launcher_setenv(launcher, "GST_DEBUG", debug, TRUE);
  if (!log_path.empty()) {
    g_subprocess_launcher_set_flags(launcher, G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_stdout_file_path(launcher, log_path.c_str());
    g_subprocess_launcher_set_stderr_file_path(launcher, log_path.c_str());
  }
  std::vector<const char *> args;
  for (const std::string &arg : argv)
    args.push_back(arg.c_str());
  args.push_back(nullptr);
  GError *error = nullptr;
  GSubprocess *process = g_subprocess_launcher_spawnv(launcher, args.data(), &error);
  if (!process)
    g_error("cannot start %s: %s", argv[0].c_str(), error->message);
  return process;
}

// SIGTERM, up to 5 s to exit cleanly (the simulator tears its media down),
// then SIGKILL. GLib reaps the child on its worker thread; the identifier
// turns NULL once it has exited.
void terminate(GSubprocess *&process) {
  if (!process)
    return;
  g_subprocess_send_signal(process, SIGTERM);
  for (int i = 0; i < 250 && g_subprocess_get_identifier(process); i++)
    g_usleep(20 * 1000);
  if (g_subprocess_get_identifier(process))
    g_subprocess_force_exit(process);
  g_subprocess_wait(process, nullptr, nullptr);
  g_clear_object(&process);
}

bool tcp_port_open(int port) {
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_socket_client_set_timeout(client, 1);
  g_autoptr(GSocketConnection) connection =
      g_socket_client_connect_to_host(client, address().c_str(), guint16(port), nullptr, nullptr);
  return connection != nullptr;
}

// A STUN binding request answered means the TURN server is up.
bool stun_answers(int port) {
  g_autoptr(GSocket) socket =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr);
  if (!socket)
    return false;
  g_socket_set_timeout(socket, 1);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address().c_str());
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new(inet, guint16(port));
  guint8 request[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
  for (int i = 8; i < 20; i++)
    request[i] = guint8(g_random_int());
  if (g_socket_send_to(socket, target, reinterpret_cast<gchar *>(request), sizeof request, nullptr,
                       nullptr) < 0)
    return false;
  gchar response[512];
  return g_socket_receive(socket, response, sizeof response, nullptr, nullptr) >= 20;
}

} // namespace

void require_private_network() {
  if (g_strcmp0(g_getenv("ROBOROCK_NETNS"), "1") != 0)
    g_error("this test uses the network: run it through tools/netns-run (meson test does)");
}

Testbed::Testbed(TestbedOptions options) : options_(std::move(options)) {
  require_private_network();
  MqttCredentials credentials = derive_mqtt_credentials(account_.u, account_.s, account_.k);
  account_.mqtt_username = credentials.username;
  account_.mqtt_password = credentials.password;

  gchar *dir = g_dir_make_tmp("roborock-test-XXXXXX", nullptr);
  dir_ = dir;
  g_free(dir);
  ca_file_ = dir_ + "/ca.crt";
  event_log_ = dir_ + "/sim-events.jsonl";

  make_certificates();
  write_broker_config();
  start_broker();
  if (options_.start_turn)
    start_turn();
  if (options_.relay_only)
    block_direct_paths();
  if (options_.cloud_rtt_ms > 0)
    start_cloud_delay();
  udp_loss(options_.udp_loss);
  if (options_.start_web_api)
    start_web_api();
  if (options_.start_simulator)
    start_simulator(options_.simulator_args);
}

Testbed::~Testbed() {
  for (GSubprocess *&robot : other_robots_)
    terminate(robot);
  terminate(broker_delay_);
  terminate(turn_delay_);
  terminate(simulator_);
  terminate(web_api_);
  terminate(turn_);
  terminate(broker_);
  while (!rules_.empty())
    remove_rule(rules_.back());
  if (g_getenv("ROBOROCK_KEEP_TEST_DIR")) {
    g_printerr("# test files kept in %s\n", dir_.c_str());
    return;
  }
  run({"rm", "-rf", dir_}, "/");
}

std::string Testbed::broker_url() const {
  int port = options_.cloud_rtt_ms > 0 ? kBrokerDelayPort : kBrokerPort;
  return "ssl://" + address() + ":" + std::to_string(port);
}

std::string Testbed::robot_broker_url() const {
  return "ssl://" + address() + ":" + std::to_string(kBrokerPort);
}

std::string Testbed::dead_broker_url() const {
  return "ssl://" + address() + ":" + std::to_string(kDeadPort);
}

std::string Testbed::turn_url() const {
  int port = options_.cloud_rtt_ms > 0 ? kTurnDelayPort : kTurnPort;
  return "turn:" + address() + ":" + std::to_string(port);
}

std::string Testbed::write_credentials_file() const {
  std::string path = dir_ + "/user_data.json";
  const TestAccount &a = account_;
  write_file(path, "{\"rriot\":{\"u\":\"" + a.u + "\",\"s\":\"" + a.s + "\",\"k\":\"" + a.k +
                       "\",\"r\":{\"m\":\"" + broker_url() +
                       "\"}},\"home_data\":{\"devices\":[{\"duid\":\"" + a.duid +
                       "\",\"name\":\"Simulated robot\",\"localKey\":\"" + a.local_key + "\"}]}}");
  return path;
}

void Testbed::make_certificates() {
  const char *ec[] = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  std::vector<std::string> ca = {"openssl", "req", "-x509"};
  ca.insert(ca.end(), std::begin(ec), std::end(ec));
  ca.insert(ca.end(),
            {"-days", "2", "-subj", "/CN=roborock test CA", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt"});
  run(ca, dir_);
  std::vector<std::string> request = {"openssl", "req"};
  request.insert(request.end(), std::begin(ec), std::end(ec));
  const std::string &other_name = options_.broker_certificate_name;
  std::string subject = other_name.empty() ? "roborock test broker" : other_name;
  std::string names =
      other_name.empty() ? "IP:" + address() + ",DNS:broker.test" : "DNS:" + other_name;
  request.insert(request.end(),
                 {"-subj", "/CN=" + subject, "-keyout", "server.key", "-out", "server.csr"});
  run(request, dir_);
  write_file(dir_ + "/server.ext", "subjectAltName=" + names + "\nextendedKeyUsage=serverAuth\n");
  run({"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
       "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt"},
      dir_);
}

void Testbed::write_broker_config() {
  run({"mosquitto_passwd", "-b", "-c", "passwd", account_.mqtt_username, account_.mqtt_password},
      dir_);
  run({"mosquitto_passwd", "-b", "passwd", kSimUser, kSimPassword}, dir_);
  // The client may only publish requests and read replies under its own
  // account; the robot reads requests and writes replies.
  std::string own = account_.u + "/" + account_.mqtt_username;
  write_file(dir_ + "/acl", "user " + account_.mqtt_username + "\n" + "topic write rr/m/i/" + own +
                                "/#\n" + "topic read rr/m/o/" + own + "/#\n\n" + "user " +
                                kSimUser + "\n" + "topic read rr/m/i/#\n" +
                                "topic write rr/m/o/#\n");
  // `user root`: mosquitto cannot drop privileges inside a user namespace.
  write_file(dir_ + "/mosquitto.conf",
             "user root\n"
             "per_listener_settings false\n"
             "allow_anonymous false\n"
             "password_file " +
                 dir_ +
                 "/passwd\n"
                 "acl_file " +
                 dir_ +
                 "/acl\n"
                 "persistence false\n"
                 "log_dest file " +
                 dir_ +
                 "/mosquitto.log\n"
                 "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
                 "connection_messages true\n"
                 "set_tcp_nodelay true\n"
                 "listener " +
                 std::to_string(kBrokerPort) + " " + address() +
                 "\n"
                 "cafile " +
                 dir_ +
                 "/ca.crt\n"
                 "certfile " +
                 dir_ +
                 "/server.crt\n"
                 "keyfile " +
                 dir_ +
                 "/server.key\n"
                 "require_certificate false\n");
}

void Testbed::start_broker() {
  broker_ = spawn({"mosquitto", "-c", dir_ + "/mosquitto.conf"}, dir_ + "/mosquitto.out");
  if (!wait_until([] { return tcp_port_open(kBrokerPort); }, 5000))
    g_error("mosquitto did not start; see %s/mosquitto.out", dir_.c_str());
}

// Regions "us" (no account) and "eu" (the account), as the real cloud's
// discovery meets them; the account is the test account with an h key, its
// broker the testbed's, and a home of three robots: the simulator's (a
// camera in its feature flags), "Hall" (flags without a camera) and a shared
// one (no flags).
constexpr int kWebApiPorts[] = {8441, 8442};

std::vector<std::string> Testbed::web_api_urls() const {
  std::vector<std::string> urls;
  for (int port : kWebApiPorts)
    urls.push_back("https://" + address() + ":" + std::to_string(port));
  return urls;
}

void Testbed::start_web_api() {
  const TestAccount &a = account_;
  std::string devices =
      "[{\"duid\":\"" + a.duid + "\",\"name\":\"Kitchen robot\",\"localKey\":\"" + a.local_key +
      "\",\"productId\":\"prodS7\",\"online\":true,\"fv\":\"02.16.12\","
      "\"featureSet\":\"2234201184108543\",\"newFeatureSet\":\"0000000000002041\"},"
      "{\"duid\":\"hallDuid0002\",\"name\":\"Hall\",\"localKey\":\"HallLocalKey0002\","
      "\"productId\":\"prodQ7\",\"online\":true,\"featureSet\":\"2234201184108535\"}]";
  std::string account =
      "{\"email\":\"" + login_email() + "\",\"code\":\"" + login_code() +
      "\",\"user\":{\"token\":\"webToken00000001\",\"rruid\":\"rrTest0001\",\"region\":\"eu\","
      "\"country\":\"DE\",\"countrycode\":\"49\",\"nickname\":\"tester\",\"rriot\":{\"u\":\"" +
      a.u + "\",\"s\":\"" + a.s + "\",\"h\":\"testHawkKeyHHH01\",\"k\":\"" + a.k +
      "\",\"r\":{\"r\":\"EU\",\"m\":\"" + broker_url() +
      "\"}}},\"rrHomeId\":1234567,\"homeData\":{\"id\":1234567,\"name\":\"My Home\","
      "\"products\":[{\"id\":\"prodS7\",\"name\":\"Roborock S7 MaxV\",\"model\":"
      "\"roborock.vacuum.a27\"},{\"id\":\"prodQ7\",\"name\":\"Roborock Q7\",\"model\":"
      "\"roborock.vacuum.a40\"}],\"devices\":" +
      devices +
      ",\"receivedDevices\":[{\"duid\":\"sharedDuid0003\",\"name\":\"Mum's robot\","
      "\"localKey\":\"SharedLocalKey03\",\"productId\":\"prodS7\"}]}}";
  write_file(dir_ + "/cloud-account.json", account);
  std::vector<std::string> argv = {ROBOROCK_CLOUD_SIM_PATH,
                                   "--listen",
                                   address(),
                                   "--region",
                                   "us=" + std::to_string(kWebApiPorts[0]),
                                   "--region",
                                   "eu=" + std::to_string(kWebApiPorts[1]),
                                   "--account-region",
                                   "eu",
                                   "--cert",
                                   dir_ + "/server.crt",
                                   "--key",
                                   dir_ + "/server.key",
                                   "--account",
                                   dir_ + "/cloud-account.json",
                                   "--event-log",
                                   dir_ + "/web-api-events.jsonl"};
  for (const std::string &fault : options_.web_api_faults)
    argv.insert(argv.end(), {"--fault", fault});
  web_api_ = spawn(argv, dir_ + "/cloud-sim.out");
  if (!wait_until([] { return tcp_port_open(kWebApiPorts[1]); }, 5000))
    g_error("roborock-cloud-sim did not start; see %s/cloud-sim.out", dir_.c_str());
}

std::vector<JsonNodePtr> Testbed::web_api_events() const {
  std::vector<JsonNodePtr> out;
  g_autofree gchar *contents = nullptr;
  if (!g_file_get_contents((dir_ + "/web-api-events.jsonl").c_str(), &contents, nullptr, nullptr))
    return out;
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (gchar **line = lines; *line; line++) {
    auto node = **line ? parse_json(*line, "event") : Result<JsonNodePtr>(JsonNodePtr());
    if (node && node->get() && JSON_NODE_HOLDS_OBJECT(node->get()))
      out.push_back(node.value());
  }
  return out;
}

void Testbed::stop_broker() {
  terminate(broker_);
}

void Testbed::restart_broker() {
  terminate(broker_);
  start_broker();
}

void Testbed::rotate_account_keys(bool rewrite_credentials_file) {
  rotations_++;
  account_.s = "testSecretSSSS" + std::to_string(10 + rotations_);
  account_.k = "testKeyKKKKKKK" + std::to_string(10 + rotations_);
  MqttCredentials credentials = derive_mqtt_credentials(account_.u, account_.s, account_.k);
  account_.mqtt_username = credentials.username;
  account_.mqtt_password = credentials.password;
  if (rewrite_credentials_file)
    write_credentials_file();
  write_broker_config();
  restart_broker();
}

// UDP to or from the robot's ports passes only when the other end is one of
// coturn's relay ports: a direct host or reflexive path cannot form.
void Testbed::block_direct_paths() {
  if (!options_.start_turn)
    g_error("relay_only needs start_turn");
  const std::string robot = kRobotIcePorts, relay = kRelayPorts;
  std::vector<std::vector<std::string>> rules = {
      {"-p", "udp", "--sport", robot, "--dport", relay, "-j", "ACCEPT"},
      {"-p", "udp", "--sport", relay, "--dport", robot, "-j", "ACCEPT"},
      {"-p", "udp", "--sport", robot, "-j", "DROP"},
      {"-p", "udp", "--dport", robot, "-j", "DROP"},
  };
  for (auto &rule : rules) {
    Rule output = {"OUTPUT"};
    output.insert(output.end(), rule.begin(), rule.end());
    add_rule(output);
  }
}

// The kernel has no netem: iptables' statistic match drops at random.
void Testbed::udp_loss(double probability) {
  auto rule = [](double p) {
    return Rule{"INPUT",           "-p",     "udp",    "-m",
                "statistic",       "--mode", "random", "--probability",
                std::to_string(p), "-j",     "DROP"};
  };
  if (runtime_loss_ > 0)
    remove_rule(rule(runtime_loss_));
  if (probability > 0)
    add_rule(rule(probability));
  runtime_loss_ = probability;
}

void Testbed::blackout(bool on) {
  const Rule everything = {"INPUT", "-j", "DROP"};
  if (on)
    add_rule(everything, true);
  else
    remove_rule(everything);
}

void Testbed::add_rule(const Rule &rule, bool first) {
  for (const char *tables : {"iptables", "ip6tables"}) {
    std::vector<std::string> argv = {tables, first ? "-I" : "-A"};
    argv.insert(argv.end(), rule.begin(), rule.end());
    run(argv, dir_);
  }
  rules_.push_back(rule);
}

void Testbed::remove_rule(const Rule &rule) {
  auto it = std::find(rules_.begin(), rules_.end(), rule);
  if (it == rules_.end())
    return;
  for (const char *tables : {"iptables", "ip6tables"}) {
    std::vector<std::string> argv = {tables, "-D"};
    argv.insert(argv.end(), rule.begin(), rule.end());
    run(argv, dir_);
  }
  rules_.erase(it);
}

void Testbed::start_turn() {
  std::string ip = address();
  turn_ = spawn({"turnserver", "-n", "--listening-ip=" + ip, "--relay-ip=" + ip,
                 "--listening-port=" + std::to_string(kTurnPort), "--min-port=" + relay_port(0),
                 "--max-port=" + relay_port(1), "--lt-cred-mech",
                 std::string("--user=") + kTurnUser + ":" + kTurnPassword, "--realm=roborock.test",
                 "--no-tls", "--no-dtls", "--no-cli", "--fingerprint",
                 "--allowed-peer-ip=10.203.0.0-10.203.0.255", "--log-file=stdout", "--simple-log",
                 "--pidfile=" + dir_ + "/turn.pid"},
                dir_ + "/turnserver.log");
  if (!wait_until([] { return stun_answers(kTurnPort); }, 5000))
    g_error("coturn did not start; see %s/turnserver.log", dir_.c_str());
}

void Testbed::start_cloud_delay() {
  auto proxy = [&](const char *protocol, int listen_port, int target_port, const char *name) {
    const std::string ip = address();
    return spawn({DELAY_PROXY_PATH, protocol, "--listen", ip + ":" + std::to_string(listen_port),
                  "--to", ip + ":" + std::to_string(target_port), "--delay-ms",
                  std::to_string(options_.cloud_rtt_ms / 2)},
                 dir_ + "/" + name + ".out");
  };
  broker_delay_ = proxy("--tcp", kBrokerDelayPort, kBrokerPort, "broker-delay");
  if (!wait_until([] { return tcp_port_open(kBrokerDelayPort); }, 5000))
    g_error("delay-proxy did not start; see %s/broker-delay.out", dir_.c_str());
  if (options_.start_turn) {
    turn_delay_ = proxy("--udp", kTurnDelayPort, kTurnPort, "turn-delay");
    if (!wait_until([] { return stun_answers(kTurnDelayPort); }, 5000))
      g_error("delay-proxy did not start; see %s/turn-delay.out", dir_.c_str());
  }
}

std::vector<std::string> Testbed::simulator_argv(const std::string &duid,
                                                 const std::string &local_key) const {
  std::vector<std::string> argv = {ROBOROCK_SIM_PATH,
                                   "--broker=" + robot_broker_url(),
                                   "--ca-file=" + ca_file_,
                                   std::string("--username=") + kSimUser,
                                   std::string("--password=") + kSimPassword,
                                   "--duid=" + duid,
                                   "--local-key=" + local_key,
                                   "--pattern=" + account_.pattern,
                                   "--event-log=" + event_log_,
                                   "--framerate=15"};
  if (options_.start_turn) {
    argv.push_back("--turn-url=" + turn_url());
    argv.push_back(std::string("--turn-user=") + kTurnUser);
    argv.push_back(std::string("--turn-password=") + kTurnPassword);
  }
  // The whole suite runs once more against real-robot behaviour
  // (meson test --setup real); a test's own flags come after and win.
  if (g_strcmp0(g_getenv("ROBOROCK_SIM_PRESET"), "real") == 0)
    argv.push_back("--real");
  return argv;
}

GSubprocess *Testbed::spawn_simulator(const std::vector<std::string> &argv,
                                      const std::string &log_name) {
  size_t ready_before = events_named("ready").size();
  GSubprocess *simulator = spawn(argv, dir_ + "/" + log_name);
  if (!wait_until([&] { return events_named("ready").size() > ready_before; }, 10000))
    g_error("the simulator did not get ready; see %s/%s", dir_.c_str(), log_name.c_str());
  return simulator;
}

void Testbed::start_simulator(const std::vector<std::string> &extra_args) {
  terminate(simulator_);
  std::vector<std::string> argv = simulator_argv(account_.duid, account_.local_key);
  if (options_.relay_only)
    argv.push_back(std::string("--ice-ports=") + kRobotIcePorts);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  simulator_ = spawn_simulator(argv, "sim.out");
}

TestRobot Testbed::start_another_robot() {
  char duid[32], local_key[32];
  int number = int(other_robots_.size()) + 2;
  snprintf(duid, sizeof duid, "simDuid%04d", number);
  snprintf(local_key, sizeof local_key, "SimLocalKey%05d", number);
  std::string log = "sim-" + std::to_string(number) + ".out";
  other_robots_.push_back(spawn_simulator(simulator_argv(duid, local_key), log));
  return TestRobot{duid, local_key};
}

void Testbed::stop_simulator() {
  terminate(simulator_);
}

std::vector<JsonNodePtr> Testbed::events() const {
  std::vector<JsonNodePtr> out;
  gchar *contents = nullptr;
  if (!g_file_get_contents(event_log_.c_str(), &contents, nullptr, nullptr))
    return out;
  gchar **lines = g_strsplit(contents, "\n", -1);
  for (gchar **line = lines; *line; line++) {
    if (!**line)
      continue;
    auto node = parse_json(*line, "event");
    if (node && JSON_NODE_HOLDS_OBJECT(node->get()))
      out.push_back(node.value());
  }
  g_strfreev(lines);
  g_free(contents);
  return out;
}

std::vector<JsonNodePtr> Testbed::events_named(const char *name,
                                               std::function<bool(JsonObject *)> match) const {
  std::vector<JsonNodePtr> out;
  for (JsonNodePtr &event : events()) {
    JsonObject *object = json_node_get_object(event.get());
    if (g_strcmp0(json_object_string(object, "event"), name) == 0 && (!match || match(object)))
      out.push_back(event);
  }
  return out;
}

size_t Testbed::count_commands(const char *method) const {
  return events_named("command",
                      [method](JsonObject *event) {
                        return g_strcmp0(json_object_string(event, "method"), method) == 0;
                      })
      .size();
}

std::vector<std::string> Testbed::command_params(const char *method) const {
  std::vector<std::string> params;
  for (const JsonNodePtr &event : events_named("command", [method](JsonObject *event) {
         return g_strcmp0(json_object_string(event, "method"), method) == 0;
       }))
    params.push_back(
        serialize_json(json_object_get_member(json_node_get_object(event.get()), "params")));
  return params;
}

bool Testbed::wait_until(std::function<bool()> condition, unsigned timeout_ms) const {
  gint64 deadline = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  while (!condition()) {
    if (g_get_monotonic_time() > deadline)
      return false;
    // Keep the default context turning for tests that rely on it.
    while (g_main_context_iteration(nullptr, FALSE))
      ;
    g_usleep(20 * 1000);
  }
  return true;
}

size_t Testbed::broker_log_count(const char *text) const {
  gchar *contents = nullptr;
  if (!g_file_get_contents((dir_ + "/mosquitto.log").c_str(), &contents, nullptr, nullptr))
    return 0;
  size_t count = 0;
  for (const char *at = strstr(contents, text); at; at = strstr(at + 1, text))
    count++;
  g_free(contents);
  return count;
}

const char *event_string(const JsonNodePtr &event, const char *member) {
  return json_object_string(json_node_get_object(event.get()), member);
}

double event_number(const JsonNodePtr &event, const char *member) {
  JsonNode *node = json_object_get_member(json_node_get_object(event.get()), member);
  return node && JSON_NODE_TYPE(node) == JSON_NODE_VALUE ? json_node_get_double(node) : NAN;
}

} // namespace roborock::testbed
