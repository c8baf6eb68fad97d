// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hawk_check.h"

#include <cstdlib>
#include <map>

#include <glib.h>
#include <openssl/crypto.h>

#include "crypto.h"

namespace roborock::cloud {
namespace {

constexpr size_t kLongestHeader = 1024;

// `name="value"`, the value free of quotes.
bool parse_pair(std::string item, std::map<std::string, std::string> &pairs) {
  size_t start = item.find_first_not_of(' ');
  if (start == std::string::npos)
    return false;
  item = item.substr(start);
  size_t eq = item.find('=');
  if (eq == std::string::npos || eq == 0 || item.size() < eq + 3 || item[eq + 1] != '"' ||
      item.back() != '"')
    return false;
  std::string value = item.substr(eq + 2, item.size() - eq - 3);
  if (value.find('"') != std::string::npos)
    return false;
  return pairs.emplace(item.substr(0, eq), value).second; // a repeated name is malformed
}

bool all_digits(const std::string &text) {
  return !text.empty() && text.size() <= 12 &&
         text.find_first_not_of("0123456789") == std::string::npos;
}

bool same_secret(const std::string &a, const std::string &b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

const char *hawk_verdict_name(HawkVerdict verdict) {
  switch (verdict) {
  case HawkVerdict::Ok:
    return "ok";
  case HawkVerdict::Missing:
    return "missing";
  case HawkVerdict::Malformed:
    return "malformed";
  case HawkVerdict::WrongId:
    return "wrong-id";
  case HawkVerdict::Stale:
    return "stale";
  case HawkVerdict::WrongMac:
    return "wrong-mac";
  }
  return "unknown";
}

std::optional<HawkFields> parse_hawk_header(const std::string &header) {
  const std::string scheme = "Hawk ";
  if (header.size() > kLongestHeader || header.compare(0, scheme.size(), scheme) != 0)
    return std::nullopt;
  std::map<std::string, std::string> pairs;
  gchar **items = g_strsplit(header.c_str() + scheme.size(), ",", -1);
  bool ok = true;
  for (gchar **item = items; *item && ok; item++)
    ok = parse_pair(*item, pairs);
  g_strfreev(items);
  HawkFields fields;
  struct {
    const char *name;
    std::string *value;
  } wanted[] = {{"id", &fields.id},
                {"s", &fields.s},
                {"ts", &fields.ts},
                {"nonce", &fields.nonce},
                {"mac", &fields.mac}};
  for (auto &field : wanted) {
    auto it = pairs.find(field.name);
    if (it == pairs.end())
      return std::nullopt;
    *field.value = it->second;
  }
  if (!ok || pairs.size() != 5 || !all_digits(fields.ts))
    return std::nullopt;
  return fields;
}

HawkVerdict check_hawk(const std::optional<std::string> &header, const Rriot &rriot,
                       const HawkRequest &request, int64_t now_s, int64_t max_skew_s) {
  if (!header)
    return HawkVerdict::Missing;
  std::optional<HawkFields> fields = parse_hawk_header(*header);
  if (!fields)
    return HawkVerdict::Malformed;
  if (fields->id != rriot.u || !same_secret(fields->s, rriot.s))
    return HawkVerdict::WrongId;
  int64_t ts = std::strtoll(fields->ts.c_str(), nullptr, 10);
  if (ts > now_s + max_skew_s || ts < now_s - max_skew_s)
    return HawkVerdict::Stale;
  std::string expected =
      base64_encode(hmac_sha256(rriot.h, hawk_signed_string(rriot, request, ts, fields->nonce)));
  return same_secret(fields->mac, expected) ? HawkVerdict::Ok : HawkVerdict::WrongMac;
}

} // namespace roborock::cloud
