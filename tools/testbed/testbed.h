// SPDX-License-Identifier: LGPL-2.1-or-later
// The world the integration tests and the demo run in, built inside a private
// network namespace (tools/netns-run): a mosquitto broker with TLS (CA and
// server certificate made per run), password authentication and ACLs that
// confine the client to its own topics; optionally coturn; and the robot
// simulator, whose JSON-lines event log tests read.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gio/gio.h>

#include "json_util.h"

namespace roborock::testbed {

// The account and robot every test uses. The MQTT username and password are
// derived from u/s/k exactly as the client derives them.
struct TestAccount {
  std::string u = "testUser0001";
  std::string s = "testSecretSSSS01";
  std::string k = "testKeyKKKKKKK01";
  std::string mqtt_username; // derived
  std::string mqtt_password; // derived
  std::string duid = "simDuid0001";
  std::string local_key = "SimLocalKey00001";
  std::string pattern = "741852963"; // distinctive, so log searches cannot match by chance
};

// Another robot of the same account (Testbed::start_another_robot).
struct TestRobot {
  std::string duid;
  std::string local_key;
};

struct TestbedOptions {
  bool start_simulator = true;
  bool start_turn = false;
  std::vector<std::string> simulator_args; // extra flags (faults)
  // Non-empty: the broker's certificate names only this DNS name, not the
  // address clients dial (trusted CA, wrong host).
  std::string broker_certificate_name;
  // The robot is reachable only through the TURN relay (needs start_turn):
  // its UDP host ports are fixed and iptables drops whatever reaches them
  // from anywhere but coturn's relay ports, so the client's own allocation
  // must carry the media (the simulator itself uses no relay).
  bool relay_only = false;
  // Random loss of this share of all UDP packets (iptables statistic), 0-1.
  double udp_loss = 0;
  // The client's round trip to the cloud, in ms: the broker and the TURN
  // relay are reached through delay-proxy (half of it each way). The robot
  // keeps its direct link to both; host candidates stay a LAN path.
  unsigned cloud_rtt_ms = 0;
  // The simulated account web API (tools/cloud-sim): two regions, the
  // account in the second, so a client's region discovery is exercised.
  bool start_web_api = false;
  std::vector<std::string> web_api_faults; // roborock-cloud-sim --fault names
};

class Testbed {
public:
  static constexpr const char *kTurnUser = "turnuser";
  static constexpr const char *kTurnPassword = "turn:pass/word"; // needs escaping in URLs
  static constexpr const char *kRobotIcePorts = "40000:40100";   // with relay_only
  static constexpr const char *kRelayPorts = "49152:49300";      // coturn's relay range

  explicit Testbed(TestbedOptions options = {});
  ~Testbed();

  const TestAccount &account() const { return account_; }
  std::string broker_url() const;      // ssl://10.203.0.1:8883 (the client's way in)
  std::string dead_broker_url() const; // nothing listens there
  const std::string &ca_file() const { return ca_file_; }
  const std::string &dir() const { return dir_; }
  const std::string &event_log_path() const { return event_log_; }
  std::string turn_url() const; // turn:10.203.0.1:3478 (the client's way in)
  // A user_data JSON file with the account and the robot (for credentials-file).
  std::string write_credentials_file() const;

  // The web API's base URLs in the order a client asks them, the account's
  // email and the code its login "email" carries; the requests it answered.
  std::vector<std::string> web_api_urls() const;
  std::string login_email() const { return "owner@example.com"; }
  std::string login_code() const { return "472913"; }
  std::vector<JsonNodePtr> web_api_events() const;

  void start_simulator(const std::vector<std::string> &extra_args = {});
  void stop_simulator();
  // One more simulated robot on the same account, with a duid and local key
  // of its own (simDuid0002, ...), for the benchmarks of several streams; it
  // writes to the same event log, and stops with the testbed.
  TestRobot start_another_robot();
  // A network blackout: every packet dropped (MQTT, media, relay), or the
  // rule removed.
  void blackout(bool on);
  // Random loss of this share of UDP packets from now on (0: none), besides
  // TestbedOptions::udp_loss.
  void udp_loss(double probability);
  void stop_broker();
  void restart_broker(); // same port, certificates and accounts
  // The account logs in again, as Home Assistant does: new rriot s and k
  // (u, the user, stays), written to write_credentials_file()'s file if
  // `rewrite_credentials_file`; the broker restarts knowing only the new ones.
  void rotate_account_keys(bool rewrite_credentials_file);

  // The simulator's events, parsed (each a JSON object node).
  std::vector<JsonNodePtr> events() const;
  // Events named `name` that satisfy `match` (if given).
  std::vector<JsonNodePtr> events_named(const char *name,
                                        std::function<bool(JsonObject *)> match = nullptr) const;
  size_t count_commands(const char *method) const;
  // The params of each `method` command the robot saw, in order, as JSON text.
  std::vector<std::string> command_params(const char *method) const;
  // Waits (iterating the default main context) until `condition` holds.
  bool wait_until(std::function<bool()> condition, unsigned timeout_ms) const;

  // Lines of the broker's log containing `text`.
  size_t broker_log_count(const char *text) const;

private:
  void make_certificates();
  void write_broker_config();
  void start_broker();
  void start_turn();
  void start_cloud_delay();
  void start_web_api();
  std::vector<std::string> simulator_argv(const std::string &duid,
                                          const std::string &local_key) const;
  GSubprocess *spawn_simulator(const std::vector<std::string> &argv, const std::string &log_name);
  std::string robot_broker_url() const; // the simulator's: never delayed
  void block_direct_paths();
  // A firewall rule of this namespace, for IPv4 and IPv6 (the veth has
  // IPv6 link-local addresses too): added, or inserted first; and removed.
  // Rules still in place go with the testbed, so the next one in the same
  // process (a benchmark's next case) starts on a clean network.
  using Rule = std::vector<std::string>; // chain, then the match and target
  void add_rule(const Rule &rule, bool first = false);
  void remove_rule(const Rule &rule);

  TestAccount account_;
  std::vector<Rule> rules_;
  int rotations_ = 0;
  double runtime_loss_ = 0;
  TestbedOptions options_;
  std::string dir_;
  std::string ca_file_;
  std::string event_log_;
  GSubprocess *broker_ = nullptr;
  GSubprocess *web_api_ = nullptr;
  GSubprocess *turn_ = nullptr;
  GSubprocess *simulator_ = nullptr;
  GSubprocess *broker_delay_ = nullptr;
  GSubprocess *turn_delay_ = nullptr;
  std::vector<GSubprocess *> other_robots_;
};

// Fails the test unless running inside tools/netns-run's namespace.
void require_private_network();

// Convenience accessors for event objects.
const char *event_string(const JsonNodePtr &event, const char *member);
double event_number(const JsonNodePtr &event, const char *member);

} // namespace roborock::testbed
