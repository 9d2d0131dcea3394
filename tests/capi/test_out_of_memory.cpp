// Allocation failures inside the library: this executable replaces the
// global operator new (which the shared library's C++ code resolves to) with
// one that can be told to fail, then runs each call with the first, second,
// ... allocation failing until it succeeds. Every failure must come back as
// a status (never an exception or abort), leave the outputs untouched and
// leave a readable message, even when the message itself cannot be
// allocated.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capi_test_support.hpp"

namespace {

// Allocations still allowed before every further one fails; negative: no
// limit.
long allocations_left = -1;

void* allocate(std::size_t size) {
    if (allocations_left == 0) throw std::bad_alloc();
    if (allocations_left > 0) --allocations_left;
    if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

using namespace capi_test;

namespace {

// Runs `call` with allocation k failing, for k = 0, 1, ... until it
// succeeds. `untouched` checks the outputs after a failure. Returns the
// number of failed attempts.
int fail_each_allocation(const char* function, const std::function<trajplot_status()>& call,
                         const std::function<void()>& untouched) {
    int failures = 0;
    for (long allowed = 0; allowed < 100000; ++allowed) {
        trajplot_error_clear();
        allocations_left = allowed;
        const trajplot_status status = call();
        allocations_left = -1;
        if (status == TRAJPLOT_OK) return failures;
        ++failures;
        EXPECT_EQ(status, TRAJPLOT_ENOMEM)
            << function << " with " << allowed << " allocations: " << trajplot_error_last();
        const std::string message = trajplot_error_last();
        const bool prefixed = message.rfind(std::string(function) + ": ", 0) == 0;
        EXPECT_TRUE(message == "out of memory" || prefixed) << message;
        untouched();
        if (::testing::Test::HasFailure()) return failures;
    }
    ADD_FAILURE() << function << " never succeeded";
    return failures;
}

class CapiOutOfMemory : public ::testing::Test {
protected:
    void SetUp() override {
        labels_ = make_labels(3, 2, {"a", "b", "c", "d", "e", "f"}, std::vector<std::string>(3 * 2 * 2, "hv"), 1, 2);
        const char* tokens[] = {"t0", "t1"};
        trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
        options.trajectory_labels = labels_.get();
        options.sequence_labels = tokens;
        options.sequence_label_count = 2;
        options.units = "nats";
        statistic_ = make_statistic("Entropy", numbered_stats(3, 2), 3, 2, &options);
        rank_ = make_statistic("Rank", numbered_stats(2, 2), 2, 2);
        ASSERT_TRUE(labels_ && statistic_ && rank_);
        trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
        panel.extra_json = R"({"colorbar": {"len": 0.5}})";
        trajplot_figure_options options_of_figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
        options_of_figure.title = "a title long enough to need its own allocation";
        figure_ = make_figure(statistic_.get(), &panel, &options_of_figure);
        stacked_ = make_stacked({statistic_.get(), rank_.get()}, {nullptr, &panel});
        ASSERT_TRUE(figure_ && stacked_);
    }

    // An HTML export that depends on no plotly.js file, with options that
    // need allocations of their own.
    static trajplot_export_options page_options() {
        trajplot_export_options html = TRAJPLOT_EXPORT_OPTIONS_INIT;
        html.format = TRAJPLOT_FORMAT_HTML;
        html.plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
        html.div_id = "a-div-id-long-enough-to-need-its-own-allocation";
        html.responsive = true;
        return html;
    }

    LabelsPtr labels_;
    StatisticPtr statistic_;
    StatisticPtr rank_;
    FigurePtr figure_;
    FigurePtr stacked_;
};

// A write function that does not allocate (an allocation failing inside it
// would be the test's, not the library's): it copies into a buffer reserved
// beforehand.
struct FixedBuffer {
    std::vector<char> bytes = std::vector<char>(std::size_t{1} << 20);
    std::size_t size = 0;
    std::string_view text() const { return std::string_view(bytes.data(), size); }
};

int write_into_fixed_buffer(void* user, const char* data, std::size_t len) {
    auto& buffer = *static_cast<FixedBuffer*>(user);
    if (buffer.bytes.size() - buffer.size < len) return 1;
    std::memcpy(buffer.bytes.data() + buffer.size, data, len);
    buffer.size += len;
    return 0;
}

}  // namespace

TEST_F(CapiOutOfMemory, LabelsCreate) {
    const char* strings[] = {"a", "b"};
    const char* hover[] = {"x", "y", "z", "w"};
    trajplot_labels* out = sentinel_labels();
    const int failures = fail_each_allocation(
        "trajplot_labels_create",
        [&] { return trajplot_labels_create(&out, 1, 2, strings, nullptr, hover, nullptr, 1, 2); },
        [&] { EXPECT_EQ(out, sentinel_labels()); });
    EXPECT_GT(failures, 0);
    EXPECT_NE(out, sentinel_labels());
    trajplot_labels_free(out);
}

TEST_F(CapiOutOfMemory, LabelsAndVocabularyCreateFromEveryStringLayout) {
    // "a", "\u0394" as numpy's U1; "x", "yz", "", "w" joined with offsets.
    const std::uint32_t units[] = {'a', 0x394};
    const char joined[] = "xyzw";
    const std::uint64_t offsets[] = {0, 1, 3, 3, 4};
    trajplot_strings labels = TRAJPLOT_STRINGS_INIT;
    labels.layout = TRAJPLOT_STRINGS_UTF32;
    labels.count = 2;
    labels.data = units;
    labels.width = 1;
    trajplot_strings hover = TRAJPLOT_STRINGS_INIT;
    hover.layout = TRAJPLOT_STRINGS_UTF8_OFFSETS;
    hover.count = 4;
    hover.data = joined;
    hover.offsets = offsets;
    hover.data_len = 4;
    trajplot_labels* out = sentinel_labels();
    int failures = fail_each_allocation(
        "trajplot_labels_create_from_strings",
        [&] { return trajplot_labels_create_from_strings(&out, 1, 2, &labels, &hover, 1, 2); },
        [&] { EXPECT_EQ(out, sentinel_labels()); });
    EXPECT_GT(failures, 0);
    EXPECT_NE(out, sentinel_labels());
    trajplot_labels_free(out);

    trajplot_vocabulary* vocabulary = nullptr;
    failures = fail_each_allocation(
        "trajplot_vocabulary_create_from_strings",
        [&] { return trajplot_vocabulary_create_from_strings(&vocabulary, &hover); },
        [&] { EXPECT_EQ(vocabulary, nullptr); });
    EXPECT_GT(failures, 0);
    EXPECT_NE(vocabulary, nullptr);
    trajplot_vocabulary_free(vocabulary);
}

TEST_F(CapiOutOfMemory, StatisticCreate) {
    const std::vector<float> stats = numbered_stats(3, 2);
    const char* tokens[] = {"t0", "t1"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels_.get();
    options.sequence_labels = tokens;
    options.sequence_label_count = 2;
    options.units = "nats";
    trajplot_statistic* out = sentinel_statistic();
    const int failures = fail_each_allocation(
        "trajplot_statistic_create",
        [&] { return trajplot_statistic_create(&out, "Entropy", stats.data(), 3, 2, &options); },
        [&] { EXPECT_EQ(out, sentinel_statistic()); });
    EXPECT_GT(failures, 0);
    trajplot_statistic_free(out);
}

TEST_F(CapiOutOfMemory, StrideAndClip) {
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_stride", [&] { return trajplot_statistic_stride(&out, statistic_.get(), 2); },
                  [&] { EXPECT_EQ(out, sentinel_statistic()); }),
              0);
    trajplot_statistic_free(out);
    out = sentinel_statistic();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_clip", [&] { return trajplot_statistic_clip(&out, statistic_.get(), 1, 20); },
                  [&] { EXPECT_EQ(out, sentinel_statistic()); }),
              0);
    trajplot_statistic_free(out);
}

