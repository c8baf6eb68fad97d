/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The robots of the login tool's credentials file (or $ROBOROCK_CREDENTIALS)
 * as GstDevices: gst-device-monitor-1.0 Source/Network lists them and
 * gst_device_create_element() gives a configured roborocksrc. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_ROBOROCK_DEVICE_PROVIDER (gst_roborock_device_provider_get_type())
G_DECLARE_FINAL_TYPE(GstRoborockDeviceProvider, gst_roborock_device_provider, GST,
                     ROBOROCK_DEVICE_PROVIDER, GstDeviceProvider)

#define GST_TYPE_ROBOROCK_DEVICE (gst_roborock_device_get_type())
G_DECLARE_FINAL_TYPE(GstRoborockDevice, gst_roborock_device, GST, ROBOROCK_DEVICE, GstDevice)

GST_DEVICE_PROVIDER_REGISTER_DECLARE(roborockdeviceprovider);

G_END_DECLS
