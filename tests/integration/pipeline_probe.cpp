// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pipeline_probe.h"

#include <cstdlib>

#include <gst/audio/audio.h>
#include <gst/video/video.h>

namespace roborock::test {

PadProbe::~PadProbe() {
  if (pad_) {
    gst_pad_remove_probe(pad_, id_);
    gst_pad_remove_probe(pad_, event_id_);
    gst_object_unref(pad_);
  }
}

void PadProbe::attach(GstPad *pad) {
  pad_ = GST_PAD(gst_object_ref(pad));
  id_ = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_data, this, nullptr);
  event_id_ = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_event, this, nullptr);
}

GstPadProbeReturn PadProbe::on_event(GstPad *, GstPadProbeInfo *info, gpointer data) {
  auto *self = static_cast<PadProbe *>(data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_GAP)
    return GST_PAD_PROBE_OK;
  GstClockTime timestamp, duration;
  gst_event_parse_gap(event, &timestamp, &duration);
  self->gaps_++;
  if (timestamp < self->last_pts_)
    self->pts_backwards_++;
  else
    self->last_pts_ = timestamp;
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn PadProbe::on_data(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  auto *self = static_cast<PadProbe *>(data);
  gint64 none = 0;
  self->first_us_.compare_exchange_strong(none, g_get_monotonic_time());
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (caps) {
    GstStructure *s = gst_caps_get_structure(caps, 0);
    int value;
    if (gst_structure_get_int(s, "width", &value))
      self->width_ = value;
    if (gst_structure_get_int(s, "height", &value))
      self->height_ = value;
    if (gst_structure_get_int(s, "channels", &value))
      self->channels_ = value;
    if (gst_structure_get_int(s, "rate", &value))
      self->rate_ = value;
    const char *format = gst_structure_get_string(s, "format");
    if (g_str_has_prefix(gst_structure_get_name(s), "audio/x-raw") &&
        g_strcmp0(format, "S16LE") == 0) {
      GstMapInfo map;
      GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
      if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
        auto *samples = reinterpret_cast<const gint16 *>(map.data);
        int peak = self->peak_;
        for (gsize i = 0; i < map.size / 2; i++)
          peak = std::max(peak, std::abs(int(samples[i])));
        self->peak_ = peak;
        gst_buffer_unmap(buffer, &map);
      }
    }
    gst_caps_unref(caps);
  }
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (self->buffers_ == 0)
    self->first_keyframe_ = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  if (GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DISCONT))
    self->disconts_++;
  if (!GST_BUFFER_PTS_IS_VALID(buffer))
    self->untimestamped_++;
  else if (GST_BUFFER_PTS(buffer) < self->last_pts_)
    self->pts_backwards_++;
  else
    self->last_pts_ = GST_BUFFER_PTS(buffer);
  self->buffers_++;
  return GST_PAD_PROBE_OK;
}

Pipeline::Pipeline(const std::string &description) {
  GError *error = nullptr;
  pipeline_ = gst_parse_launch(description.c_str(), &error);
  if (!pipeline_ || error)
    g_error("pipeline \"%s\" does not parse: %s", description.c_str(),
            error ? error->message : "?");
  bus_ = gst_element_get_bus(pipeline_);
}

Pipeline::Pipeline(GstElement *pipeline) : pipeline_(pipeline) {
  bus_ = gst_element_get_bus(pipeline_);
}

Pipeline::~Pipeline() {
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  for (GstMessage *message : messages_)
    gst_message_unref(message);
  gst_object_unref(bus_);
  gst_object_unref(pipeline_);
}

GstElement *Pipeline::element(const char *name) const {
  GstElement *found = gst_bin_get_by_name(GST_BIN(pipeline_), name);
  if (!found)
    g_error("no element %s", name);
  gst_object_unref(found); // the pipeline keeps it alive
  return found;
}

GstStateChangeReturn Pipeline::set_state(GstState state) {
  return gst_element_set_state(pipeline_, state);
}

void Pipeline::drain(unsigned timeout_ms) {
  GstMessage *message = gst_bus_timed_pop(bus_, GstClockTime(timeout_ms) * GST_MSECOND);
  while (message) {
    // Only what tests look at: a message holds its source, and keeping every
    // state change and stream status would keep every webrtcbin a restart
    // replaced alive (the soak benchmark once counted those as leaks).
    if (GST_MESSAGE_TYPE(message) &
        (GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS))
      messages_.push_back(message);
    else
      gst_message_unref(message);
    message = gst_bus_pop(bus_);
  }
}

GstMessage *Pipeline::wait_message(const std::function<bool(GstMessage *)> &match,
                                   unsigned timeout_ms) {
  gint64 deadline = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  size_t checked = 0;
  while (true) {
    for (; checked < messages_.size(); checked++)
      if (match(messages_[checked]))
        return messages_[checked];
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    if (left <= 0)
      return nullptr;
    drain(unsigned(std::min<gint64>(left, 50)));
  }
}

GstMessage *Pipeline::wait_error(unsigned timeout_ms) {
  return wait_message([](GstMessage *m) { return GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR; },
                      timeout_ms);
}

std::vector<GstMessage *> Pipeline::messages() {
  return messages_;
}

std::vector<GstMessage *> Pipeline::errors() {
  drain(0);
  std::vector<GstMessage *> out;
  for (GstMessage *message : messages_)
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
      out.push_back(message);
  return out;
}

std::vector<std::string> Pipeline::roborock_states() {
  drain(0);
  std::vector<std::string> out;
  for (GstMessage *message : messages_) {
    const GstStructure *s = gst_message_get_structure(message);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ELEMENT && s &&
        gst_structure_has_name(s, "roborock-state"))
      out.push_back(gst_structure_get_string(s, "state"));
  }
  return out;
}

void Pipeline::forget_messages() {
  drain(0);
  for (GstMessage *message : messages_)
    gst_message_unref(message);
  messages_.clear();
}

bool Pipeline::wait_until(const std::function<bool()> &condition, unsigned timeout_ms) {
  gint64 deadline = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  while (!condition()) {
    if (g_get_monotonic_time() > deadline)
      return false;
    drain(20);
  }
  return true;
}

ErrorInfo parse_error(GstMessage *message) {
  ErrorInfo info;
  GError *error = nullptr;
  gchar *debug = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
    gst_message_parse_error(message, &error, &debug);
  else
    gst_message_parse_warning(message, &error, &debug);
  info.domain = error->domain;
  info.code = error->code;
  info.text = error->message;
  info.source = GST_OBJECT_NAME(GST_MESSAGE_SRC(message));
  g_error_free(error);
  g_free(debug);
  return info;
}

} // namespace roborock::test
