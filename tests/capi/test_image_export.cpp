// Static images through the C API: TRAJPLOT_FORMAT_SVG, _PNG and _PDF from
// every exporter, the export options' scale (version 2) and callers still
// passing the version 1 struct, trajplot_format_available, and the PNG's
// pixel limit.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

// What a caller compiled against version 1 of the header passes: the
// struct as it was then, without scale.
struct export_options_v1 {
    unsigned int version;
    int format;
    int plotlyjs;
    const char* plotlyjs_location;
    const char* div_id;
    bool full_html;
    bool responsive;
};

StatisticPtr entropy(std::size_t n_layers = 2, std::size_t seq_len = 3) {
    static const std::vector<std::string> tokens = {"<s>", "a&b", "<|endoftext|>"};
    std::vector<const char*> pointers;
    for (std::size_t i = 0; i < seq_len; ++i) pointers.push_back(tokens[i % 3].c_str());
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = pointers.data();
    options.sequence_label_count = seq_len;
    options.units = "nats";
    return make_statistic("Entropy", numbered_stats(n_layers, seq_len), n_layers, seq_len, &options);
}

trajplot_export_options image_options(int format, double scale = 1.0) {
    trajplot_export_options options = export_options(format);
    options.scale = scale;
    return options;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The size a PNG's header gives.
std::pair<unsigned, unsigned> png_size(const std::string& png) {
    EXPECT_GE(png.size(), 24u);
    if (png.size() < 24) return {0, 0};
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    const auto big_endian = [&](std::size_t at) {
        unsigned value = 0;
        for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(png[at + i]);
        return value;
    };
    return {big_endian(16), big_endian(20)};
}

// A PDF records when it was made: two exports differ in /CreationDate only.
std::string without_creation_date(std::string pdf) {
    const std::size_t at = pdf.find("/CreationDate (");
    if (at != std::string::npos) pdf.erase(at, pdf.find(')', at) - at);
    return pdf;
}

class CapiImages : public ::testing::Test {
protected:
    void SetUp() override {
        statistic_ = entropy();
        ASSERT_TRUE(statistic_);
        figure_ = make_figure(statistic_.get());
        const trajplot_statistic* both[] = {statistic_.get(), statistic_.get()};
        stacked_ = make_stacked({both[0], both[1]});
        ASSERT_TRUE(figure_ && stacked_);
        path_ = fs::temp_directory_path() / ("trajplot-capi-image-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove(path_, ignored);
    }

    bool raster() const { return trajplot_format_available(TRAJPLOT_FORMAT_PNG); }

    StatisticPtr statistic_;
    FigurePtr figure_;
    FigurePtr stacked_;
    fs::path path_;
};

TEST_F(CapiImages, FormatsAvailable) {
    EXPECT_EQ(TRAJPLOT_FORMAT_SVG, 3);
    EXPECT_EQ(TRAJPLOT_FORMAT_PNG, 4);
    EXPECT_EQ(TRAJPLOT_FORMAT_PDF, 5);
    for (const int format :
         {TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_FORMAT_TRACE_JSON, TRAJPLOT_FORMAT_HTML, TRAJPLOT_FORMAT_SVG}) {
        EXPECT_TRUE(trajplot_format_available(format)) << format;
    }
    EXPECT_EQ(trajplot_format_available(TRAJPLOT_FORMAT_PDF), raster());
    for (const int format : {-1, 6, 1000}) EXPECT_FALSE(trajplot_format_available(format)) << format;
}

TEST_F(CapiImages, EveryExporterGivesTheSameImage) {
    for (const int format : {TRAJPLOT_FORMAT_SVG, TRAJPLOT_FORMAT_PNG, TRAJPLOT_FORMAT_PDF}) {
        if (!trajplot_format_available(format)) continue;
        SCOPED_TRACE(format);
        for (const trajplot_figure* figure : {figure_.get(), stacked_.get()}) {
            const trajplot_export_options options = image_options(format, 1.5);
            const std::string exported = export_string(figure, &options);
            ASSERT_FALSE(exported.empty());
            const std::string streamed = stream_string(figure, &options);
            ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure, &options, path_.c_str()));
            const std::string saved = read_file(path_);
            if (format == TRAJPLOT_FORMAT_PDF) {
                EXPECT_TRUE(exported.starts_with("%PDF-"));
                EXPECT_EQ(without_creation_date(streamed), without_creation_date(exported));
                EXPECT_EQ(without_creation_date(saved), without_creation_date(exported));
            } else {
                EXPECT_EQ(streamed, exported);
                EXPECT_EQ(saved, exported);
            }
        }
    }
}

