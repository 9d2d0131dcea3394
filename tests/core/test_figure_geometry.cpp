// The figure geometry trajplot sizes cell text and stacked panels by.
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "figure_geometry.hpp"

namespace {

namespace geometry = trajplot::geometry;

TEST(CellTextSize, IsPlotlysRuleAppliedToTheVisibleLength) {
    // 13 code points ("<|endoftext|>") in an 80 px column: 80 / (13 x 0.65)
    // = 9.47, so 9 px; the same label as plotly.js measures it
    // ("<b>&lt;|endoftext|&gt;</b>", 26) would get 4 px.
    EXPECT_EQ(geometry::cell_text_size(13, 80, 20), 9);
    EXPECT_EQ(geometry::cell_text_size(26, 80, 20), 6);  // the floor
}

TEST(CellTextSize, IsCappedAtPlotlysDefaultFontSize) {
    EXPECT_EQ(geometry::cell_text_size(1, 500, 500), 12);
    EXPECT_EQ(geometry::cell_text_size(0, 500, 500), 12);
}

TEST(CellTextSize, FollowsTheRowHeight) {
    // A line is 1.3 font sizes tall.
    EXPECT_EQ(geometry::cell_text_size(3, 500, 13), 10);
    EXPECT_EQ(geometry::cell_text_size(3, 500, 10.4), 8);
}

TEST(CellTextSize, NeverGoesBelowTheFloor) {
    EXPECT_EQ(geometry::cell_text_size(50, 10, 2), geometry::min_cell_text_size);
    EXPECT_EQ(geometry::cell_text_size(3, 0, 0), geometry::min_cell_text_size);
}

TEST(PlotWidth, LeavesRoomForTheColourBar) {
    // The demo's figure, 1080 px wide: plotly.js draws its plotting area
    // 879 px wide (measured in Chromium); the estimate may be a little
    // narrower, never wider.
    const double width = geometry::plot_width(1080);
    EXPECT_LE(width, 879.5);
    EXPECT_GE(width, 870);
    // A narrow figure keeps at least the default margins.
    EXPECT_LE(geometry::plot_width(300), 300 - 160);
    EXPECT_GE(geometry::plot_width(10), 1);
}

TEST(PlotHeight, IsTheFigureLessItsMargins) {
    EXPECT_EQ(geometry::plot_height(450, geometry::default_margin_top), 270);
    EXPECT_EQ(geometry::plot_height(450, 50), 320);
    EXPECT_EQ(geometry::plot_height(100, 100), 1);
}

TEST(PanelHeights, FollowTheRows) {
    const std::vector<std::size_t> rows{13, 13, 26};
    const std::vector<double> heights = geometry::panel_heights(rows, 520, false);
    EXPECT_EQ(heights, (std::vector<double>{130, 130, 260}));
}

TEST(PanelHeights, EqualWhenAsked) {
    const std::vector<std::size_t> rows{13, 1, 26};
    EXPECT_EQ(geometry::panel_heights(rows, 300, true), (std::vector<double>{100, 100, 100}));
}

TEST(PanelHeights, KeepAMinimumAndShareTheRest) {
    const std::vector<std::size_t> rows{40, 1, 40};
    const std::vector<double> heights = geometry::panel_heights(rows, 1000, false);
    EXPECT_DOUBLE_EQ(heights[1], geometry::min_panel_height);
    EXPECT_DOUBLE_EQ(heights[0], (1000 - geometry::min_panel_height) / 2);
    EXPECT_DOUBLE_EQ(heights[2], heights[0]);
    EXPECT_DOUBLE_EQ(std::accumulate(heights.begin(), heights.end(), 0.0), 1000);
}

TEST(PanelHeights, WithoutRoomForTheMinimumShareEqually) {
    const std::vector<std::size_t> rows{40, 1, 1};
    const std::vector<double> heights = geometry::panel_heights(rows, 150, false);
    EXPECT_EQ(heights, (std::vector<double>{50, 50, 50}));
}

TEST(PanelHeights, OnePanelTakesAll) {
    const std::vector<std::size_t> rows{7};
    EXPECT_EQ(geometry::panel_heights(rows, 321, false), (std::vector<double>{321}));
}

}  // namespace
