// SPDX-License-Identifier: LGPL-2.1-or-later
#include "required_elements.h"

#include <gst/pbutils/missing-plugins.h>

namespace roborock {
namespace {

struct Requirement {
  const char *element;
  const char *package;
};

std::optional<MissingElement> first_missing(std::initializer_list<Requirement> requirements) {
  for (const Requirement &r : requirements) {
    GstElementFactory *factory = gst_element_factory_find(r.element);
    if (!factory)
      return MissingElement{r.element, r.package};
    gst_object_unref(factory);
  }
  return std::nullopt;
}

constexpr const char *kBase = "gstreamer1.0-plugins-base";
constexpr const char *kGood = "gstreamer1.0-plugins-good";
constexpr const char *kBad = "gstreamer1.0-plugins-bad";

} // namespace

std::optional<MissingElement> missing_media_element(bool audio) {
  auto missing = first_missing({{"webrtcbin", kBad},
                                {"nicesrc", "gstreamer1.0-nice"},
                                {"nicesink", "gstreamer1.0-nice"},
                                {"dtlsdec", kBad},
                                {"srtpdec", kBad},
                                {"rtpbin", kGood},
                                {"rtph264depay", kGood},
                                {"h264parse", kBad}});
  if (missing || !audio)
    return missing;
  return first_missing({{"rtpopusdepay", kGood}, {"rtppcmudepay", kGood}, {"rtppcmadepay", kGood}});
}

std::optional<MissingElement> missing_talkback_element() {
  return first_missing({{"audioconvert", kBase},
                        {"audioresample", kBase},
                        {"audiotestsrc", kBase},
                        {"audiomixer", kBase},
                        {"opusenc", kBase},
                        {"rtpopuspay", kGood}});
}

void post_missing_element(GstElement *element, const MissingElement &missing) {
  gst_element_post_message(element,
                           gst_missing_element_message_new(element, missing.element.c_str()));
  GST_ELEMENT_ERROR(element, CORE, MISSING_PLUGIN,
                    ("%s is missing: install %s", missing.element.c_str(), missing.package.c_str()),
                    ("roborocksrc needs the %s element", missing.element.c_str()));
}

} // namespace roborock