TEST_F(CapiOutOfMemory, TemplateAndCustomdata) {
    char* hovertemplate = sentinel_string();
    char* customdata = sentinel_string();
    std::size_t template_len = sentinel_size, customdata_len = sentinel_size;
    EXPECT_GT(fail_each_allocation(
                  "trajplot_labels_template_and_customdata",
                  [&] {
                      return trajplot_labels_template_and_customdata(&hovertemplate, &template_len, &customdata,
                                                                     &customdata_len, labels_.get(), 10);
                  },
                  [&] {
                      EXPECT_EQ(hovertemplate, sentinel_string());
                      EXPECT_EQ(customdata, sentinel_string());
                      EXPECT_EQ(template_len, sentinel_size);
                      EXPECT_EQ(customdata_len, sentinel_size);
                  }),
              0);
    trajplot_string_free(hovertemplate);
    trajplot_string_free(customdata);
}

TEST_F(CapiOutOfMemory, FigureCreate) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = R"({"colorbar": {"len": 0.5}, "name": "a name long enough to need an allocation"})";
    panel.colorscale = "Viridis_r";
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "a title long enough to need its own allocation";
    trajplot_figure* out = sentinel_figure();
    EXPECT_GT(
        fail_each_allocation(
            "trajplot_figure_create", [&] { return trajplot_figure_create(&out, statistic_.get(), &panel, &options); },
            [&] { EXPECT_EQ(out, sentinel_figure()); }),
        0);
    const FigurePtr figure(out);
    ASSERT_NE(out, sentinel_figure());
    EXPECT_NE(export_string(figure.get()).find("a name long enough"), std::string::npos);
}

