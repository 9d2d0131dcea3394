// Static images of figures: the SVG's structure and text, cell colours
// against the colourscale, log scales, gaps and stacked panels; PNG and PDF
// through Cairo (read back with Cairo and poppler) where the build has them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#ifdef TRAJPLOT_TEST_IMAGES
#include <cairo.h>
#endif

#include "trajplot/error.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/model.hpp"

#include "core_test_support.hpp"
#include "image_export.hpp"

namespace {

#ifdef TRAJPLOT_TEST_IMAGE_MODULE
// The static core has no library to find the image module beside: this
// build's, unless the environment names another.
[[maybe_unused]] const bool image_module_named = [] {
    return ::setenv("TRAJPLOT_IMAGE_MODULE", TRAJPLOT_TEST_IMAGE_MODULE, 0) == 0;
}();
#endif

using trajplot::Errc;
using trajplot::ExportOptions;
using trajplot::Figure;
using trajplot::FigureOptions;
using trajplot::Format;
using trajplot::PanelOptions;
using trajplot::TrajectoryStatistic;
using trajplot_test::error_of;
using trajplot_test::fields_with;
using trajplot_test::nan_value;
using trajplot_test::shared;
using trajplot_test::Strings;
using trajplot_test::text1;

// An XML element as the checker below reads it.
struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::string text;  // the text of the element and its descendants, decoded
    std::vector<Element> children;

    std::string attribute(const std::string& key) const {
        const auto found = attributes.find(key);
        return found == attributes.end() ? std::string() : found->second;
    }
};

// A strict reader of the XML subset an SVG is written in: a declaration,
// elements with double-quoted attributes, text with the five predefined
// entities. Anything else (an unclosed or mismatched tag, a bare < or &
// in text, an unknown entity) fails the test.
class XmlReader {
public:
    explicit XmlReader(std::string_view text) : text_(text) {}

    Element document() {
        if (text_.starts_with("<?xml")) position_ = text_.find("?>") + 2;
        skip_space();
        Element root = element();
        skip_space();
        EXPECT_EQ(position_, text_.size()) << "content after the root element";
        return root;
    }

private:
    void skip_space() {
        while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
    }

    std::string name() {
        const std::size_t start = position_;
        while (position_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[position_])) ||
                                            text_[position_] == '-' || text_[position_] == ':')) {
            ++position_;
        }
        EXPECT_GT(position_, start) << "a name expected at byte " << start;
        return std::string(text_.substr(start, position_ - start));
    }

    std::string decoded(std::string_view raw) {
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            EXPECT_NE(raw[i], '<') << "a bare < in " << raw;
            if (raw[i] != '&') {
                out += raw[i];
                continue;
            }
            const std::size_t end = raw.find(';', i);
            const std::string_view entity = raw.substr(i + 1, end == std::string_view::npos ? 0 : end - i - 1);
            static const std::map<std::string_view, char> known = {
                {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
            const auto found = known.find(entity);
            if (end == std::string_view::npos || found == known.end()) {
                ADD_FAILURE() << "a bare & or unknown entity in " << raw;
                return out;
            }
            out += found->second;
            i = end;
        }
        return out;
    }

    Element element() {
        Element element;
        EXPECT_EQ(text_[position_], '<');
        ++position_;
        element.name = name();
        while (true) {
            skip_space();
            if (text_.substr(position_, 2) == "/>") {
                position_ += 2;
                return element;
            }
            if (text_[position_] == '>') {
                ++position_;
                break;
            }
            const std::string key = name();
            EXPECT_EQ(text_.substr(position_, 2), "=\"") << "attribute " << key << " of <" << element.name << ">";
            position_ += 2;
            const std::size_t end = text_.find('"', position_);
            element.attributes[key] = decoded(text_.substr(position_, end - position_));
            position_ = end + 1;
        }
        while (position_ < text_.size()) {
            if (text_.substr(position_, 2) == "</") {
                position_ += 2;
                EXPECT_EQ(name(), element.name) << "mismatched closing tag";
                EXPECT_EQ(text_[position_], '>');
                ++position_;
                return element;
            }
            if (text_[position_] == '<') {
                element.children.push_back(this->element());
                element.text += element.children.back().text;
                continue;
            }
            const std::size_t end = text_.find('<', position_);
            element.text += decoded(text_.substr(position_, end - position_));
            position_ = end;
        }
        ADD_FAILURE() << "<" << element.name << "> is never closed";
        return element;
    }

    std::string_view text_;
    std::size_t position_ = 0;
};