TEST_F(CapiImages, SvgShowsTokensLiterally) {
    const std::string svg = export_string(figure_.get(), TRAJPLOT_FORMAT_SVG);
    EXPECT_TRUE(svg.starts_with("<?xml"));
    for (const std::string text : {">&lt;s&gt;</text>", ">a&amp;b</text>", ">&lt;|endoftext|&gt;</text>",
                                   ">Entropy (nats)</text>", ">Layer</text>", ">Input</text>"}) {
        EXPECT_NE(svg.find(text), std::string::npos) << text;
    }
}

TEST_F(CapiImages, PngIsTheFiguresSizeTimesTheScale) {
    if (!raster()) GTEST_SKIP() << "built without the image component";
    // 200 + 80 x 3 positions by plotly.js's 450; stacked, 150 + 250 x 2.
    EXPECT_EQ(png_size(export_string(figure_.get(), TRAJPLOT_FORMAT_PNG)), std::make_pair(440u, 450u));
    const trajplot_export_options twice = image_options(TRAJPLOT_FORMAT_PNG, 2);
    EXPECT_EQ(png_size(export_string(figure_.get(), &twice)), std::make_pair(880u, 900u));
    const trajplot_export_options half = image_options(TRAJPLOT_FORMAT_PNG, 0.5);
    EXPECT_EQ(png_size(export_string(stacked_.get(), &half)), std::make_pair(220u, 325u));
}

TEST_F(CapiImages, ScaleZeroMeansOne) {
    const trajplot_export_options zero = image_options(TRAJPLOT_FORMAT_SVG, 0);
    EXPECT_EQ(export_string(figure_.get(), &zero), export_string(figure_.get(), TRAJPLOT_FORMAT_SVG));
}

TEST_F(CapiImages, ScaleOutOfRangeIsRefusedByEveryExporter) {
    for (const double scale : {-1.0, 16.5, std::nan(""), std::numeric_limits<double>::infinity(), -0.5}) {
        SCOPED_TRACE(scale);
        const trajplot_export_options options = image_options(TRAJPLOT_FORMAT_SVG, scale);
        char* out = sentinel_string();
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, nullptr, figure_.get(), &options), TRAJPLOT_EINVAL,
                              "trajplot_figure_export", "options->scale", "16");
        EXPECT_EQ(out, sentinel_string());
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &options, path_.c_str()), TRAJPLOT_EINVAL,
                              "trajplot_figure_save", "options->scale");
        EXPECT_FALSE(fs::exists(path_));
        StreamCapture capture;
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure_.get(), &options, capture_piece, &capture), TRAJPLOT_EINVAL,
                              "trajplot_figure_stream", "options->scale");
        EXPECT_EQ(capture.calls, 0u);
    }
    const trajplot_export_options largest = image_options(TRAJPLOT_FORMAT_SVG, 16);
    EXPECT_FALSE(export_string(figure_.get(), &largest).empty());
    // Only images read the scale.
    const trajplot_export_options json = image_options(TRAJPLOT_FORMAT_FIGURE_JSON, -1);
    EXPECT_EQ(export_string(figure_.get(), &json), export_string(figure_.get(), TRAJPLOT_FORMAT_FIGURE_JSON));
}