TEST_F(CapiOutOfMemory, FigureCreateStacked) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.title = "a panel title long enough to need its own allocation";
    panel.log_scale = true;
    const trajplot_statistic* statistics[] = {statistic_.get(), rank_.get(), statistic_.get()};
    const trajplot_panel_options* panels[] = {nullptr, &panel, nullptr};
    trajplot_figure* out = sentinel_figure();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_figure_create_stacked",
                  [&] { return trajplot_figure_create_stacked(&out, statistics, panels, 3, nullptr); },
                  [&] { EXPECT_EQ(out, sentinel_figure()); }),
              0);
    const FigurePtr figure(out);
    ASSERT_NE(out, sentinel_figure());
    std::size_t count = 0;
    ASSERT_TRAJPLOT_OK(trajplot_figure_shape(nullptr, &count, figure.get()));
    EXPECT_EQ(count, 3u);
}

TEST_F(CapiOutOfMemory, ExportEveryFormat) {
    const trajplot_export_options page = page_options();
    const std::vector<std::pair<const trajplot_figure*, trajplot_export_options>> exports = {
        {figure_.get(), export_options(TRAJPLOT_FORMAT_FIGURE_JSON)},
        {figure_.get(), export_options(TRAJPLOT_FORMAT_TRACE_JSON)},
        {figure_.get(), page},
        {stacked_.get(), export_options(TRAJPLOT_FORMAT_FIGURE_JSON)},
        {stacked_.get(), page},
        {figure_.get(), export_options(TRAJPLOT_FORMAT_SVG)},
        {stacked_.get(), export_options(TRAJPLOT_FORMAT_SVG)},
    };
    std::vector<std::pair<const trajplot_figure*, trajplot_export_options>> all = exports;
    // A PDF records when it was made, so only PNG of the images Cairo draws.
    if (trajplot_format_available(TRAJPLOT_FORMAT_PNG)) {
        all.emplace_back(figure_.get(), export_options(TRAJPLOT_FORMAT_PNG));
        all.emplace_back(stacked_.get(), export_options(TRAJPLOT_FORMAT_PNG));
    }
    for (const auto& [figure, options] : all) {
        SCOPED_TRACE(options.format);
        const std::string expected = export_string(figure, &options);
        char* out = sentinel_string();
        std::size_t len = sentinel_size;
        EXPECT_GT(fail_each_allocation(
                      "trajplot_figure_export", [&] { return trajplot_figure_export(&out, &len, figure, &options); },
                      [&] {
                          EXPECT_EQ(out, sentinel_string());
                          EXPECT_EQ(len, sentinel_size);
                      }),
                  0);
        ASSERT_NE(out, sentinel_string());
        EXPECT_EQ(std::string_view(out, len), expected);
        trajplot_string_free(out);
    }
}

