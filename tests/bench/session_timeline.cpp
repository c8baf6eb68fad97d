// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session_timeline.h"

#include <cstring>

#define GST_USE_UNSTABLE_API // webrtcbin 1.22 marks its library so
#include <gst/webrtc/webrtc.h>

namespace roborock::bench {

namespace {

// The log lines that make the timeline, and how each is shown.
struct LogPattern {
  const char *category, *contains, *label;
};
constexpr LogPattern kPatterns[] = {
    {"roborock-signaling", ": connecting", "MQTT connect started"},
    {"roborock-signaling", ": connected", "MQTT connected (CONNACK)"},
    {"roborock-signaling", " -> ", nullptr}, // "rpc 12 -> start_camera_preview"
    {"roborock-signaling", " <- ", nullptr},
    {"roborocksrc", "offer of ", "offer created"},
    {"roborocksrc", "the robot's answer sends", "answer applied"},
};

// "rpc 12 -> method" -> "-> method"; "rpc 12 <- method: reply" -> "<- method".
std::string rpc_label(const char *text) {
  const char *arrow = strstr(text, " -> ");
  if (!arrow)
    arrow = strstr(text, " <- ");
  std::string label = arrow + 1;
  size_t colon = label.find(':');
  return colon == std::string::npos ? label : label.substr(0, colon);
}

} // namespace

void SessionTimeline::begin(gint64 start_us) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    start_us_ = start_us;
    marks_.clear();
    recording_ = true;
  }
  gst_debug_set_threshold_for_name("roborock-signaling", GST_LEVEL_DEBUG);
  gst_debug_set_threshold_for_name("roborocksrc", GST_LEVEL_DEBUG);
  gst_debug_remove_log_function(gst_debug_log_default);
  gst_debug_add_log_function(on_log, this, nullptr);
}

void SessionTimeline::end() {
  gst_debug_remove_log_function(on_log);
  gst_debug_add_log_function(gst_debug_log_default, nullptr, nullptr);
  gst_debug_unset_threshold_for_name("roborock-signaling");
  gst_debug_unset_threshold_for_name("roborocksrc");
  std::lock_guard<std::mutex> lock(mutex_);
  recording_ = false;
}

void SessionTimeline::mark(const std::string &what) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (recording_)
    marks_.push_back({(g_get_monotonic_time() - start_us_) / 1000.0, what});
}

std::vector<SessionTimeline::Mark> SessionTimeline::marks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return marks_;
}

double SessionTimeline::first(const std::string &prefix) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Mark &m : marks_)
    if (m.what.compare(0, prefix.size(), prefix) == 0)
      return m.ms;
  return -1;
}

void SessionTimeline::on_log(GstDebugCategory *category, GstDebugLevel level, const gchar *,
                             const gchar *, gint, GObject *, GstDebugMessage *message,
                             gpointer self) {
  if (level > GST_LEVEL_DEBUG)
    return;
  const char *name = gst_debug_category_get_name(category);
  for (const LogPattern &p : kPatterns) {
    if (strcmp(name, p.category) != 0)
      continue;
    const char *text = gst_debug_message_get(message);
    if (text && strstr(text, p.contains)) {
      static_cast<SessionTimeline *>(self)->mark(p.label ? p.label : rpc_label(text));
      return;
    }
  }
}

void SessionTimeline::watch(GstElement *pipeline) {
  g_signal_connect(pipeline, "deep-element-added", G_CALLBACK(on_element_added), this);
}

void SessionTimeline::on_element_added(GstBin *, GstBin *, GstElement *element, gpointer data) {
  auto *self = static_cast<SessionTimeline *>(data);
  GstElementFactory *factory = gst_element_get_factory(element);
  const char *kind = factory ? GST_OBJECT_NAME(factory) : "";
  if (strcmp(kind, "webrtcbin") == 0) {
    auto on_state = +[](GObject *webrtc, GParamSpec *spec, gpointer data) {
      int state = 0;
      g_object_get(webrtc, spec->name, &state, nullptr);
      auto *timeline = static_cast<SessionTimeline *>(data);
      // The peer connection is connected once DTLS is, over ICE.
      if (strcmp(spec->name, "ice-connection-state") == 0) {
        // Straight to "completed" when the last check ends with the first.
        if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
            (state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED &&
             timeline->first("ICE connected") < 0))
          timeline->mark("ICE connected");
      } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
        timeline->mark("DTLS done (peer connected)");
      }
    };
    g_signal_connect(element, "notify::ice-connection-state", G_CALLBACK(on_state), self);
    g_signal_connect(element, "notify::connection-state", G_CALLBACK(on_state), self);
    g_signal_connect(element, "pad-added",
                     G_CALLBACK(+[](GstElement *, GstPad *pad, gpointer data) {
                       auto *timeline = static_cast<SessionTimeline *>(data);
                       gchar *name = gst_pad_get_name(pad);
                       timeline->mark(std::string("first RTP (") + name + ")");
                       g_free(name);
                     }),
                     self);
  } else if (strcmp(kind, "rtph264depay") == 0) {
    GstPad *src = gst_element_get_static_pad(element, "src");
    gst_pad_add_probe(
        src, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad *, GstPadProbeInfo *info, gpointer data) {
          if (GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT))
            return GST_PAD_PROBE_OK;
          static_cast<SessionTimeline *>(data)->mark("first keyframe depayloaded");
          return GST_PAD_PROBE_REMOVE;
        },
        self, nullptr);
    gst_object_unref(src);
  }
}

} // namespace roborock::bench
