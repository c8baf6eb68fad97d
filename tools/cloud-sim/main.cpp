// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-cloud-sim: the Roborock account web API for the tests and the
// demo (protocol reference §10). Each region is an HTTPS port; only the
// account's region knows the account and serves the signed rriot API.
//
//   roborock-cloud-sim --listen 10.203.0.1 --region us=8441 --region eu=8442
//     --account-region eu --cert server.crt --key server.key
//     --account account.json [--event-log FILE] [--fault NAME]...
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include "cloud_route.h"
#include "iot_api.h"
#include "rriot_api.h"

using namespace roborock::cloud;

namespace {

struct Options {
  char *listen = nullptr;
  char **regions = nullptr;
  char *account_region = nullptr;
  char *cert = nullptr;
  char *key = nullptr;
  char *account = nullptr;
  char *event_log = nullptr;
  char **faults = nullptr;
};

bool set_fault(Faults &faults, const std::string &name) {
  if (name == "too-frequent")
    faults.too_frequent = true;
  else if (name == "agreement")
    faults.agreement = true;
  else if (name == "token-invalid")
    faults.token_invalid = true;
  else if (name == "v4-missing")
    faults.v4_missing = true;
  else
    return false;
  return true;
}

gboolean quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop *>(loop));
  return G_SOURCE_REMOVE;
}

int fail(const std::string &why) {
  std::fprintf(stderr, "roborock-cloud-sim: %s\n", why.c_str());
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  GOptionEntry entries[] = {
      {"listen", 0, 0, G_OPTION_ARG_STRING, &o.listen, "Address to listen on", "ADDR"},
      {"region", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.regions, "A region and its port", "NAME=PORT"},
      {"account-region", 0, 0, G_OPTION_ARG_STRING, &o.account_region, "The account's region",
       "NAME"},
      {"cert", 0, 0, G_OPTION_ARG_FILENAME, &o.cert, "Server certificate (PEM)", "FILE"},
      {"key", 0, 0, G_OPTION_ARG_FILENAME, &o.key, "Server key (PEM)", "FILE"},
      {"account", 0, 0, G_OPTION_ARG_FILENAME, &o.account, "The account (JSON)", "FILE"},
      {"event-log", 0, 0, G_OPTION_ARG_FILENAME, &o.event_log, "JSON-lines request log", "FILE"},
      {"fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.faults,
       "too-frequent, agreement, token-invalid, v4-missing (repeatable)", "NAME"},
      {nullptr}};
  g_autoptr(GOptionContext) context = g_option_context_new("- the simulated Roborock web API");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_autoptr(GError) error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error))
    return fail(error->message);
  if (!o.listen || !o.regions || !o.account_region || !o.cert || !o.key || !o.account)
    return fail("--listen, --region, --account-region, --cert, --key and --account are needed");

  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files(o.cert, o.key, &error);
  if (!certificate)
    return fail(error->message);

  Cloud cloud;
  for (char **fault = o.faults; fault && *fault; fault++)
    if (!set_fault(cloud.faults, *fault))
      return fail(std::string("unknown fault ") + *fault);
  if (o.event_log && !cloud.events.open(o.event_log))
    return fail(std::string("cannot open ") + o.event_log);

  std::vector<std::unique_ptr<Region>> regions;
  std::vector<SoupServer *> servers;
  std::string rriot_base;
  for (char **spec = o.regions; *spec; spec++) {
    g_auto(GStrv) parts = g_strsplit(*spec, "=", 2);
    if (!parts[0] || !parts[1])
      return fail(std::string("--region wants NAME=PORT, not ") + *spec);
    auto region = std::make_unique<Region>();
    region->name = parts[0];
    region->base_url = std::string("https://") + o.listen + ":" + parts[1];
    region->holds_account = region->name == o.account_region;
    region->cloud = &cloud;
    if (region->holds_account)
      rriot_base = region->base_url;
    SoupServer *server = soup_server_new("tls-certificate", certificate, nullptr);
    g_autoptr(GInetAddress) address = g_inet_address_new_from_string(o.listen);
    if (!address)
      return fail(std::string("not an address: ") + o.listen);
    g_autoptr(GSocketAddress) socket =
        g_inet_socket_address_new(address, guint16(g_ascii_strtoull(parts[1], nullptr, 10)));
    if (!soup_server_listen(server, socket, SOUP_SERVER_LISTEN_HTTPS, &error))
      return fail(region->base_url + ": " + error->message);
    add_iot_api(server, *region);
    if (region->holds_account)
      add_rriot_api(server, *region);
    servers.push_back(server);
    regions.push_back(std::move(region));
  }
  if (rriot_base.empty())
    return fail(std::string("no --region named ") + o.account_region);
  auto account = load_cloud_account(o.account, rriot_base);
  if (!account)
    return fail(account.error().message);
  cloud.account = std::move(account.value());

  GMainLoop *loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGTERM, quit, loop);
  g_unix_signal_add(SIGINT, quit, loop);
  std::printf("roborock-cloud-sim: ready\n");
  std::fflush(stdout);
  g_main_loop_run(loop);
  for (SoupServer *server : servers)
    g_object_unref(server);
  g_main_loop_unref(loop);
  return 0;
}
