// SPDX-License-Identifier: LGPL-2.1-or-later
// The simulator's camera picture: the room seen from the robot's pose
// changes as it drives, and is drawn only when the pose changes.
#include <cmath>
#include <cstdlib>
#include <vector>

#include "room_view.h"
#include "test_macros.h"

using namespace roborock::sim;

namespace {

// An I420 buffer with padded rows, as video frames often have.
struct Frame {
  int width, height;
  std::vector<uint8_t> bytes;
  I420Image image;

  Frame(int w, int h) : width(w), height(h) {
    int luma_stride = w + 32, chroma_stride = (w + 1) / 2 + 16;
    size_t luma = size_t(luma_stride) * h, chroma = size_t(chroma_stride) * ((h + 1) / 2);
    bytes.assign(luma + 2 * chroma, 0);
    image = I420Image{w,
                      h,
                      {bytes.data(), bytes.data() + luma, bytes.data() + luma + chroma},
                      {luma_stride, chroma_stride, chroma_stride}};
  }
  uint8_t u(int column, int row) const {
    return image.planes[1][(row / 2) * image.strides[1] + column / 2];
  }
  uint8_t v(int column, int row) const {
    return image.planes[2][(row / 2) * image.strides[2] + column / 2];
  }
};

Frame draw(const Pose &pose, int width = 320, int height = 180) {
  Frame frame(width, height);
  draw_room_view(pose, frame.image);
  return frame;
}

// The wall whose hue is nearest this pixel's (shading keeps hues), or -1
// for pixels with little colour (floor, ceiling, skirting).
int wall_hue(const Frame &frame, int column, int row) {
  double u = frame.u(column, row) - 128.0, v = frame.v(column, row) - 128.0;
  if (std::hypot(u, v) < 12)
    return -1;
  int best = -1;
  double best_gap = 10;
  for (int wall = 0; wall < 4; wall++) {
    Yuv c = wall_colour(Wall(wall));
    double gap = std::fabs(
        std::remainder(std::atan2(v, u) - std::atan2(c.v - 128.0, c.u - 128.0), 2 * M_PI));
    if (gap < best_gap) {
      best_gap = gap;
      best = wall;
    }
  }
  return best;
}

// How many pixels of the centre column have each wall's hue.
std::vector<int> centre_column_walls(const Frame &frame) {
  std::vector<int> counts(4, 0);
  for (int row = 0; row < frame.height; row++) {
    int wall = wall_hue(frame, frame.width / 2, row);
    if (wall >= 0)
      counts[wall]++;
  }
  return counts;
}

Wall dominant_wall(const Frame &frame) {
  std::vector<int> counts = centre_column_walls(frame);
  int best = 0;
  for (int wall = 1; wall < 4; wall++)
    if (counts[wall] > counts[best])
      best = wall;
  return Wall(best);
}

bool same_pixels(const Frame &a, const Frame &b) {
  return a.bytes == b.bytes;
}

void test_poses_differ() {
  Pose poses[] = {{0, 0, 0}, {0, 0, 0.2}, {0.5, 0, 0}, {0, 0.5, 0}, {-1, 1, 2.5}};
  std::vector<Frame> frames;
  for (const Pose &pose : poses)
    frames.push_back(draw(pose));
  for (size_t i = 0; i < frames.size(); i++)
    for (size_t j = i + 1; j < frames.size(); j++)
      g_assert_false(same_pixels(frames[i], frames[j]));
  g_assert_true(same_pixels(draw(poses[2]), frames[2])); // deterministic
}

// Each quarter turn brings the next wall to the centre of the picture.
void test_turning_shows_each_wall() {
  struct Case {
    double theta;
    Wall wall;
  } cases[] = {
      {0, Wall::East}, {M_PI / 2, Wall::North}, {M_PI, Wall::West}, {-M_PI / 2, Wall::South}};
  for (const Case &c : cases) {
    Frame frame = draw(Pose{0, 0, c.theta});
    g_test_message("heading %.2f: centre column wall %d", c.theta, int(dominant_wall(frame)));
    g_assert_cmpint(int(dominant_wall(frame)), ==, int(c.wall));
  }
}

// Driving towards a wall makes it taller on the screen.
void test_closer_is_taller() {
  int far = centre_column_walls(draw(Pose{0, 0, 0}))[int(Wall::East)];
  int near = centre_column_walls(draw(Pose{3, 0, 0}))[int(Wall::East)];
  g_test_message("East wall: %d rows at 4.5 m, %d at 1.5 m", far, near);
  g_assert_cmpint(far, >, 10);
  g_assert_cmpint(near, >, far + 15);
}

// A pose through a wall (the simulated robot does not collide) is seen
// from just inside: still a picture, the same as at the wall.
void test_outside_the_room() {
  Frame outside = draw(Pose{40, 0, 0});
  g_assert_true(same_pixels(outside, draw(Pose{5, 0, 0})));
  g_assert_cmpint(int(dominant_wall(outside)), ==, int(Wall::East));
}

// Odd sizes: the chroma planes' last column and row are drawn too.
void test_odd_size() {
  Frame frame(33, 17);
  for (uint8_t &b : frame.bytes)
    b = 7; // never a drawn value
  draw_room_view(Pose{}, frame.image);
  for (int row = 0; row < 17; row++)
    g_assert_cmpint(frame.image.planes[0][row * frame.image.strides[0] + 32], !=, 7);
  for (int plane = 1; plane < 3; plane++)
    g_assert_cmpint(frame.image.planes[plane][8 * frame.image.strides[plane] + 16], !=, 7);
}

// The cache draws once per pose and size, and copies the same picture.
void test_cache_draws_on_change() {
  RoomViewCache cache;
  Frame first(320, 180), second(320, 180);
  cache.fill(Pose{1, 0, 0}, first.image);
  cache.fill(Pose{1, 0, 0}, second.image);
  g_assert_cmpuint(cache.draws(), ==, 1);
  g_assert_true(same_pixels(first, second));
  g_assert_true(same_pixels(first, draw(Pose{1, 0, 0})));
  cache.fill(Pose{1, 0, 0.1}, second.image);
  g_assert_cmpuint(cache.draws(), ==, 2);
  g_assert_true(same_pixels(second, draw(Pose{1, 0, 0.1})));
  Frame bigger(640, 360);
  cache.fill(Pose{1, 0, 0.1}, bigger.image);
  g_assert_cmpuint(cache.draws(), ==, 3);
  g_assert_true(same_pixels(bigger, draw(Pose{1, 0, 0.1}, 640, 360)));
}

} // namespace

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, nullptr);
  g_test_add_func("/room-view/poses-differ", test_poses_differ);
  g_test_add_func("/room-view/turning-shows-each-wall", test_turning_shows_each_wall);
  g_test_add_func("/room-view/closer-is-taller", test_closer_is_taller);
  g_test_add_func("/room-view/outside-the-room", test_outside_the_room);
  g_test_add_func("/room-view/odd-size", test_odd_size);
  g_test_add_func("/room-view/cache-draws-on-change", test_cache_draws_on_change);
  return g_test_run();
}
