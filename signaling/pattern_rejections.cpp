// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pattern_rejections.h"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <sstream>

#include <glib.h>

#include "crypto.h"
#include "log.h"

namespace roborock {
namespace {

std::mutex &store_mutex() {
  static std::mutex mutex;
  return mutex;
}

// This process's rejections, by key.
std::map<std::string, int64_t> &remembered() {
  static std::map<std::string, int64_t> rejections;
  return rejections;
}

std::string rejection_key(const std::string &duid, const std::string &local_key,
                          const std::string &pattern) {
  return hmac_sha256_hex(local_key, duid + ":" + pattern);
}

// Read fresh each time (not g_get_user_cache_dir, which caches the first
// value it sees): the XDG rule, $XDG_CACHE_HOME else ~/.cache.
std::string cache_dir() {
  const char *xdg = g_getenv("XDG_CACHE_HOME");
  if (xdg && g_path_is_absolute(xdg))
    return xdg;
  return std::string(g_get_home_dir()) + "/.cache";
}

// The file's entries still within the period.
std::map<std::string, int64_t> read_file(int64_t now) {
  std::map<std::string, int64_t> entries;
  gchar *text = nullptr;
  if (!g_file_get_contents(pattern_rejections_path().c_str(), &text, nullptr, nullptr))
    return entries;
  std::istringstream lines(text);
  g_free(text);
  std::string key;
  int64_t when = 0;
  while (lines >> key >> when)
    if (key.size() == 64 && now - when < kPatternRejectionSeconds && when <= now)
      entries[key] = when;
  return entries;
}

void write_file(const std::map<std::string, int64_t> &entries) {
  std::string dir = cache_dir() + "/roborocksrc";
  if (g_mkdir_with_parents(dir.c_str(), 0700) != 0) {
    log_message(LogLevel::Warning, "cannot create " + dir +
                                       ": rejected patterns are "
                                       "remembered by this process only");
    return;
  }
  std::string text;
  for (const auto &entry : entries)
    text += entry.first + " " + std::to_string(entry.second) + "\n";
  GError *error = nullptr;
  if (!g_file_set_contents_full(pattern_rejections_path().c_str(), text.data(), gssize(text.size()),
                                G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error)) {
    log_message(LogLevel::Warning, std::string("cannot write the rejected patterns: ") +
                                       error->message + "; remembered by this process only");
    g_error_free(error);
  }
}

} // namespace

std::string pattern_rejections_path() {
  return cache_dir() + "/roborocksrc/rejected-patterns";
}

std::optional<int64_t> find_pattern_rejection(const std::string &duid, const std::string &local_key,
                                              const std::string &pattern) {
  if (pattern.empty())
    return std::nullopt;
  std::string key = rejection_key(duid, local_key, pattern);
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  std::lock_guard<std::mutex> lock(store_mutex());
  auto in_memory = remembered().find(key);
  if (in_memory != remembered().end())
    return in_memory->second;
  auto entries = read_file(now);
  auto in_file = entries.find(key);
  if (in_file == entries.end())
    return std::nullopt;
  return in_file->second;
}

void remember_pattern_rejection(const std::string &duid, const std::string &local_key,
                                const std::string &pattern) {
  if (pattern.empty())
    return;
  std::string key = rejection_key(duid, local_key, pattern);
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  std::lock_guard<std::mutex> lock(store_mutex());
  remembered()[key] = now;
  auto entries = read_file(now); // the expired ones drop out here
  entries[key] = now;
  write_file(entries);
}

} // namespace roborock
