// SPDX-License-Identifier: LGPL-2.1-or-later
// What the simulated robot's camera sees: a rectangular room (four walls of
// distinct colours with vertical stripes, a door, windows, a tiled floor)
// drawn from the robot's pose by a column raycaster, straight into I420 so
// the encoder takes it without a conversion. Driving changes the picture,
// which makes remote control visible in a viewer's window and recordings.
//
// Pure: no GStreamer, no threads; SimMedia feeds it the pose and the frames.
#pragma once

#include <cstdint>
#include <vector>

namespace roborock::sim {

// The robot's pose as SimRobot integrates app_rc_move: metres from where it
// started, heading in radians (0 along +x, counter-clockwise).
struct Pose {
  double x = 0, y = 0, theta = 0;
  bool operator==(const Pose &other) const {
    return x == other.x && y == other.y && theta == other.theta;
  }
  bool operator!=(const Pose &other) const { return !(*this == other); }
};

// A writable I420 picture: Y, U, V planes (U and V at half resolution,
// rounded up) with their strides, as GstVideoFrame maps them.
struct I420Image {
  int width = 0, height = 0;
  uint8_t *planes[3] = {};
  int strides[3] = {};
};

struct Yuv {
  uint8_t y, u, v;
};

// The walls by the direction they face the start pose from: the robot
// starts looking at East (+x); North (+y) is on its left.
enum class Wall { East, North, West, South };
Yuv wall_colour(Wall wall); // unshaded, without stripes

// Draws the view from `pose` over the whole of `image`.
void draw_room_view(const Pose &pose, const I420Image &image);

// Keeps the last drawn frame, so a robot standing still costs a copy per
// frame rather than a drawing: the simulator shares its cores with the tests.
class RoomViewCache {
public:
  // Fills `image` with the view from `pose`, drawing only when the pose or
  // the picture size changed since the last call.
  void fill(const Pose &pose, const I420Image &image);
  unsigned draws() const { return draws_; }

private:
  std::vector<uint8_t> pixels_;
  I420Image drawn_; // points into pixels_
  Pose pose_;
  unsigned draws_ = 0;
};

} // namespace roborock::sim