void collect(const Element& element, const std::string& name, std::vector<const Element*>& found) {
    if (element.name == name) found.push_back(&element);
    for (const Element& child : element.children) collect(child, name, found);
}

std::vector<const Element*> all(const Element& root, const std::string& name) {
    std::vector<const Element*> found;
    collect(root, name, found);
    return found;
}

// The texts drawn, each <text> element's whole content.
std::vector<std::string> texts_of(const Element& root) {
    std::vector<std::string> texts;
    for (const Element* text : all(root, "text")) texts.push_back(text->text);
    return texts;
}

std::size_t count_of(const std::vector<std::string>& texts, const std::string& text) {
    return static_cast<std::size_t>(std::count(texts.begin(), texts.end(), text));
}

// The cell rectangles of the n-th heatmap.
std::vector<const Element*> cells_of(const Element& root, std::size_t heatmap = 0) {
    std::vector<const Element*> groups;
    for (const Element* group : all(root, "g")) {
        if (group->attribute("class") == "cells") groups.push_back(group);
    }
    std::vector<const Element*> cells;
    if (heatmap >= groups.size()) return cells;
    for (const Element& child : groups[heatmap]->children) cells.push_back(&child);
    return cells;
}

Element svg_of(const Figure& figure, double scale = 1) {
    const std::string svg = figure.to_string({.format = Format::svg, .scale = scale});
    return XmlReader(svg).document();
}

// 2 layers x 3 positions, 0 to 1 in steps of 0.2, with hostile tokens as
// sequence and cell labels.
std::shared_ptr<const TrajectoryStatistic> hostile_statistic(float gap_value = 0.4f) {
    TrajectoryStatistic::Fields fields = fields_with({{0.0f, 0.2f, gap_value}, {0.6f, 0.8f, 1.0f}});
    fields.sequence_labels = text1({"<s>", "a&b", "<|endoftext|>"});
    fields.units = "nats";
    fields.trajectory_labels = std::make_shared<const trajplot::TrajectoryLabels>(
        trajplot::TextArray<2>::from_strings({2, 3}, {"<b>x</b>", "q\"'", "", "&amp;", "\u65e5\u672c", "z"}));
    return shared(TrajectoryStatistic(std::move(fields)));
}

TEST(ImageSvg, IsWellFormedAtTheFiguresSizeTimesTheScale) {
    const Figure figure(hostile_statistic(), {}, {.title = "T"});
    const Element root = svg_of(figure, 2);
    EXPECT_EQ(root.name, "svg");
    EXPECT_EQ(root.attribute("xmlns"), "http://www.w3.org/2000/svg");
    // 200 + 80 per position, plotly.js's 450 high.
    EXPECT_EQ(root.attribute("width"), "880");
    EXPECT_EQ(root.attribute("height"), "900");
    EXPECT_EQ(root.attribute("viewBox"), "0 0 440 450");
    EXPECT_NE(root.attribute("font-family").find("Open Sans"), std::string::npos);
}

