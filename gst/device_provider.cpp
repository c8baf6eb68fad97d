/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "device_provider.h"

#include <string>

#include "credentials_file.h"

using roborock::AccountCredentials;
using roborock::DeviceRecord;

GST_DEBUG_CATEGORY_STATIC(roborock_device_provider_debug);
#define GST_CAT_DEFAULT roborock_device_provider_debug

/* What roborocksrc's pads give: H.264 video and the robot's audio. */
#define ROBOROCK_DEVICE_CAPS                                                                       \
  "video/x-h264, stream-format=(string)avc, alignment=(string)au; audio/x-opus"
/* Source and Network, so that `gst-device-monitor-1.0 Source/Network` lists them. */
#define ROBOROCK_DEVICE_CLASS "Video/Audio/Source/Network"

struct _GstRoborockDevice {
  GstDevice parent;
  gchar *credentials_file;
  gchar *duid; /* not a secret; the local key stays in the file */
};

G_DEFINE_TYPE(GstRoborockDevice, gst_roborock_device, GST_TYPE_DEVICE)

static GstElement *gst_roborock_device_create_element(GstDevice *device, const gchar *name) {
  GstRoborockDevice *self = GST_ROBOROCK_DEVICE(device);
  GstElement *element = gst_element_factory_make("roborocksrc", name);
  if (element)
    g_object_set(element, "credentials-file", self->credentials_file, "duid", self->duid, NULL);
  return element;
}

static void gst_roborock_device_finalize(GObject *object) {
  GstRoborockDevice *self = GST_ROBOROCK_DEVICE(object);
  g_free(self->credentials_file);
  g_free(self->duid);
  G_OBJECT_CLASS(gst_roborock_device_parent_class)->finalize(object);
}

static void gst_roborock_device_class_init(GstRoborockDeviceClass *klass) {
  GST_DEVICE_CLASS(klass)->create_element = gst_roborock_device_create_element;
  G_OBJECT_CLASS(klass)->finalize = gst_roborock_device_finalize;
}

static void gst_roborock_device_init(GstRoborockDevice *) {}

/* "roborock.camera" is what home data's feature flags say (protocol
 * reference §10): "yes", or "unknown" when the record has no flags (Home
 * Assistant's older stores, shared robots); the robot's own answer to the
 * preview tells then. Robots whose flags say "no" are not listed. */
static GstDevice *make_device(const DeviceRecord &record, const std::string &file) {
  GstCaps *caps = gst_caps_from_string(ROBOROCK_DEVICE_CAPS);
  GstStructure *properties =
      gst_structure_new("roborock-device", "roborock.duid", G_TYPE_STRING, record.duid.c_str(),
                        "roborock.model", G_TYPE_STRING, record.model.c_str(), "roborock.shared",
                        G_TYPE_BOOLEAN, gboolean(record.shared), "roborock.camera", G_TYPE_STRING,
                        roborock::camera_support_name(record.camera), "roborock.credentials-file",
                        G_TYPE_STRING, file.c_str(), NULL);
  std::string name = record.name.empty() ? record.duid : record.name;
  GstRoborockDevice *device = GST_ROBOROCK_DEVICE(
      g_object_new(GST_TYPE_ROBOROCK_DEVICE, "display-name", name.c_str(), "caps", caps,
                   "device-class", ROBOROCK_DEVICE_CLASS, "properties", properties, NULL));
  device->credentials_file = g_strdup(file.c_str());
  device->duid = g_strdup(record.duid.c_str());
  gst_caps_unref(caps);
  gst_structure_free(properties);
  return GST_DEVICE(device);
}

struct _GstRoborockDeviceProvider {
  GstDeviceProvider parent;
};

G_DEFINE_TYPE(GstRoborockDeviceProvider, gst_roborock_device_provider, GST_TYPE_DEVICE_PROVIDER)

/* A missing file lists nothing (no login yet); a broken one is logged. */
static GList *gst_roborock_device_provider_probe(GstDeviceProvider *) {
  std::string file = roborock::default_credentials_path();
  if (!g_file_test(file.c_str(), G_FILE_TEST_EXISTS)) {
    GST_INFO("no credentials file at %s: no robots to list", file.c_str());
    return nullptr;
  }
  auto account = roborock::load_credentials_file(file, "");
  if (!account) {
    GST_WARNING("%s", account.error().message.c_str());
    return nullptr;
  }
  GList *devices = nullptr;
  for (const DeviceRecord &record : account->devices) {
    if (record.camera == roborock::CameraSupport::No) {
      GST_INFO("%s (%s) has no camera: not listed", record.name.c_str(), record.duid.c_str());
      continue;
    }
    devices = g_list_append(devices, gst_object_ref_sink(make_device(record, file)));
  }
  return devices;
}

static void gst_roborock_device_provider_class_init(GstRoborockDeviceProviderClass *klass) {
  GST_DEBUG_CATEGORY_INIT(roborock_device_provider_debug, "roborockdeviceprovider", 0,
                          "Roborock device provider");
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS(klass);
  provider_class->probe = gst_roborock_device_provider_probe;
  gst_device_provider_class_set_static_metadata(
      provider_class, "Roborock robot camera provider", "Source/Video/Audio/Network",
      "Lists the robots of the roborock-login credentials file", "roborocksrc developers");
}

static void gst_roborock_device_provider_init(GstRoborockDeviceProvider *) {}

GST_DEVICE_PROVIDER_REGISTER_DEFINE(roborockdeviceprovider, "roborockdeviceprovider",
                                    GST_RANK_MARGINAL, GST_TYPE_ROBOROCK_DEVICE_PROVIDER);
