#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Embedding roborocksrc in a Python application (PyGObject): show the camera,
talk back with a tone, follow the session, send a command and read the stats.

    roborock_view.py CREDENTIALS_FILE PATTERN [SECONDS]

With SECONDS (e.g. in tests) it quits after that long and uses fakesink
instead of a window. ROBOROCK_DUID and ROBOROCK_TLS_CA_FILE are optional.
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    Gst.init(None)
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    credentials, pattern = sys.argv[1], sys.argv[2]
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    video_sink = "fakesink" if seconds else "autovideosink"

    # Named pads: video to the screen, a quiet tone to the robot's speaker.
    pipeline = Gst.parse_launch(
        "roborocksrc name=camera camera.video ! decodebin ! videoconvert ! "
        f"{video_sink} audiotestsrc is-live=true wave=sine volume=0.2 ! camera.talkback")
    camera = pipeline.get_by_name("camera")
    camera.set_property("credentials-file", credentials)
    camera.set_property("password", pattern)
    for name, prop in (("ROBOROCK_DUID", "duid"), ("ROBOROCK_TLS_CA_FILE", "tls-ca-file")):
        if os.environ.get(name):
            camera.set_property(prop, os.environ[name])

    loop = GLib.MainLoop()
    status = {"code": 0}

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ELEMENT:
            structure = message.get_structure()
            if structure.get_name() == "roborock-state":
                state = structure.get_string("state")
                print("session:", state, flush=True)
                if state == "streaming":
                    GLib.idle_add(ask_robot)
        elif message.type == Gst.MessageType.ERROR:
            error, _debug = message.parse_error()
            print(f"error ({error.domain} {error.code}): {error.message}", flush=True)
            status["code"] = 1
            loop.quit()
        return True

    def ask_robot():
        # Any command, with its reply as JSON (None and a warning on failure).
        reply = camera.emit("send-command", "get_homesec_connect_status", None)
        print("connect status:", reply, flush=True)
        return False

    def report_and_quit():
        stats = camera.get_property("stats")
        print("stats: video-frames={} talkback-frames={} state={}".format(
            stats.get_value("video-frames"), stats.get_value("talkback-frames"),
            stats.get_string("state")), flush=True)
        loop.quit()
        return False

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    if seconds:
        GLib.timeout_add_seconds(seconds, report_and_quit)
    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        status["code"] = 1
    else:
        loop.run()
    pipeline.set_state(Gst.State.NULL)
    return status["code"]


if __name__ == "__main__":
    sys.exit(main())
