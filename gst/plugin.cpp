/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <gst/gst.h>

#include "device_provider.h"
#include "gstroborocksrc.h"
#include "log.h"

GST_DEBUG_CATEGORY_STATIC(roborock_signaling_debug);

/* The signaling library logs through GStreamer's debug system. It never passes
 * secrets (see signaling/log.h). */
static void route_signaling_log(roborock::LogLevel level, const std::string &message) {
  GstDebugLevel gst_level = GST_LEVEL_TRACE;
  switch (level) {
  case roborock::LogLevel::Error:
    gst_level = GST_LEVEL_ERROR;
    break;
  case roborock::LogLevel::Warning:
    gst_level = GST_LEVEL_WARNING;
    break;
  case roborock::LogLevel::Info:
    gst_level = GST_LEVEL_INFO;
    break;
  case roborock::LogLevel::Debug:
    gst_level = GST_LEVEL_DEBUG;
    break;
  case roborock::LogLevel::Trace:
    gst_level = GST_LEVEL_TRACE;
    break;
  }
  GST_CAT_LEVEL_LOG(roborock_signaling_debug, gst_level, NULL, "%s", message.c_str());
}

static gboolean plugin_init(GstPlugin *plugin) {
  GST_DEBUG_CATEGORY_INIT(roborock_signaling_debug, "roborock-signaling", 0,
                          "Roborock MQTT signaling and camera session");
  roborock::set_log_handler(route_signaling_log);
  gboolean registered = GST_ELEMENT_REGISTER(roborocksrc, plugin);
  registered &= GST_DEVICE_PROVIDER_REGISTER(roborockdeviceprovider, plugin);
  return registered;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, roborock,
                  "Cameras of Roborock robot vacuums: live video, audio, talk-back, remote control",
                  plugin_init, PACKAGE_VERSION, "LGPL", PACKAGE, GST_PACKAGE_ORIGIN)