TEST(ImageSvg, EveryWordIsTextShownAsGiven) {
    const Figure figure(hostile_statistic(), {}, {.title = "Tokens <s> & a&amp;b"});
    const std::vector<std::string> texts = texts_of(svg_of(figure));
    for (const std::string expected :
         {"Tokens <s> & a&amp;b", "<s>", "a&b", "<|endoftext|>", "<b>x</b>", "q\"'", "&amp;", "\u65e5\u672c", "z",
          "Layer", "Input", "Entropy (nats)", "0", "1", "output"}) {
        EXPECT_GE(count_of(texts, expected), 1u) << expected;
    }
    // The empty label draws nothing.
    EXPECT_EQ(count_of(texts, ""), 0u);
}

TEST(ImageSvg, CellsAreRectsInTheColourscalesColours) {
    const Figure figure(hostile_statistic(0.5f));
    const Element root = svg_of(figure);
    const std::vector<const Element*> cells = cells_of(root);
    ASSERT_EQ(cells.size(), 6u);
    // Layer 0 is the bottom row; rects go layer by layer, position by
    // position. rdbu_r from 0 to 1: its ends, and its middle stop at 0.5.
    EXPECT_EQ(cells[0]->attribute("fill"), "#053061");
    EXPECT_EQ(cells[2]->attribute("fill"), "#f7f7f7");
    EXPECT_EQ(cells[5]->attribute("fill"), "#67001f");
    // 0.2 lies between the stops 0.1 (33,102,172) and 0.2 (67,147,195):
    // float32's 0.2 is a hair above, so the colour is the 0.2 stop's.
    EXPECT_EQ(cells[1]->attribute("fill"), "#4393c3");
    // 0.6 and 0.8 are stops too: (253,219,199) and (214,96,77).
    EXPECT_EQ(cells[3]->attribute("fill"), "#fddbc7");
    EXPECT_EQ(cells[4]->attribute("fill"), "#d6604d");
    // The bottom row lies below the top one, the columns left to right.
    EXPECT_GT(std::stod(cells[0]->attribute("y")), std::stod(cells[3]->attribute("y")));
    EXPECT_LT(std::stod(cells[0]->attribute("x")), std::stod(cells[1]->attribute("x")));
    // The plotting area: 80 px from the left, 100 from the top, 80 from
    // the bottom of 450.
    EXPECT_EQ(cells[3]->attribute("x"), "80");
    EXPECT_EQ(cells[3]->attribute("y"), "100");
    EXPECT_EQ(std::stod(cells[0]->attribute("y")) + std::stod(cells[0]->attribute("height")), 370);
    // plotly.js widens the right margin until the colour bar fits: 20 px of
    // padding, the 30 px bar, its labels ("0.2" the widest) and its title
    // (16 px) 2 px beyond them, 12 px from the edge, the bar at 1.02 of the
    // plotting width: 440 - 80 - round((91 + 12 + 0.02 x 360) / 1.02) = 252.
    EXPECT_EQ(std::stod(cells[5]->attribute("x")) + std::stod(cells[5]->attribute("width")), 332);
    std::vector<std::string> bars;
    for (const Element* rect : all(root, "rect")) {
        if (rect->attribute("fill").starts_with("url(")) bars.push_back(rect->attribute("x"));
    }
    EXPECT_EQ(bars, std::vector<std::string>{"347"});  // 80 + round(1.02 x 252 + 10)
}

TEST(ImageSvg, InterpolatesBetweenStopsInRgb) {
    // 0.25 of the way from 0 to 1 is halfway between the stops at 0.2
    // (67,147,195) and 0.3 (146,197,222).
    const Figure figure(TrajectoryStatistic(fields_with({{0.0f, 0.25f, 1.0f}})));
    const Element root = svg_of(figure);
    const std::vector<const Element*> cells = cells_of(root);
    ASSERT_EQ(cells.size(), 3u);
    char expected[32];
    std::snprintf(expected, sizeof expected, "#%02x%02x%02x", static_cast<int>(std::nearbyint((67 + 146) / 2.0)),
                  static_cast<int>(std::nearbyint((147 + 197) / 2.0)),
                  static_cast<int>(std::nearbyint((195 + 222) / 2.0)));
    EXPECT_EQ(cells[1]->attribute("fill"), expected);
}

