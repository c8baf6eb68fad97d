/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * roborocksrc: live video and audio from camera-equipped Roborock robot
 * vacuums, talk-back audio and remote control.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_ROBOROCK_SRC (gst_roborock_src_get_type())
G_DECLARE_FINAL_TYPE(GstRoborockSrc, gst_roborock_src, GST, ROBOROCK_SRC, GstBin)

#define GST_TYPE_ROBOROCK_SRC_QUALITY (gst_roborock_src_quality_get_type())
GType gst_roborock_src_quality_get_type(void);

/* The values of the session's VideoQuality, so one cast converts. */
typedef enum {
  GST_ROBOROCK_SRC_QUALITY_HD = 0,
  GST_ROBOROCK_SRC_QUALITY_SD = 1,
} GstRoborockSrcQuality;

GST_ELEMENT_REGISTER_DECLARE(roborocksrc);

G_END_DECLS
