// SPDX-License-Identifier: LGPL-2.1-or-later
// The GStreamer elements the element builds on, and the Debian package that
// has each: checked before a session starts (or a talkback pad is made), so a
// partial install is a CORE/MISSING_PLUGIN error naming what to install, not
// an abort when the first packet arrives.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include <gst/gst.h>

namespace roborock {

struct MissingElement {
  std::string element;
  std::string package; // e.g. gstreamer1.0-plugins-good
};

// The elements the media needs (`audio`: also the robot's Opus audio).
std::optional<MissingElement> missing_media_element(bool audio);
// The elements of the talk-back chain.
std::optional<MissingElement> missing_talkback_element();

// Posts CORE/MISSING_PLUGIN on `element`, and the missing-plugin message
// installers act on (as decodebin does).
void post_missing_element(GstElement *element, const MissingElement &missing);

} // namespace roborock