TEST(ImageSvg, GapsAreLeftBlank) {
    const Figure figure(hostile_statistic(nan_value));
    const Element root = svg_of(figure);
    EXPECT_EQ(cells_of(root).size(), 5u);
    // The gap's label is still drawn, in the ink of the background.
    EXPECT_EQ(count_of(texts_of(root), "<|endoftext|>"), 1u);
}

TEST(ImageSvg, CellTextIsBoldAtThePlannedSizeInContrastingInk) {
    const Figure figure(hostile_statistic(0.5f));
    const Element root = svg_of(figure);
    const Element* group = nullptr;
    for (const Element* g : all(root, "g")) {
        if (g->attribute("class") == "cell-text") group = g;
    }
    ASSERT_NE(group, nullptr);
    EXPECT_EQ(group->attribute("font-weight"), "bold");
    // The plan's size: "<b>x</b>", 8 characters, in cells of about 80 px.
    const std::string json = figure.to_string();
    const std::size_t at = json.find("\"textfont\":{\"size\":");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(group->attribute("font-size"), json.substr(at + 19, json.find('}', at) - at - 19));
    // White on the darkest cell (0), #444 (the group's) on the light middle.
    for (const Element& text : group->children) {
        if (text.text == "<b>x</b>") {
            EXPECT_EQ(text.attribute("fill"), "#ffffff");
        }
        if (text.text == "q\"'") {
            EXPECT_EQ(text.attribute("fill"), "");
        }
    }
}

TEST(ImageSvg, LinearColourBarHasPlotlysAutoTicks) {
    // 0 to 8.2 over a bar of 250 px: about 7 ticks, rounded to steps of 2.
    TrajectoryStatistic::Fields fields = fields_with({{0.0f, 4.0f, 8.2f}});
    fields.sequence_labels = text1({"a", "b", "c"});
    const Figure figure(TrajectoryStatistic(std::move(fields)));
    const std::vector<std::string> texts = texts_of(svg_of(figure));
    for (const std::string tick : {"0", "2", "4", "6", "8"}) EXPECT_EQ(count_of(texts, tick), 1u) << tick;
    EXPECT_EQ(count_of(texts, "10"), 0u);
    // Thousands take plotly.js's SI suffix, negatives its minus sign.
    const Figure large(TrajectoryStatistic(fields_with({{-20000.0f, 50000.0f}})));
    const std::vector<std::string> large_texts = texts_of(svg_of(large));
    EXPECT_EQ(count_of(large_texts, "\u221220k"), 1u);
    EXPECT_EQ(count_of(large_texts, "40k"), 1u);
}

TEST(ImageSvg, AColourRangeToInfinityHasABarWithoutTicks) {
    // A clip to infinity is a valid range; no tick step spans it.
    const float infinity = std::numeric_limits<float>::infinity();
    for (const auto& [min, max] :
         {std::pair{0.0f, infinity}, std::pair{-infinity, 1.0f}, std::pair{-infinity, infinity}}) {
        TrajectoryStatistic::Fields fields = fields_with({{0.0f, 4.0f, 8.2f}});
        fields.sequence_labels = text1({"a", "b", "c"});
        const Figure figure(TrajectoryStatistic(std::move(fields)).clip(min, max));
        const std::vector<std::string> texts = texts_of(svg_of(figure));
        for (const std::string& text : texts) {
            EXPECT_TRUE(text.find_first_of("0123456789") == std::string::npos) << text << " for " << min << ", " << max;
        }
    }
}

