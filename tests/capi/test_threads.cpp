// Handles are immutable: many threads may read the same one at once and get
// what a single thread gets; many threads may export one figure at once, in
// any format to any destination, and get the single-threaded bytes.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "capi_test_support.hpp"

using namespace capi_test;

namespace {

constexpr int thread_count = 8;
constexpr int rounds = 20;

// Everything a thread derives from the shared statistic.
struct Derived {
    std::vector<float> strided_stats;
    std::vector<std::string> strided_layers;
    std::vector<float> clipped_stats;
    std::string figure;
    std::string heatmap;
    std::string clipped_figure;
    std::string hover_template;
    std::string customdata;
    bool ok = false;
};

Derived derive(const trajplot_statistic* statistic, const trajplot_panel_options* panel,
               const trajplot_figure_options* options) {
    Derived result;
    trajplot_statistic* strided = nullptr;
    trajplot_statistic* clipped = nullptr;
    if (trajplot_statistic_stride(&strided, statistic, 2) != TRAJPLOT_OK) return result;
    const StatisticPtr strided_owner(strided);
    if (trajplot_statistic_clip(&clipped, statistic, -5, 25) != TRAJPLOT_OK) return result;
    const StatisticPtr clipped_owner(clipped);
    result.strided_stats = read_stats(strided);
    result.strided_layers = read_layer_labels(strided);
    result.clipped_stats = read_stats(clipped);
    result.figure = figure_json(statistic, panel, options);
    result.heatmap = trace_json(statistic, panel, options);
    result.clipped_figure = figure_json(clipped, panel, options);

    trajplot_labels* labels = nullptr;
    if (trajplot_statistic_trajectory_labels(&labels, statistic) != TRAJPLOT_OK) return result;
    const LabelsPtr labels_owner(labels);
    char* hover_template = nullptr;
    char* customdata = nullptr;
    if (trajplot_labels_template_and_customdata(&hover_template, nullptr, &customdata, nullptr, labels, 4) !=
        TRAJPLOT_OK) {
        return result;
    }
    const StringPtr template_owner(hover_template), customdata_owner(customdata);
    result.hover_template = hover_template;
    result.customdata = customdata;
    result.ok = true;
    return result;
}

// Runs `round(thread_index)` `rounds_per_thread` times on each of
// thread_count threads, all released at once so that their calls overlap.
template <class Round>
void run_together(int rounds_per_thread, const Round& round) {
    std::atomic<bool> start{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
            while (!start.load()) std::this_thread::yield();
            for (int r = 0; r < rounds_per_thread; ++r) round(t);
        });
    }
    start = true;
    for (std::thread& thread : threads) thread.join();
}

