/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Embedding roborocksrc in a C application: show the camera, follow the
 * session's progress, drive the robot forward for a moment, and handle errors.
 *
 *   roborock-view CREDENTIALS_FILE PATTERN [SECONDS]
 *
 * With SECONDS (e.g. in tests) it quits after that long and uses fakesink
 * instead of a window. Extra settings come from the environment:
 * ROBOROCK_DUID, ROBOROCK_TLS_CA_FILE (both optional).
 */
#include <stdlib.h>

#include <gst/gst.h>

typedef struct {
  GMainLoop *loop;
  GstElement *source;
  gboolean driven;
  int status;
} App;

static gboolean drive_forward(gpointer data) {
  App *app = data;
  gboolean accepted = FALSE;
  /* Enter remote control, then one move: 0.2 m/s straight on for 500 ms. */
  g_signal_emit_by_name(app->source, "rc-start", &accepted);
  if (accepted)
    g_signal_emit_by_name(app->source, "rc-move", 0.2, 0.0, 500u, &accepted);
  g_print("remote control: %s\n", accepted ? "moved forward" : "refused");
  return G_SOURCE_REMOVE;
}

static gboolean on_bus_message(GstBus *bus, GstMessage *message, gpointer data) {
  App *app = data;
  switch (GST_MESSAGE_TYPE(message)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(message);
    if (gst_structure_has_name(s, "roborock-state")) {
      const gchar *state = gst_structure_get_string(s, "state");
      g_print("session: %s\n", state);
      if (g_str_equal(state, "streaming") && !app->driven) {
        app->driven = TRUE;
        /* Signals that wait for the robot belong off the bus handler's way:
         * a short idle keeps this callback quick. */
        g_idle_add(drive_forward, app);
      }
    }
    break;
  }
  case GST_MESSAGE_ERROR: {
    GError *error = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(message, &error, &debug);
    /* e.g. GST_RESOURCE_ERROR_NOT_AUTHORIZED: wrong pattern, never retried */
    g_printerr("error (%s %d): %s\n", g_quark_to_string(error->domain), error->code,
               error->message);
    g_clear_error(&error);
    g_free(debug);
    app->status = 1;
    g_main_loop_quit(app->loop);
    break;
  }
  case GST_MESSAGE_WARNING: {
    GError *error = NULL;
    gst_message_parse_warning(message, &error, NULL);
    g_printerr("warning: %s\n", error->message);
    g_clear_error(&error);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean quit(gpointer data) {
  g_main_loop_quit(((App *)data)->loop);
  return G_SOURCE_REMOVE;
}

/* roborocksrc's "video" pad appears once the stream starts. */
static void on_source_pad(GstElement *source, GstPad *pad, GstElement *decode) {
  if (!g_str_equal(GST_PAD_NAME(pad), "video"))
    return; /* "audio" stays unlinked: harmless, it never stalls the video */
  GstPad *sink = gst_element_get_static_pad(decode, "sink");
  if (!gst_pad_is_linked(sink))
    gst_pad_link(pad, sink);
  gst_object_unref(sink);
}

static void on_decoded_pad(GstElement *decode, GstPad *pad, GstElement *convert) {
  GstPad *sink = gst_element_get_static_pad(convert, "sink");
  if (!gst_pad_is_linked(sink))
    gst_pad_link(pad, sink);
  gst_object_unref(sink);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  if (argc < 3) {
    g_printerr("usage: %s CREDENTIALS_FILE PATTERN [SECONDS]\n", argv[0]);
    return 2;
  }
  int seconds = argc > 3 ? atoi(argv[3]) : 0;
  App app = {g_main_loop_new(NULL, FALSE), NULL, FALSE, 0};

  GstElement *pipeline = gst_pipeline_new("viewer");
  app.source = gst_element_factory_make("roborocksrc", "camera");
  GstElement *decode = gst_element_factory_make("decodebin", NULL);
  GstElement *convert = gst_element_factory_make("videoconvert", NULL);
  GstElement *sink = gst_element_factory_make(seconds ? "fakesink" : "autovideosink", NULL);
  if (!app.source || !decode || !convert || !sink) {
    g_printerr("missing elements: is GST_PLUGIN_PATH set to roborocksrc's plugin?\n");
    return 2;
  }
  g_object_set(app.source, "credentials-file", argv[1], "password", argv[2], NULL);
  if (g_getenv("ROBOROCK_DUID"))
    g_object_set(app.source, "duid", g_getenv("ROBOROCK_DUID"), NULL);
  if (g_getenv("ROBOROCK_TLS_CA_FILE"))
    g_object_set(app.source, "tls-ca-file", g_getenv("ROBOROCK_TLS_CA_FILE"), NULL);

  gst_bin_add_many(GST_BIN(pipeline), app.source, decode, convert, sink, NULL);
  gst_element_link(convert, sink);
  g_signal_connect(app.source, "pad-added", G_CALLBACK(on_source_pad), decode);
  g_signal_connect(decode, "pad-added", G_CALLBACK(on_decoded_pad), convert);

  GstBus *bus = gst_element_get_bus(pipeline);
  gst_bus_add_watch(bus, on_bus_message, &app);
  gst_object_unref(bus);
  if (seconds)
    g_timeout_add_seconds(seconds, quit, &app);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    app.status = 1; /* the error message says why, e.g. missing credentials */
  else
    g_main_loop_run(app.loop);

  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  g_main_loop_unref(app.loop);
  return app.status;
}