TEST(ImageSvg, LogScaleColoursByTheLogarithmAndLabelsPowersOfTen) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 10.0f, 100.0f, -1.0f}});
    const Figure figure(shared(TrajectoryStatistic(std::move(fields))), {.log_scale = true});
    const Element root = svg_of(figure);
    const std::vector<const Element*> cells = cells_of(root);
    // -1 has no logarithm: a gap.
    ASSERT_EQ(cells.size(), 3u);
    EXPECT_EQ(cells[0]->attribute("fill"), "#053061");
    EXPECT_EQ(cells[1]->attribute("fill"), "#f7f7f7");
    EXPECT_EQ(cells[2]->attribute("fill"), "#67001f");
    // 10<sup>1</sup>: the exponent a smaller, raised <tspan>.
    std::size_t powers = 0;
    for (const Element* text : all(root, "text")) {
        if (text->text.size() != 3 || !text->text.starts_with("10") || text->children.size() != 1) continue;
        const Element& exponent = text->children[0];
        EXPECT_EQ(exponent.name, "tspan");
        EXPECT_LT(std::stod(exponent.attribute("dy")), 0);
        EXPECT_LT(std::stod(exponent.attribute("font-size")), 12);
        ++powers;
    }
    EXPECT_EQ(powers, 3u);
}

TEST(ImageSvg, CategoryAxesLabelEveryNthCategoryWhenAllDoNotFit) {
    // 41 rows in 270 px: plotly.js labels every third (14 px per label).
    xt::xtensor<float, 2> stats = xt::zeros<float>({std::size_t{41}, std::size_t{2}}) + 5.0f;
    TrajectoryStatistic::Fields fields = fields_with(std::move(stats));
    fields.sequence_labels = text1({"a", "b"});
    const Figure figure(TrajectoryStatistic(std::move(fields)));
    const std::vector<std::string> texts = texts_of(svg_of(figure));
    for (const std::string shown : {"0", "3", "36", "39", "a", "b"}) EXPECT_EQ(count_of(texts, shown), 1u) << shown;
    for (const std::string hidden : {"1", "2", "38", "output"}) EXPECT_EQ(count_of(texts, hidden), 0u) << hidden;
}

TEST(ImageSvg, StackedPanelsHaveTheirOwnCellsTitlesAndColourBars) {
    TrajectoryStatistic::Fields rank = fields_with({{1.0f, 2.0f, 3.0f}}, "Rank");
    rank.sequence_labels = text1({"<s>", "a&b", "<|endoftext|>"});
    const Figure figure = Figure::stacked(
        {{hostile_statistic(), {.title = "Top <panel>"}}, {shared(TrajectoryStatistic(std::move(rank))), {}}});
    const Element root = svg_of(figure);
    EXPECT_EQ(cells_of(root, 0).size(), 6u);
    EXPECT_EQ(cells_of(root, 1).size(), 3u);
    const std::vector<std::string> texts = texts_of(root);
    EXPECT_EQ(count_of(texts, "Top <panel>"), 1u);
    EXPECT_EQ(count_of(texts, "Rank"), 2u);  // the panel's title and its colour bar's
    // Tokens under the bottom panel only; each panel its y axis title.
    EXPECT_EQ(count_of(texts, "a&b"), 1u);
    EXPECT_EQ(count_of(texts, "Layer"), 2u);
    EXPECT_EQ(count_of(texts, "Input"), 1u);
    EXPECT_EQ(all(root, "linearGradient").size(), 2u);
    // The top panel's cells lie above the bottom panel's.
    EXPECT_LT(std::stod(cells_of(root, 0)[0]->attribute("y")), std::stod(cells_of(root, 1)[0]->attribute("y")));
}

TEST(ImageExport, ScaleMustBeFinitePositiveAndAtMostSixteen) {
    const Figure figure(hostile_statistic());
    for (const double scale : {0.0, -1.0, 16.5, std::nan(""), HUGE_VAL}) {
        const trajplot::Error error = error_of([&] { figure.to_string({.format = Format::svg, .scale = scale}); });
        EXPECT_EQ(error.code(), Errc::invalid_argument);
        EXPECT_NE(std::string(error.what()).find("scale"), std::string::npos) << error.what();
    }
    EXPECT_NO_THROW(figure.to_string({.format = Format::svg, .scale = 16}));
}