bool same(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST(CapiThreads, ConcurrentReadersSeeTheSingleThreadedResult) {
    constexpr std::size_t n_layers = 7, seq_len = 9;
    std::vector<std::string> cells, hover, tokens;
    for (std::size_t i = 0; i < n_layers * seq_len; ++i) {
        cells.push_back("c" + std::to_string(i));
        hover.push_back("tok" + std::to_string(i));
        hover.push_back(std::to_string(i % 7) + "%");
    }
    for (std::size_t i = 0; i < seq_len; ++i) tokens.push_back(i % 3 ? "w" + std::to_string(i) : "dup");
    const LabelsPtr labels = make_labels(n_layers, seq_len, cells, hover, 1, 2);
    ASSERT_TRUE(labels);
    const auto token_pointers = c_strings(tokens);
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.sequence_labels = token_pointers.data();
    statistic_options.sequence_label_count = token_pointers.size();
    statistic_options.trajectory_labels = labels.get();
    statistic_options.units = "nats";
    const StatisticPtr statistic =
        make_statistic("Entropy", numbered_stats(n_layers, seq_len), n_layers, seq_len, &statistic_options);
    ASSERT_TRUE(statistic);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "threads";
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = R"({"colorbar": {"len": 0.5}})";

    const Derived expected = derive(statistic.get(), &panel, &options);
    ASSERT_TRUE(expected.ok) << trajplot_error_last();

    std::atomic<int> mismatches{0};
    run_together(rounds, [&](int) {
        const Derived got = derive(statistic.get(), &panel, &options);
        const bool equal = got.ok && same(got.strided_stats, expected.strided_stats) &&
                           got.strided_layers == expected.strided_layers &&
                           same(got.clipped_stats, expected.clipped_stats) && got.figure == expected.figure &&
                           got.heatmap == expected.heatmap && got.clipped_figure == expected.clipped_figure &&
                           got.hover_template == expected.hover_template && got.customdata == expected.customdata;
        if (!equal) ++mismatches;
    });
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(CapiThreads, ConcurrentFailuresKeepTheirOwnMessages) {
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2);
    ASSERT_TRUE(statistic);
    std::atomic<int> wrong{0};
    run_together(rounds, [&](int t) {
        // Each thread fails with a colourscale name of its own and must read
        // back its own message, also after other threads failed.
        const std::string scale = "unknown-scale-" + std::to_string(t);
        trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
        panel.colorscale = scale.c_str();
        trajplot_figure* out = nullptr;
        if (trajplot_figure_create(&out, statistic.get(), &panel, nullptr) != TRAJPLOT_EINVAL ||
            std::string(trajplot_error_last()).find(scale) == std::string::npos) {
            ++wrong;
        }
        std::this_thread::yield();
        if (std::string(trajplot_error_last()).find(scale) == std::string::npos) ++wrong;
    });
    EXPECT_EQ(wrong.load(), 0);
}

// Above 65 536 cells an export formats on a second thread of its own: eight
// threads sharing one statistic and one labels handle then run sixteen
// exports at once. Every output must still be the single-threaded one.
TEST(CapiThreads, LargeSharedHandlesExportLikeOneThread) {
    constexpr std::size_t n_layers = 40, seq_len = 2000;
    std::vector<std::string> cells, hover;
    for (std::size_t i = 0; i < n_layers * seq_len; ++i) {
        cells.push_back(i % 5 ? "t" + std::to_string(i % 313) : "<&\xCE\x94>");
        hover.push_back("tok" + std::to_string(i % 211));
        hover.push_back(std::to_string(i % 97) + ".5%");
    }
    const LabelsPtr labels = make_labels(n_layers, seq_len, cells, hover, 1, 2);
    ASSERT_TRUE(labels);
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.trajectory_labels = labels.get();
    std::vector<float> stats(n_layers * seq_len);
    for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = static_cast<float>(i % 1009) / 7.0f;
    const StatisticPtr statistic = make_statistic("Entropy", stats, n_layers, seq_len, &statistic_options);
    ASSERT_TRUE(statistic);

    struct Outputs {
        std::string figure, html, strided_figure, clipped_figure, strided_label;
        bool ok = false;
    };
    const auto produce = [&]() {
        Outputs out;
        trajplot_labels* strided_labels = nullptr;
        trajplot_statistic* strided = nullptr;
        trajplot_statistic* clipped = nullptr;
        if (trajplot_labels_stride(&strided_labels, labels.get(), 3) != TRAJPLOT_OK) return out;
        const LabelsPtr strided_labels_owner(strided_labels);
        if (trajplot_statistic_stride(&strided, statistic.get(), 3) != TRAJPLOT_OK) return out;
        const StatisticPtr strided_owner(strided);
        if (trajplot_statistic_clip(&clipped, statistic.get(), 10.0f, 100.0f) != TRAJPLOT_OK) return out;
        const StatisticPtr clipped_owner(clipped);
        const char* label = nullptr;
        std::size_t label_len = 0;
        if (trajplot_labels_label(&label, &label_len, strided_labels, 13, 1999) != TRAJPLOT_OK) return out;
        out.strided_label.assign(label, label_len);
        out.html = html_page(statistic.get(), nullptr, nullptr, nullptr);
        out.figure = figure_json(statistic.get());
        out.strided_figure = figure_json(strided);
        out.clipped_figure = figure_json(clipped);
        out.ok = !out.html.empty() && !out.figure.empty() && !out.strided_figure.empty() && !out.clipped_figure.empty();
        return out;
    };
    const Outputs expected = produce();
    ASSERT_TRUE(expected.ok) << trajplot_error_last();
    // Stride 3 of 40 layers keeps 0, 3, ..., 39: the last one stays.
    EXPECT_EQ(expected.strided_label, cells[39 * seq_len + 1999]);

    std::atomic<int> mismatches{0};
    run_together(2, [&](int) {
        const Outputs got = produce();
        if (!got.ok || got.figure != expected.figure || got.html != expected.html ||
            got.strided_figure != expected.strided_figure || got.clipped_figure != expected.clipped_figure ||
            got.strided_label != expected.strided_label) {
            ++mismatches;
        }
    });
    EXPECT_EQ(mismatches.load(), 0);
}

// One figure, made once, exported by eight threads at once in every format
// to every destination: a string, the caller's write function, a file of
// the thread's own. The figures are large enough that every export formats
// on a second thread of its own too.
TEST(CapiThreads, ManyThreadsExportingOneFigureGetTheSameBytes) {
    namespace fs = std::filesystem;
    // 68 000 cells: above the 65 536 elements from which an array is
    // formatted on a second thread.
    constexpr std::size_t n_layers = 17, seq_len = 4000;
    std::vector<std::string> cells, tokens;
    for (std::size_t i = 0; i < n_layers * seq_len; ++i) {
        cells.push_back(i % 7 ? "t" + std::to_string(i % 101) : "<\xCE\x94&>");
    }
    for (std::size_t i = 0; i < seq_len; ++i) tokens.push_back("w" + std::to_string(i % 17));
    const LabelsPtr labels = make_labels(n_layers, seq_len, cells);
    ASSERT_TRUE(labels);
    const auto token_pointers = c_strings(tokens);
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.trajectory_labels = labels.get();
    statistic_options.sequence_labels = token_pointers.data();
    statistic_options.sequence_label_count = token_pointers.size();
    statistic_options.units = "nats";
    std::vector<float> stats(n_layers * seq_len);
    for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = 0.5f + static_cast<float>(i % 1013) / 9.0f;
    const StatisticPtr entropy = make_statistic("Entropy", stats, n_layers, seq_len, &statistic_options);
    const StatisticPtr rank = make_statistic("Rank", stats, n_layers, seq_len);
    ASSERT_TRUE(entropy && rank);
    trajplot_panel_options log = TRAJPLOT_PANEL_OPTIONS_INIT;
    log.log_scale = true;
    log.hover_value = true;
    const FigurePtr single = make_figure(entropy.get(), &log);
    const FigurePtr stacked = make_stacked({entropy.get(), rank.get()}, {nullptr, &log});
    ASSERT_TRUE(single && stacked);

    struct Export {
        const trajplot_figure* figure;
        trajplot_export_options options;
        std::string expected;
    };
    std::vector<Export> exports;
    for (const trajplot_figure* figure : {single.get(), stacked.get()}) {
        for (const int format : {TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_FORMAT_TRACE_JSON, TRAJPLOT_FORMAT_HTML}) {
            if (figure == stacked.get() && format == TRAJPLOT_FORMAT_TRACE_JSON) continue;
            trajplot_export_options options = export_options(format);
            options.plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
            exports.push_back({figure, options, export_string(figure, &options)});
            ASSERT_GT(exports.back().expected.size(), std::size_t{1} << 19);
        }
    }

    const fs::path directory = fs::temp_directory_path() / ("trajplot-capi-threads-" + std::to_string(::getpid()));
    fs::remove_all(directory);
    ASSERT_TRUE(fs::create_directories(directory));
    std::atomic<int> mismatches{0}, failures{0};
    // Thread t exports every job, starting at a job of its own so that
    // different formats overlap, to destination t % 3: all three
    // destinations see every job while the others run.
    run_together(1, [&](int t) {
        for (std::size_t i = 0; i < exports.size(); ++i) {
            const Export& job = exports[(i + static_cast<std::size_t>(t)) % exports.size()];
            std::string got;
            if (t % 3 == 0) {
                char* text = nullptr;
                std::size_t len = 0;
                if (trajplot_figure_export(&text, &len, job.figure, &job.options) != TRAJPLOT_OK) ++failures;
                const StringPtr owner(text);
                if (text != nullptr) got.assign(text, len);
            } else if (t % 3 == 1) {
                StreamCapture capture;
                if (trajplot_figure_stream(job.figure, &job.options, capture_piece, &capture) != TRAJPLOT_OK) {
                    ++failures;
                }
                got = std::move(capture.bytes);
            } else {
                const fs::path path = directory / ("thread-" + std::to_string(t) + ".out");
                if (trajplot_figure_save(job.figure, &job.options, path.c_str()) != TRAJPLOT_OK) ++failures;
                std::ifstream in(path, std::ios::binary);
                std::ostringstream saved;
                saved << in.rdbuf();
                got = saved.str();
            }
            if (got != job.expected) ++mismatches;
        }
    });
    EXPECT_EQ(failures.load(), 0) << trajplot_error_last();
    EXPECT_EQ(mismatches.load(), 0);
    std::error_code ignored;
    fs::remove_all(directory, ignored);
}