TEST_F(CapiImages, Version1ExportOptionsAreStillRead) {
    // Bytes past the version 1 struct belong to someone else: poisoned, so
    // that reading them as a scale would show.
    std::vector<unsigned char> memory(sizeof(trajplot_export_options) + 16, 0xA5);
    auto* options = reinterpret_cast<trajplot_export_options*>(memory.data());
    ASSERT_TRAJPLOT_OK(trajplot_export_options_init(options, 1));
    for (std::size_t i = sizeof(export_options_v1); i < memory.size(); ++i) {
        ASSERT_EQ(memory[i], 0xA5) << "trajplot_export_options_init(options, 1) wrote byte " << i;
    }
    export_options_v1 v1;
    std::memcpy(&v1, memory.data(), sizeof v1);
    EXPECT_EQ(v1.version, 1u);
    EXPECT_EQ(v1.format, TRAJPLOT_FORMAT_FIGURE_JSON);
    EXPECT_TRUE(v1.full_html);
    // A version 1 caller asking for an image gets it at scale 1.
    v1.format = TRAJPLOT_FORMAT_SVG;
    std::memcpy(memory.data(), &v1, sizeof v1);
    EXPECT_EQ(export_string(figure_.get(), options), export_string(figure_.get(), TRAJPLOT_FORMAT_SVG));
    v1.format = TRAJPLOT_FORMAT_FIGURE_JSON;
    std::memcpy(memory.data(), &v1, sizeof v1);
    EXPECT_EQ(export_string(figure_.get(), options), export_string(figure_.get(), TRAJPLOT_FORMAT_FIGURE_JSON));

    trajplot_export_options current;
    ASSERT_TRAJPLOT_OK(trajplot_export_options_init(&current, TRAJPLOT_EXPORT_OPTIONS_VERSION));
    EXPECT_EQ(TRAJPLOT_EXPORT_OPTIONS_VERSION, 2);
    EXPECT_EQ(current.version, 2u);
    EXPECT_EQ(current.scale, 1.0);
    const trajplot_export_options initialised = TRAJPLOT_EXPORT_OPTIONS_INIT;
    EXPECT_EQ(initialised.scale, 1.0);
}

TEST_F(CapiImages, UnknownVersionsAreRefused) {
    for (const unsigned int version : {0u, 3u}) {
        trajplot_export_options options = image_options(TRAJPLOT_FORMAT_SVG);
        options.version = version;
        char* out = sentinel_string();
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, nullptr, figure_.get(), &options), TRAJPLOT_EINVAL,
                              "trajplot_figure_export", "options->version", std::to_string(version));
    }
}

TEST_F(CapiImages, APngTooWideForCairoSaysWhatFits) {
    if (!raster()) GTEST_SKIP() << "built without the image component";
    const StatisticPtr medium = entropy(33, 1024);
    const FigurePtr figure = make_figure(medium.get());
    ASSERT_TRUE(figure);
    const trajplot_export_options options = image_options(TRAJPLOT_FORMAT_PNG);
    char* out = sentinel_string();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, nullptr, figure.get(), &options), TRAJPLOT_ERANGE,
                          "trajplot_figure_export", "32767", "82120 x 450", "token width of at most 31",
                          "scale of at most 0.399");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure.get(), &options, path_.c_str()), TRAJPLOT_ERANGE,
                          "trajplot_figure_save", "32767");
    EXPECT_FALSE(fs::exists(path_));
    // SVG and PDF have no such limit.
    const trajplot_export_options pdf = image_options(TRAJPLOT_FORMAT_PDF);
    ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure.get(), &pdf, path_.c_str()));
    EXPECT_TRUE(read_file(path_).starts_with("%PDF-"));
}

TEST_F(CapiImages, ThePngsPixelsCountAgainstTheMemoryLimit) {
    if (!raster()) GTEST_SKIP() << "built without the image component";
    trajplot_set_memory_limit(100000);
    const trajplot_export_options options = image_options(TRAJPLOT_FORMAT_PNG, 2);
    StreamCapture capture;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure_.get(), &options, capture_piece, &capture), TRAJPLOT_ERANGE,
                          "trajplot_figure_stream", "880 x 900", "memory limit");
    trajplot_set_memory_limit(0);
    EXPECT_EQ(capture.calls, 0u);
}

TEST_F(CapiImages, WithoutTheImageComponentPngAndPdfSaySo) {
    if (raster()) GTEST_SKIP() << "built with the image component";
    for (const int format : {TRAJPLOT_FORMAT_PNG, TRAJPLOT_FORMAT_PDF}) {
        const trajplot_export_options options = image_options(format);
        char* out = sentinel_string();
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, nullptr, figure_.get(), &options), TRAJPLOT_EINVAL,
                              "trajplot_figure_export", "Cairo", "SVG is available");
    }
}

TEST_F(CapiImages, AWriteFunctionThatStopsStopsTheImage) {
    for (const int format : {TRAJPLOT_FORMAT_SVG, TRAJPLOT_FORMAT_PNG, TRAJPLOT_FORMAT_PDF}) {
        if (!trajplot_format_available(format)) continue;
        SCOPED_TRACE(format);
        StreamCapture capture;
        capture.stop_at = 1;
        const trajplot_export_options options = image_options(format);
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure_.get(), &options, capture_piece, &capture), TRAJPLOT_EIO,
                              "trajplot_figure_stream", "export stopped");
        EXPECT_EQ(capture.calls_after_stop, 0u);
    }
}

}  // namespace
