// SPDX-License-Identifier: LGPL-2.1-or-later
#include "iot_api.h"

#include <optional>

#include "cloud_route.h"

namespace roborock::cloud {
namespace {

// The codes of protocol reference §10.
constexpr int kOk = 200;
constexpr int kMissingParameters = 1001;
constexpr int kMalformedEmail = 2003;
constexpr int kNoSuchAccount = 2008;
constexpr int kTokenInvalid = 2010;
constexpr int kWrongCode = 2018;
constexpr int kAgreement = 3009;
constexpr int kNotInThisRegion = 3030;       // v4 code send
constexpr int kNoAccountInThisRegion = 3039; // v4 login
constexpr int kTooFrequent = 9002;

bool email_well_formed(const std::string &email) {
  return printable_email(email) &&
         g_regex_match_simple("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email.c_str(),
                              GRegexCompileFlags(0), GRegexMatchFlags(0));
}

// The account's email, asked in the account's region.
bool is_account_here(CloudRequest &request, const std::string &email) {
  return request.region().holds_account && same_email(email, request.cloud().account.email);
}

// Notes what every iot call should carry (header_clientid) and the email.
void note_common(CloudRequest &request, const std::optional<std::string> &email) {
  request.note("clientid", request.header("header_clientid").has_value());
  if (email && printable_email(*email))
    request.note("email", *email);
}

// 1001 when a parameter is missing, 2003 when the email is malformed; true
// when the request may go on.
bool check_email_request(CloudRequest &request, const std::optional<std::string> &email,
                         bool others_present) {
  note_common(request, email);
  if (!email || !others_present) {
    request.reply_iot(kMissingParameters, "missing parameters");
    return false;
  }
  if (!email_well_formed(*email)) {
    request.reply_iot(kMalformedEmail, "malformed email");
    return false;
  }
  return true;
}

std::string member_json(JsonObject *object, const char *name) {
  JsonNode *node = json_object_get_member(object, name);
  return node ? serialize_json(node) : "null";
}

void get_url_by_email(CloudRequest &request) {
  std::optional<std::string> email = request.query("email");
  if (!check_email_request(request, email, true))
    return;
  JsonObject *user = json_node_get_object(request.cloud().account.user.get());
  bool here = is_account_here(request, *email);
  JsonObjectWriter data;
  data.add_string("url", request.region().base_url)
      .add_raw("country", here ? member_json(user, "country") : "null")
      .add_raw("countrycode", here ? member_json(user, "countrycode") : "null");
  request.reply_iot(kOk, "success", data.str());
}

// The checks both code sends share once the request is well-formed.
void send_code(CloudRequest &request, const std::string &email, int not_here_code) {
  Cloud &cloud = request.cloud();
  if (cloud.faults.too_frequent)
    return request.reply_iot(kTooFrequent, "too frequent");
  if (!same_email(email, cloud.account.email))
    return request.reply_iot(kNoSuchAccount, "account does not exist");
  if (!request.region().holds_account)
    return request.reply_iot(not_here_code, "account not in this region");
  if (!cloud.login.send_code(g_get_monotonic_time()))
    return request.reply_iot(kTooFrequent, "too frequent");
  request.note("code_sent", true);
  request.reply_iot(kOk, "success");
}

void send_code_v4(CloudRequest &request) {
  std::optional<std::string> email = request.form("email"), type = request.form("type");
  request.note("clientlang", request.header("header_clientlang").has_value());
  if (type)
    request.note("type", *type);
  if (check_email_request(request, email, type.has_value()))
    send_code(request, *email, kNotInThisRegion);
}

void send_code_v1(CloudRequest &request) {
  std::optional<std::string> email = request.query("username"), type = request.query("type");
  if (type)
    request.note("type", *type);
  if (check_email_request(request, email, type.has_value()))
    send_code(request, *email, kNoSuchAccount);
}

bool is_sign_seed(const std::string &ks) {
  return ks.size() == 16 && g_regex_match_simple("^[A-Za-z0-9]+$", ks.c_str(),
                                                 GRegexCompileFlags(0), GRegexMatchFlags(0));
}

void key_sign(CloudRequest &request) {
  note_common(request, std::nullopt);
  std::optional<std::string> ks = request.query("s");
  if (!ks || !is_sign_seed(*ks))
    return request.reply_iot(kMissingParameters, "s must be 16 letters and digits");
  std::string k = request.cloud().login.sign_key(*ks);
  request.reply_iot(kOk, "success", JsonObjectWriter().add_string("k", k).str());
}

// The code check and what follows it, for both logins: the code is good
// only for the account, once one was sent, and once.
void log_in(CloudRequest &request, const std::string &code) {
  Cloud &cloud = request.cloud();
  if (!cloud.login.code_outstanding() || code != cloud.account.code)
    return request.reply_iot(kWrongCode, "wrong code");
  if (cloud.faults.agreement)
    return request.reply_iot(kAgreement, "user agreement not accepted");
  cloud.login.use_code();
  request.reply_iot(kOk, "success", serialize_json(cloud.account.user.get()));
}

void login_v4(CloudRequest &request) {
  std::optional<std::string> email = request.form("email"), code = request.form("code");
  bool complete = code && request.form("country") && request.form("countryCode") &&
                  request.form("majorVersion") && request.form("minorVersion");
  for (const char *header : {"header_appversion", "header_phonesystem", "header_phonemodel"})
    request.note(header, request.header(header).has_value());
  if (!check_email_request(request, email, complete))
    return;
  std::optional<std::string> ks = request.header("x-mercy-ks"), k = request.header("x-mercy-k");
  if (!ks || !k || !request.cloud().login.key_pair_issued(*ks, *k))
    return request.reply_iot(kMissingParameters, "x-mercy-ks/x-mercy-k not from key/sign");
  if (!is_account_here(request, *email))
    return request.reply_iot(kNoAccountInThisRegion, "no such account in this region");
  log_in(request, *code);
}

void login_v1(CloudRequest &request) {
  std::optional<std::string> email = request.query("username"), code = request.query("verifycode"),
                             type = request.query("verifycodetype");
  if (type)
    request.note("verifycodetype", *type);
  if (!check_email_request(request, email, code && type))
    return;
  if (!is_account_here(request, *email))
    return request.reply_iot(kNoSuchAccount, "account does not exist");
  log_in(request, *code);
}

void get_home_detail(CloudRequest &request) {
  note_common(request, std::nullopt);
  Cloud &cloud = request.cloud();
  std::optional<std::string> token = request.header("Authorization");
  if (cloud.faults.token_invalid || !request.region().holds_account || !token ||
      *token != cloud.account.token)
    return request.reply_iot(kTokenInvalid, "token invalid");
  JsonObjectWriter data;
  data.add_int("id", cloud.account.home_id)
      .add_string("name", "My Home")
      .add_int("rrHomeId", cloud.account.home_id);
  request.reply_iot(kOk, "success", data.str());
}

} // namespace

void add_iot_api(SoupServer *server, Region &region) {
  const Route routes[] = {
      {"/api/v1/getUrlByEmail", "get_url_by_email", "POST", get_url_by_email},
      {"/api/v4/email/code/send", "send_code_v4", "POST", send_code_v4, true},
      {"/api/v1/sendEmailCode", "send_code_v1", "POST", send_code_v1},
      {"/api/v3/key/sign", "key_sign", "POST", key_sign, true},
      {"/api/v4/auth/email/login/code", "login_v4", "POST", login_v4, true},
      {"/api/v1/loginWithCode", "login_v1", "POST", login_v1},
      {"/api/v1/getHomeDetail", "get_home_detail", "GET", get_home_detail},
  };
  for (const Route &route : routes)
    add_route(server, region, route);
}

} // namespace roborock::cloud