TEST(ImageExport, FormatsAvailable) {
    EXPECT_TRUE(trajplot::format_available(Format::figure_json));
    EXPECT_TRUE(trajplot::format_available(Format::svg));
#ifdef TRAJPLOT_TEST_IMAGES
    EXPECT_TRUE(trajplot::format_available(Format::png));
    EXPECT_TRUE(trajplot::format_available(Format::pdf));
#else
    EXPECT_FALSE(trajplot::format_available(Format::png));
    const Figure figure(hostile_statistic());
    const trajplot::Error error = error_of([&] { figure.to_string({.format = Format::png}); });
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(error.what()).find("Cairo"), std::string::npos) << error.what();
#endif
}

TEST(ImageExport, EveryDestinationGetsTheSameSvg) {
    const Figure figure(hostile_statistic());
    const ExportOptions options{.format = Format::svg};
    const std::string text = figure.to_string(options);
    trajplot_test::SinkRecorder recorder;
    figure.write(recorder.sink(), options);
    EXPECT_EQ(recorder.text, text);
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("trajplot-image-" + std::to_string(::getpid()) + ".svg");
    figure.save(path, options);
    EXPECT_EQ(trajplot_test::read_file(path), text);
    std::filesystem::remove(path);
}

#ifdef TRAJPLOT_TEST_IMAGES

std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
    const auto big_endian = [&](std::size_t at) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(png[at + i]);
        return value;
    };
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    return {big_endian(16), big_endian(20)};
}