TEST_F(CapiOutOfMemory, StreamEveryFormat) {
    const trajplot_export_options page = page_options();
    for (const trajplot_export_options& options :
         {export_options(TRAJPLOT_FORMAT_FIGURE_JSON), export_options(TRAJPLOT_FORMAT_TRACE_JSON), page}) {
        SCOPED_TRACE(options.format);
        const std::string expected = export_string(figure_.get(), &options);
        FixedBuffer buffer;
        // A failed export may have written a start of the output, never
        // anything else.
        EXPECT_GT(fail_each_allocation(
                      "trajplot_figure_stream",
                      [&] {
                          buffer.size = 0;
                          return trajplot_figure_stream(figure_.get(), &options, write_into_fixed_buffer, &buffer);
                      },
                      [&] { EXPECT_EQ(expected.compare(0, buffer.size, buffer.text()), 0); }),
                  0);
        EXPECT_EQ(buffer.text(), expected);
    }
}

TEST_F(CapiOutOfMemory, SaveFigureJsonLeavesNoPartialFile) {
    namespace fs = std::filesystem;
    // In the working directory, so that a run that aborts leaves nothing in
    // the system's temporary directory; the next run starts afresh.
    const fs::path directory = fs::current_path() / "out-of-memory-write";
    fs::remove_all(directory);
    ASSERT_TRUE(fs::create_directories(directory));
    const fs::path path = directory / "figure.json";
    const std::string target = path.string();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_figure_save", [&] { return trajplot_figure_save(stacked_.get(), nullptr, target.c_str()); },
                  [&] { EXPECT_TRUE(fs::is_empty(directory)) << "a failed save left a file behind"; }),
              0);
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    EXPECT_EQ(names, std::set<std::string>{"figure.json"});
    fs::remove_all(directory);
}

TEST_F(CapiOutOfMemory, SaveHtmlWithInlinePlotlyJsLeavesNoPartialFile) {
    namespace fs = std::filesystem;
    const fs::path directory = fs::current_path() / "out-of-memory-write-html";
    fs::remove_all(directory);
    ASSERT_TRUE(fs::create_directories(directory));
    const fs::path plotly = fs::current_path() / "out-of-memory-plotly.js";
    {
        std::FILE* file = std::fopen(plotly.c_str(), "wb");
        ASSERT_NE(file, nullptr);
        std::fputs("window.Plotly = {newPlot: function () {}};\n", file);
        std::fclose(file);
    }
    const std::string location = plotly.string();
    trajplot_export_options html = page_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    html.plotlyjs_location = location.c_str();
    const std::string target = (directory / "page.html").string();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_figure_save", [&] { return trajplot_figure_save(figure_.get(), &html, target.c_str()); },
                  [&] { EXPECT_TRUE(fs::is_empty(directory)) << "a failed save left a file behind"; }),
              0);
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    EXPECT_EQ(names, std::set<std::string>{"page.html"});
    fs::remove_all(directory);
    fs::remove(plotly);
}

TEST_F(CapiOutOfMemory, TruncStringLeft) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    // Long enough that no small-string buffer holds it.
    const std::string text(100, 'x');
    EXPECT_GT(fail_each_allocation(
                  "trajplot_trunc_string_left",
                  [&] { return trajplot_trunc_string_left(&out, &len, text.data(), text.size(), 120); },
                  [&] {
                      EXPECT_EQ(out, sentinel_string());
                      EXPECT_EQ(len, sentinel_size);
                  }),
              0);
    EXPECT_EQ(len, 120u);
    trajplot_string_free(out);
}

TEST_F(CapiOutOfMemory, MessageThatCannotBeAllocatedFallsBackToAStaticOne) {
    // With no allocation allowed, recording "<function>: ..." fails too.
    trajplot_statistic* out = sentinel_statistic();
    allocations_left = 0;
    const trajplot_status status = trajplot_statistic_stride(&out, statistic_.get(), 0);
    allocations_left = -1;
    EXPECT_NE(status, TRAJPLOT_OK);
    EXPECT_STREQ(trajplot_error_last(), "out of memory");
    EXPECT_EQ(trajplot_error_last_status(), status);
    EXPECT_EQ(out, sentinel_statistic());
}
