// SPDX-License-Identifier: LGPL-2.1-or-later
// Small helpers shared by the unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <glib.h>

#include "test_macros.h"

#include "json_util.h"

namespace roborock::test {

inline std::vector<uint8_t> from_hex(const std::string &hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::string data_path(const char *relative) {
  g_autofree char *path = g_build_filename(ROBOROCK_TEST_DATA_DIR, relative, nullptr);
  return path;
}

// The golden vectors file, parsed.
inline JsonNodePtr load_vectors() {
  g_autofree char *text = nullptr;
  gsize size = 0;
  std::string path = data_path("vectors/roborock-v1-frames.json");
  if (!g_file_get_contents(path.c_str(), &text, &size, nullptr))
    g_error("cannot read %s", path.c_str());
  auto root = parse_json(std::string_view(text, size), "vectors");
  if (!root)
    g_error("vectors: %s", root.error().message.c_str());
  return root.value();
}

inline JsonArray *vector_array(const JsonNodePtr &root, const char *name) {
  return json_object_get_array_member(json_node_get_object(root.get()), name);
}

// The plaintext payload of the golden frame named `name`.
inline std::string vector_payload(const char *name) {
  static JsonNodePtr root = load_vectors();
  JsonArray *frames = vector_array(root, "frames");
  for (guint i = 0; i < json_array_get_length(frames); i++) {
    JsonObject *f = json_array_get_object_element(frames, i);
    if (g_strcmp0(json_object_get_string_member(f, "name"), name) == 0)
      return json_object_get_string_member(f, "payload");
  }
  g_error("no vector %s", name);
}

} // namespace roborock::test
