// Allocation failures inside the library: this executable replaces the
// global operator new (which the shared library's C++ code resolves to) with
// one that can be told to fail, then runs each call with the first, second,
// ... allocation failing until it succeeds. Every failure must come back as
// a status (never an exception or abort), leave the outputs untouched and
// leave a readable message, even when the message itself cannot be
// allocated.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <new>
#include <set>
#include <string>
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
        EXPECT_EQ(status, TRAJPLOT_ENOMEM) << function << " with " << allowed << " allocations: "
                                           << trajplot_error_last();
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
        options.units = "nats";
        statistic_ = make_statistic("Entropy", numbered_stats(3, 2), 3, 2, &options);
        ASSERT_TRUE(labels_ && statistic_);
    }

    LabelsPtr labels_;
    StatisticPtr statistic_;
};

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

TEST_F(CapiOutOfMemory, StatisticCreate) {
    const std::vector<float> stats = numbered_stats(3, 2);
    const char* tokens[] = {"t0", "t1"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels_.get();
    options.sequence_labels = tokens;
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

TEST_F(CapiOutOfMemory, FigureJson) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.extra_json = R"({"colorbar": {"len": 0.5}})";
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_figure_json",
                  [&] { return trajplot_statistic_figure_json(&out, &len, statistic_.get(), &options); },
                  [&] {
                      EXPECT_EQ(out, sentinel_string());
                      EXPECT_EQ(len, sentinel_size);
                  }),
              0);
    EXPECT_EQ(std::strlen(out), len);
    trajplot_string_free(out);
}

TEST_F(CapiOutOfMemory, WriteFigureJsonLeavesNoPartialFile) {
    namespace fs = std::filesystem;
    // In the working directory, so that a run that aborts leaves nothing in
    // the system's temporary directory; the next run starts afresh.
    const fs::path directory = fs::current_path() / "out-of-memory-write";
    fs::remove_all(directory);
    ASSERT_TRUE(fs::create_directories(directory));
    const fs::path path = directory / "figure.json";
    const std::string target = path.string();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_write_figure_json",
                  [&] { return trajplot_statistic_write_figure_json(statistic_.get(), nullptr, target.c_str()); },
                  [&] { EXPECT_TRUE(fs::is_empty(directory)) << "a failed write left a file behind"; }),
              0);
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    EXPECT_EQ(names, std::set<std::string>{"figure.json"});
    fs::remove_all(directory);
}

TEST_F(CapiOutOfMemory, FigureHtml) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.title = "a title long enough to need its own allocation";
    trajplot_html_options html = TRAJPLOT_HTML_OPTIONS_INIT;
    html.div_id = "a-div-id-long-enough-to-need-its-own-allocation";
    html.responsive = true;
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_figure_html",
                  [&] { return trajplot_statistic_figure_html(&out, &len, statistic_.get(), &figure, &html); },
                  [&] {
                      EXPECT_EQ(out, sentinel_string());
                      EXPECT_EQ(len, sentinel_size);
                  }),
              0);
    EXPECT_EQ(std::strlen(out), len);
    trajplot_string_free(out);
}

TEST_F(CapiOutOfMemory, WriteFigureHtmlWithInlinePlotlyJsLeavesNoPartialFile) {
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
    trajplot_html_options html = TRAJPLOT_HTML_OPTIONS_INIT;
    html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    html.plotlyjs_location = location.c_str();
    const std::string target = (directory / "page.html").string();
    EXPECT_GT(fail_each_allocation(
                  "trajplot_statistic_write_figure_html",
                  [&] { return trajplot_statistic_write_figure_html(statistic_.get(), nullptr, &html, target.c_str()); },
                  [&] { EXPECT_TRUE(fs::is_empty(directory)) << "a failed write left a file behind"; }),
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
                  [&] { return trajplot_trunc_string_left(&out, &len, text.c_str(), 120); },
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