struct SurfaceDeleter {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

Surface decoded_png(const std::string& png) {
    struct Reader {
        const std::string& data;
        std::size_t at = 0;
    } reader{png};
    const auto read = [](void* closure, unsigned char* out, unsigned int length) {
        auto* self = static_cast<Reader*>(closure);
        if (self->data.size() - self->at < length) return CAIRO_STATUS_READ_ERROR;
        std::copy_n(self->data.data() + self->at, length, out);
        self->at += length;
        return CAIRO_STATUS_SUCCESS;
    };
    Surface surface(cairo_image_surface_create_from_png_stream(read, &reader));
    EXPECT_EQ(cairo_surface_status(surface.get()), CAIRO_STATUS_SUCCESS);
    return surface;
}

std::string pixel(cairo_surface_t* surface, int x, int y) {
    cairo_surface_flush(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    const auto value =
        *reinterpret_cast<const std::uint32_t*>(data + y * cairo_image_surface_get_stride(surface) + x * 4);
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", (value >> 16) & 255, (value >> 8) & 255, value & 255);
    return text;
}

TEST(ImagePng, IsTheFiguresSizeTimesTheScaleWithCellsInTheirColours) {
    const Figure figure(hostile_statistic(0.5f));
    const std::string png = figure.to_string({.format = Format::png, .scale = 2});
    EXPECT_EQ(png_size(png), std::make_pair(std::uint32_t{880}, std::uint32_t{900}));
    const Surface surface = decoded_png(png);
    ASSERT_EQ(cairo_image_surface_get_width(surface.get()), 880);
    // Cell centres, away from their text: the plotting area is 80 px in,
    // 100 px down, 270 px tall (two rows) and 252 px wide (three columns),
    // all doubled. Position 0 of layer 0 (bottom row) is the scale's
    // bottom; position 2 of layer 1 its top; the middle value 0.5.
    const double column = 252.0 / 3;
    const auto at = [&](double position, double row) {
        return pixel(surface.get(), static_cast<int>(2 * (80 + column * (position + 0.1))),
                     static_cast<int>(2 * (100 + 67.5 * (row * 2 + 0.5))));
    };
    EXPECT_EQ(at(0, 1), "#053061");
    EXPECT_EQ(at(2, 0), "#67001f");
    EXPECT_EQ(at(2, 1), "#f7f7f7");
    // The background.
    EXPECT_EQ(pixel(surface.get(), 4, 4), "#ffffff");
}

TEST(ImagePng, GapsShowTheBackground) {
    const Figure figure(hostile_statistic(nan_value));
    const Surface surface = decoded_png(figure.to_string({.format = Format::png}));
    const double column = 252.0 / 3;
    EXPECT_EQ(pixel(surface.get(), static_cast<int>(80 + column * 2.1), static_cast<int>(100 + 67.5 * 3)), "#ffffff");
}

TEST(ImagePng, TooWideForCairoIsARangeErrorSayingWhatFits) {
    // 33 x 1024 at the default token width: 82120 px wide.
    xt::xtensor<float, 2> stats = xt::zeros<float>({std::size_t{33}, std::size_t{1024}});
    const Figure figure(TrajectoryStatistic(fields_with(std::move(stats))));
    const trajplot::Error error = error_of([&] { figure.to_string({.format = Format::png}); });
    EXPECT_EQ(error.code(), Errc::range);
    const std::string message = error.what();
    for (const std::string mention : {"32767", "82120 x 450", "token width of at most 31", "scale of at most 0.399"}) {
        EXPECT_NE(message.find(mention), std::string::npos) << message;
    }
    // What it suggests fits; SVG and PDF take it as it is.
    const Figure narrower(TrajectoryStatistic(fields_with(xt::zeros<float>({std::size_t{33}, std::size_t{1024}}))), {},
                          {.token_width = 31});
    EXPECT_EQ(png_size(narrower.to_string({.format = Format::png})).first, 31944u);
    EXPECT_NO_THROW(figure.to_string({.format = Format::png, .scale = 0.399}));
    EXPECT_NO_THROW(figure.to_string({.format = Format::pdf}));
}

TEST(ImagePng, PixelsBeyondTheMemoryLimitAreARangeError) {
    const Figure figure(hostile_statistic());
    trajplot::set_memory_limit(1 << 20);
    const trajplot::Error error = error_of([&] { figure.to_string({.format = Format::png, .scale = 2}); });
    trajplot::set_memory_limit(0);
    EXPECT_EQ(error.code(), Errc::range);
    EXPECT_NE(std::string(error.what()).find("880 x 900"), std::string::npos) << error.what();
}

TEST(ImagePng, EveryDestinationGetsTheSameBytes) {
    const Figure figure(hostile_statistic());
    const ExportOptions options{.format = Format::png};
    const std::string bytes = figure.to_string(options);
    trajplot_test::SinkRecorder recorder;
    figure.write(recorder.sink(), options);
    EXPECT_EQ(recorder.text, bytes);
    // A sink that stops the export stops it with its own error.
    const trajplot::Error error = error_of(
        [&] { figure.write([](std::string_view) { throw trajplot::Error(Errc::io, "sink is full"); }, options); });
    EXPECT_EQ(std::string(error.what()), "sink is full");
}

// A figure of `positions` positions, 0 to 1 over its cells, labelled.
Figure wide_figure(std::size_t positions, std::size_t token_width = 40) {
    xt::xtensor<float, 2> stats = xt::zeros<float>({std::size_t{8}, positions});
    Strings labels;
    for (std::size_t i = 0; i < stats.size(); ++i) {
        stats.data()[i] = static_cast<float>(i % 97) / 96.0f;
        labels.push_back(i % 3 == 0 ? "<|endoftext|>" : "_the");
    }
    TrajectoryStatistic::Fields fields = fields_with(std::move(stats));
    fields.trajectory_labels = std::make_shared<const trajplot::TrajectoryLabels>(
        trajplot::TextArray<2>::from_strings({8, positions}, labels));
    return Figure(shared(TrajectoryStatistic(std::move(fields))), {}, {.token_width = token_width});
}

TEST(ImagePng, ThreadsExportingOneFigureGetWhatOneThreadGets) {
    const Figure figure = wide_figure(50);
    const std::vector<ExportOptions> formats = {{.format = Format::png}, {.format = Format::svg, .scale = 2}};
    std::vector<std::string> expected;
    for (const ExportOptions& options : formats) expected.push_back(figure.to_string(options));
    std::vector<std::thread> threads;
    std::vector<int> matches(8, 0);
    for (std::size_t t = 0; t < matches.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round) {
                for (std::size_t k = 0; k < formats.size(); ++k)
                    matches[t] += figure.to_string(formats[k]) == expected[k];
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (const int count : matches) EXPECT_EQ(count, 6);
}

class ImageFiles : public trajplot_test::ScratchDirectory {};

TEST_F(ImageFiles, AFailedWriteLeavesNoPartialFileAndAnEarlierFileIntact) {
    // Large enough to pass a file size limit of 64 KiB in each format.
    const Figure figure = wide_figure(3000, 10);
    const std::filesystem::path path = directory_ / "figure";
    for (const Format format : {Format::svg, Format::png, Format::pdf}) {
        SCOPED_TRACE(static_cast<int>(format));
        const ExportOptions options{.format = format};
        ASSERT_GT(figure.to_string(options).size(), std::size_t{1} << 16);
        for (const bool earlier : {false, true}) {
            if (earlier) trajplot_test::write_file(path, "an earlier figure");
            std::optional<trajplot::Error> error;
            trajplot_test::with_file_size_limit(std::size_t{1} << 16, [&] {
                try {
                    figure.save(path, options);
                } catch (const trajplot::Error& caught) {
                    error = caught;
                }
            });
            ASSERT_TRUE(error.has_value()) << "a write past the file size limit did not fail";
            EXPECT_EQ(error->code(), Errc::io) << error->what();
            EXPECT_NE(std::string(error->what()).find("figure"), std::string::npos) << error->what();
            EXPECT_EQ(trajplot_test::directory_entries(directory_), earlier ? Strings{"figure"} : Strings{});
            if (earlier) {
                EXPECT_EQ(trajplot_test::read_file(path), "an earlier figure");
            }
        }
        std::filesystem::remove(path);
    }
}

// Tokens come in every script; fontconfig's fallbacks must find a font for
// each, or PNG and PDF draw boxes. The installed fonts (DejaVu and Droid
// Sans Fallback, scripts/install-deps.sh) must cover these.
TEST(ImageFonts, TokensInCommonScriptsHaveGlyphs) {
    for (const char* token : {"The Eiffel", "Größe café", "Ελληνικά", "русский", "עברית", "العربية", "日本語のトークン",
                              "中文分词", "한국어"}) {
        EXPECT_EQ(trajplot::image::missing_glyphs(token), 0) << token;
    }
    // Unassigned code points have no glyph anywhere: the count can fail.
    EXPECT_EQ(trajplot::image::missing_glyphs("a\U000F0000\U000F0001b"), 2);
}

TEST(ImagePdf, KeepsItsTextAsText) {
    const Figure figure(hostile_statistic(), {}, {.title = "Title <s>"});
    const std::string pdf = figure.to_string({.format = Format::pdf});
    ASSERT_TRUE(pdf.starts_with("%PDF-"));
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("trajplot-image-" + std::to_string(::getpid()) + ".pdf");
    figure.save(path, {.format = Format::pdf});
    if (std::system("command -v pdftotext > /dev/null 2>&1") != 0) {
        std::filesystem::remove(path);
        GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    }
    const std::string text_path = path.string() + ".txt";
    ASSERT_EQ(std::system(("pdftotext -raw " + path.string() + " " + text_path).c_str()), 0);
    const std::string text = trajplot_test::read_file(text_path);
    std::filesystem::remove(path);
    std::filesystem::remove(text_path);
    // pdftotext reads the rotated colour bar title as two words.
    for (const std::string expected : {"Title <s>", "<|endoftext|>", "a&b", "Entropy", "(nats)", "Layer", "Input"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;
    }
}

#endif  // TRAJPLOT_TEST_IMAGES

}  // namespace
