// SPDX-License-Identifier: LGPL-2.1-or-later
// roborock-login: the first run in one command. Asks the Roborock cloud for
// the email's region, has a login code emailed, logs in with it and writes
// the account keys and the home's robots to the credentials file roborocksrc
// reads by default (docs/credentials.md). Code login, not password login:
// the latter meets two-step validation in other clients.
//
//   roborock-login [--email ADDRESS]   log in, write the file, list the robots
//   roborock-login --list              the robots of the file
//   roborock-login --refresh           renew the robot list (a new code only
//                                      when the saved login has expired)
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <glib.h>

#include "credentials_file.h"
#include "login_file.h"
#include "robot_listing.h"
#include "web_api.h"

using namespace roborock;

namespace {

// Filled by GOption, which allocates the strings.
struct Options {
  char *email = nullptr;
  char *file = nullptr;
  char *ca_file = nullptr;
  char *code = nullptr;
  char **api_urls = nullptr;
  gboolean list = FALSE;
  gboolean refresh = FALSE;

  ~Options() {
    for (char *text : {email, file, ca_file, code})
      g_free(text);
    g_strfreev(api_urls);
  }
};

int fail(const Error &error) {
  std::fprintf(stderr, "roborock-login: %s\n", error.message.c_str());
  if (!error.detail.empty())
    std::fprintf(stderr, "  (%s: %s)\n", error_code_name(error.code), error.detail.c_str());
  return 1;
}

// Asks on stderr. An answer piped in is not echoed by a terminal, so the
// question's line is ended here: the email is shown, the code never is.
std::string prompt(const char *question, bool show_answer) {
  std::fprintf(stderr, "%s", question);
  std::fflush(stderr);
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  if (!isatty(STDIN_FILENO))
    std::fprintf(stderr, "%s\n", show_answer ? line.c_str() : "");
  return line;
}

WebApiOptions web_api_options(const Options &options) {
  WebApiOptions out;
  if (options.api_urls && options.api_urls[0]) {
    out.base_urls.clear();
    for (char **url = options.api_urls; *url; url++)
      out.base_urls.push_back(*url);
  }
  if (options.ca_file)
    out.http.ca_file = options.ca_file;
  return out;
}

// The code from --code, else typed (or piped) on standard input.
Result<std::string> read_code(const Options &options, const std::string &email) {
  std::string code = options.code ? options.code : "";
  if (code.empty()) {
    std::fprintf(stderr, "A login code was emailed to %s.\n", email.c_str());
    code = prompt("Code: ", false);
  }
  if (code.empty())
    return Error{ErrorCode::LoginCodeWrong, "No code given; run roborock-login again.", ""};
  return code;
}

Status fetch_and_save(WebApi &api, SavedLogin &login, const std::string &path) {
  auto home = api.fetch_home_data(login.region.base_url, login.user);
  if (!home)
    return home.error();
  login.home_json = home->json;
  auto written = write_login_file(path, login);
  if (!written)
    return written;
  std::fprintf(stdout, "Wrote %s\n", path.c_str());
  print_robots(stdout, home->devices);
  return Ok{};
}

// A new login: region, code, keys, robots.
int log_in(const Options &options, const std::string &path, std::string email) {
  if (email.empty())
    email = prompt("Roborock account email: ", true);
  if (email.empty())
    return fail({ErrorCode::CredentialsMissing, "No email given.", ""});
  WebApi api(email, web_api_options(options));
  auto region = api.send_login_code();
  if (!region)
    return fail(region.error());
  auto code = read_code(options, email);
  if (!code)
    return fail(code.error());
  auto user = api.login_with_code(*region, *code);
  if (!user)
    return fail(user.error());
  SavedLogin login{email, *region, std::move(user.value()), ""};
  auto saved = fetch_and_save(api, login, path);
  return saved ? 0 : fail(saved.error());
}

// The saved login's robots again; a new code only when the cloud says the
// saved token expired (there is no refresh call, §10).
int refresh(const Options &options, const std::string &path) {
  auto login = read_login_file(path);
  if (!login)
    return fail(login.error());
  WebApi api(login->email, web_api_options(options));
  auto saved = fetch_and_save(api, *login, path);
  if (saved)
    return 0;
  if (saved.error().code != ErrorCode::LoginExpired)
    return fail(saved.error());
  std::fprintf(stderr, "The saved login has expired; logging in again.\n");
  return log_in(options, path, login->email);
}

int list(const std::string &path) {
  auto account = load_credentials_file(path, "");
  if (!account)
    return fail(account.error());
  print_robots(stdout, account->devices);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  GOptionEntry entries[] = {
      {"email", 'e', 0, G_OPTION_ARG_STRING, &options.email, "The Roborock account's email",
       "ADDRESS"},
      {"file", 'f', 0, G_OPTION_ARG_FILENAME, &options.file,
       "The credentials file (default: $ROBOROCK_CREDENTIALS, else "
       "~/.config/roborock/credentials.json)",
       "PATH"},
      {"list", 'l', 0, G_OPTION_ARG_NONE, &options.list, "List the robots of the file", nullptr},
      {"refresh", 'r', 0, G_OPTION_ARG_NONE, &options.refresh,
       "Renew the file's robots (asks for a new code only if the login expired)", nullptr},
      {"code", 0, 0, G_OPTION_ARG_STRING, &options.code,
       "The emailed code, for scripts (else it is asked for)", "CODE"},
      {"api-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.api_urls,
       "A region's web API base URL to ask instead of Roborock's (repeatable; for tests)", "URL"},
      {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options.ca_file,
       "Trust this CA instead of the system's (for tests)", "PATH"},
      {nullptr}};
  g_autoptr(GOptionContext) context = g_option_context_new("- log in to a Roborock account");
  g_option_context_set_summary(context,
                               "Writes the credentials file roborocksrc reads: the account's "
                               "keys and its robots (names, models, local keys).");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_autoptr(GError) error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error) || argc > 1) {
    std::fprintf(stderr, "roborock-login: %s\n",
                 error ? error->message : "unexpected argument; see --help");
    return 2;
  }
  if (options.list && options.refresh) {
    std::fprintf(stderr, "roborock-login: --list and --refresh do not go together\n");
    return 2;
  }
  std::string path = options.file ? options.file : default_credentials_path();
  if (options.list)
    return list(path);
  if (options.refresh)
    return refresh(options, path);
  return log_in(options, path, options.email ? options.email : "");
}
