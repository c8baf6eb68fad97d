// SPDX-License-Identifier: LGPL-2.1-or-later
#include "room_view.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace roborock::sim {

namespace {

// The room, in the pose's frame: 6 m by 4 m, the start pose 4.5 m from the
// East wall it faces and off-centre, so every turn shows something different.
constexpr double kMinX = -1.5, kMaxX = 4.5, kMinY = -2.0, kMaxY = 2.0;
constexpr double kWallHeight = 2.4;
// The camera: higher than a real robot's (about 0.1 m), so the floor, whose
// tiles show motion best, fills more of the picture.
constexpr double kCameraHeight = 0.2;
// Wide, as robot cameras are; and level, with the horizon mid-picture, so
// the far walls' tops (the room's outline) stay in view.
constexpr double kFieldOfView = 90 * M_PI / 180; // horizontal
constexpr double kHorizon = 0.5;                 // row, as a fraction of the height
constexpr double kStripe = 0.5;                  // wall stripes and floor tiles, metres
constexpr double kSkirting = 0.08;
constexpr double kMargin = 0.05; // the simulated robot has no bumper: the
                                 // camera stays this far inside the walls

// BT.601 limited range, integer-rounded at compile time. (720p streams are
// BT.709 by GStreamer's defaults; the hue shift is too small to matter.)
constexpr uint8_t clamp_byte(double value) {
  return uint8_t(value < 0 ? 0 : value > 255 ? 255 : value + 0.5);
}
constexpr Yuv rgb(int r, int g, int b) {
  return Yuv{clamp_byte(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
             clamp_byte(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255),
             clamp_byte(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255)};
}

constexpr Yuv kCeiling = rgb(226, 224, 214);
constexpr Yuv kSkirtingColour = rgb(236, 236, 232);
constexpr Yuv kTiles[2] = {rgb(178, 178, 172), rgb(96, 96, 100)}; // grey: no hue of a wall's
constexpr Yuv kWalls[4] = {rgb(200, 60, 60), rgb(70, 170, 80), rgb(60, 100, 210),
                           rgb(225, 195, 60)};

// Doors and windows: a span `from`..`to` along the wall (its x or y) and
// `bottom`..`top` above the floor.
struct Feature {
  Wall wall;
  double from, to, bottom, top;
  Yuv colour;
};
constexpr Feature kFeatures[] = {
    {Wall::East, 0.3, 1.2, 0.0, 2.0, rgb(100, 62, 34)},    // door
    {Wall::North, 0.4, 1.8, 0.9, 1.9, rgb(150, 205, 240)}, // window
    {Wall::West, -0.7, 0.7, 0.9, 1.9, rgb(150, 205, 240)}, // window
    {Wall::South, 0.8, 2.6, 0.0, 0.6, rgb(70, 70, 80)},    // low cupboard
};

// Scales a colour's brightness and saturation together (as scaling R, G
// and B would), for distance and stripes.
Yuv shade(Yuv c, double factor) {
  return Yuv{clamp_byte(16 + (c.y - 16) * factor), clamp_byte(128 + (c.u - 128) * factor),
             clamp_byte(128 + (c.v - 128) * factor)};
}

// Farther is darker: a cheap depth cue.
double distance_shade(double depth) {
  return std::clamp(1.05 - 0.07 * depth, 0.55, 1.0);
}

// The pose as a pinhole camera. A ray per column goes along
// forward + right * k, so the distance along it is the depth (no fish-eye).
struct Camera {
  double x, y;
  double forward_x, forward_y, right_x, right_y;
  double focal;   // pixels
  double horizon; // row
  int width, height;
};

Camera make_camera(const Pose &pose, int width, int height) {
  Camera camera;
  camera.x = std::clamp(pose.x, kMinX + kMargin, kMaxX - kMargin);
  camera.y = std::clamp(pose.y, kMinY + kMargin, kMaxY - kMargin);
  camera.forward_x = std::cos(pose.theta);
  camera.forward_y = std::sin(pose.theta);
  camera.right_x = camera.forward_y; // clockwise from forward
  camera.right_y = -camera.forward_x;
  camera.focal = 0.5 * width / std::tan(kFieldOfView / 2);
  camera.horizon = kHorizon * height;
  camera.width = width;
  camera.height = height;
  return camera;
}

struct Hit {
  Wall wall;
  double depth; // along the ray
  double along; // the x or y coordinate on the wall
};

// The nearest wall from inside the room: the smaller of the steps to the
// x wall and the y wall the ray heads for.
Hit cast(double x, double y, double dx, double dy) {
  double tx = dx > 0 ? (kMaxX - x) / dx : dx < 0 ? (kMinX - x) / dx : HUGE_VAL;
  double ty = dy > 0 ? (kMaxY - y) / dy : dy < 0 ? (kMinY - y) / dy : HUGE_VAL;
  if (tx < ty)
    return Hit{dx > 0 ? Wall::East : Wall::West, tx, y + tx * dy};
  return Hit{dy > 0 ? Wall::North : Wall::South, ty, x + ty * dx};
}

// One screen column, top to bottom: ceiling, wall (with a door or window
// band in it, if any), skirting (unless a door covers it), floor. Rows are
// [top, bottom).
struct Column {
  int wall_top, feature_top, feature_bottom, skirting_top, floor_top;
  Yuv wall, feature, skirting;
  double ray_x, ray_y; // the ray per metre of depth, for the floor
};

// The row where a point `height` above the floor at `depth` appears.
int row_at(const Camera &camera, double height, double depth) {
  double row = camera.horizon - (height - kCameraHeight) * camera.focal / depth;
  return int(std::clamp(std::ceil(row - 0.5), 0.0, double(camera.height)));
}

const Feature *feature_at(const Hit &hit) {
  for (const Feature &feature : kFeatures)
    if (feature.wall == hit.wall && hit.along >= feature.from && hit.along < feature.to)
      return &feature;
  return nullptr;
}

// The column's rows and colours for the wall the ray hit.
void set_wall(const Camera &camera, const Hit &hit, Column &out) {
  double depth = std::max(hit.depth, 0.01);
  double light = distance_shade(depth);
  bool stripe = int(std::floor(hit.along / kStripe)) % 2 != 0;
  out.wall = shade(kWalls[int(hit.wall)], light * (stripe ? 0.85 : 1.0));
  out.skirting = shade(kSkirtingColour, light);
  out.wall_top = row_at(camera, kWallHeight, depth);
  out.skirting_top = row_at(camera, kSkirting, depth);
  out.floor_top = row_at(camera, 0, depth);
  out.feature_top = out.feature_bottom = out.floor_top; // none
  if (const Feature *feature = feature_at(hit)) {
    out.feature = shade(feature->colour, light);
    out.feature_top = row_at(camera, feature->top, depth);
    out.feature_bottom = row_at(camera, feature->bottom, depth);
  }
}

Column view_column(const Camera &camera, int column) {
  double k = (column + 0.5 - camera.width / 2.0) / camera.focal;
  Column out;
  out.ray_x = camera.forward_x + camera.right_x * k;
  out.ray_y = camera.forward_y + camera.right_y * k;
  set_wall(camera, cast(camera.x, camera.y, out.ray_x, out.ray_y), out);
  return out;
}

// What a floor row needs: its depth (all its pixels share it) and the two
// tile colours shaded for it.
struct FloorRow {
  double depth;
  Yuv tiles[2];
};

FloorRow floor_row(const Camera &camera, int row) {
  double below = row + 0.5 - camera.horizon;
  FloorRow out;
  out.depth = below > 0 ? kCameraHeight * camera.focal / below : HUGE_VAL;
  double light = distance_shade(out.depth);
  out.tiles[0] = shade(kTiles[0], light);
  out.tiles[1] = shade(kTiles[1], light);
  return out;
}

Yuv floor_at(const Camera &camera, const Column &column, const FloorRow &floor) {
  double x = camera.x + column.ray_x * floor.depth;
  double y = camera.y + column.ray_y * floor.depth;
  long tile = long(std::floor(x / kStripe)) + long(std::floor(y / kStripe));
  return floor.tiles[tile & 1];
}

Yuv pixel(const Camera &camera, const Column &column, const FloorRow &floor, int row) {
  if (row < column.wall_top)
    return kCeiling;
  if (row >= column.floor_top)
    return floor_at(camera, column, floor);
  if (row >= column.feature_top && row < column.feature_bottom)
    return column.feature;
  return row >= column.skirting_top ? column.skirting : column.wall;
}

// A row of luma, and on even rows the chroma of each 2x2 block, taken from
// its top-left pixel.
void draw_row(const Camera &camera, const std::vector<Column> &columns, int row,
              const I420Image &image) {
  FloorRow floor = floor_row(camera, row);
  uint8_t *luma = image.planes[0] + size_t(row) * image.strides[0];
  bool chroma = row % 2 == 0;
  uint8_t *u = image.planes[1] + size_t(row / 2) * image.strides[1];
  uint8_t *v = image.planes[2] + size_t(row / 2) * image.strides[2];
  for (int c = 0; c < image.width; c++) {
    Yuv colour = pixel(camera, columns[c], floor, row);
    luma[c] = colour.y;
    if (chroma && c % 2 == 0) {
      u[c / 2] = colour.u;
      v[c / 2] = colour.v;
    }
  }
}

void copy_plane(const uint8_t *from, int from_stride, uint8_t *to, int to_stride, int width,
                int rows) {
  for (int row = 0; row < rows; row++)
    std::memcpy(to + size_t(row) * to_stride, from + size_t(row) * from_stride, size_t(width));
}

void copy_image(const I420Image &from, const I420Image &to) {
  copy_plane(from.planes[0], from.strides[0], to.planes[0], to.strides[0], from.width, from.height);
  for (int plane = 1; plane < 3; plane++)
    copy_plane(from.planes[plane], from.strides[plane], to.planes[plane], to.strides[plane],
               (from.width + 1) / 2, (from.height + 1) / 2);
}

} // namespace

Yuv wall_colour(Wall wall) {
  return kWalls[int(wall)];
}

void draw_room_view(const Pose &pose, const I420Image &image) {
  Camera camera = make_camera(pose, image.width, image.height);
  std::vector<Column> columns(size_t(std::max(image.width, 0)));
  for (int c = 0; c < image.width; c++)
    columns[c] = view_column(camera, c);
  for (int row = 0; row < image.height; row++)
    draw_row(camera, columns, row, image);
}

void RoomViewCache::fill(const Pose &pose, const I420Image &image) {
  bool same_size = drawn_.width == image.width && drawn_.height == image.height;
  if (draws_ == 0 || !same_size || pose != pose_) {
    int chroma_width = (image.width + 1) / 2, chroma_height = (image.height + 1) / 2;
    size_t luma = size_t(image.width) * image.height;
    size_t chroma = size_t(chroma_width) * chroma_height;
    pixels_.resize(luma + 2 * chroma);
    drawn_ = I420Image{image.width,
                       image.height,
                       {pixels_.data(), pixels_.data() + luma, pixels_.data() + luma + chroma},
                       {image.width, chroma_width, chroma_width}};
    draw_room_view(pose, drawn_);
    pose_ = pose;
    draws_++;
  }
  copy_image(drawn_, image);
}

} // namespace roborock::sim
