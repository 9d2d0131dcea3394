// Where a figure goes: a returned string (trajplot_figure_export), a file
// replaced atomically (trajplot_figure_save) and the caller's write function
// (trajplot_figure_stream). Every format reaches every destination as the
// same bytes.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A stand-in for plotly.min.js: the pages are read, never run.
constexpr const char* fake_plotly_js = "window.Plotly = {newPlot: function () { return 1 < 2; }};\n";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::set<std::string> directory_entries(const fs::path& directory) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    return names;
}

class CapiDestinations : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        directory_ = fs::temp_directory_path() /
                     ("trajplot-capi-destinations-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(directory_);
        ASSERT_TRUE(fs::create_directories(directory_));
        plotly_ = directory_ / "plotly.min.js";
        std::ofstream(plotly_, std::ios::binary) << fake_plotly_js;
        plotly_location_ = plotly_.string();

        labels_ = make_labels(3, 3, {"a", "<b>", "c", "d", "e", "f", "g", "h", "i"},
                              std::vector<std::string>(3 * 3 * 2, "hv"), 1, 2);
        const char* tokens[] = {"<s>", "a", "a"};
        trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
        options.sequence_labels = tokens;
        options.sequence_label_count = 3;
        options.units = "nats";
        options.trajectory_labels = labels_.get();
        statistic_ = make_statistic("Entropy", numbered_stats(3, 3), 3, 3, &options);
        rank_ = make_statistic("Rank", numbered_stats(2, 3), 2, 3);
        ASSERT_TRUE(labels_ && statistic_ && rank_);
        trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
        figure_options.title = "T";
        figure_ = make_figure(statistic_.get(), nullptr, &figure_options);
        stacked_ = make_stacked({statistic_.get(), rank_.get()});
        ASSERT_TRUE(figure_ && stacked_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(directory_, ignored);
    }

    // The export options of every format, with the page's plotly.js ways
    // that depend on nothing installed.
    std::vector<std::pair<std::string, trajplot_export_options>> every_format(bool stacked) const {
        std::vector<std::pair<std::string, trajplot_export_options>> formats;
        formats.emplace_back("figure JSON", export_options(TRAJPLOT_FORMAT_FIGURE_JSON));
        if (!stacked) formats.emplace_back("trace JSON", export_options(TRAJPLOT_FORMAT_TRACE_JSON));
        trajplot_export_options page = export_options(TRAJPLOT_FORMAT_HTML);
        page.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
        page.plotlyjs_location = plotly_location_.c_str();
        formats.emplace_back("page inlining plotly.js", page);
        page.plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
        page.plotlyjs_location = nullptr;
        page.full_html = false;
        page.responsive = true;
        page.div_id = "fragment-1";
        formats.emplace_back("fragment", page);
        return formats;
    }

    // A figure whose exports are several of the writer's 64 KiB chunks, and
    // whose 70 000 values are formatted on two threads (from 65 536).
    FigurePtr large_figure() {
        constexpr std::size_t n_layers = 70, seq_len = 1000;
        std::vector<float> stats(n_layers * seq_len);
        for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = static_cast<float>(i % 977) / 3.0f;
        large_statistic_ = make_statistic("Large", stats, n_layers, seq_len);
        return large_statistic_ ? make_figure(large_statistic_.get()) : nullptr;
    }

    fs::path directory_;
    fs::path plotly_;
    std::string plotly_location_;
    LabelsPtr labels_;
    StatisticPtr statistic_;
    StatisticPtr rank_;
    StatisticPtr large_statistic_;
    FigurePtr figure_;
    FigurePtr stacked_;
};

}  // namespace

// ---------------------------------------------------------------------------
// The same bytes everywhere

TEST_F(CapiDestinations, EveryFormatReachesEveryDestinationAsTheSameBytes) {
    for (const bool stacked : {false, true}) {
        const trajplot_figure* figure = stacked ? stacked_.get() : figure_.get();
        for (const auto& [name, options] : every_format(stacked)) {
            SCOPED_TRACE((stacked ? "stacked, " : "one statistic, ") + name);
            const std::string exported = export_string(figure, &options);
            ASSERT_FALSE(exported.empty());
            EXPECT_EQ(stream_string(figure, &options), exported);
            const fs::path path = directory_ / "out";
            ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure, &options, path.c_str()));
            EXPECT_EQ(read_file(path), exported);
            EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"out", "plotly.min.js"}))
                << "no temporary file is left";
        }
    }
}

TEST_F(CapiDestinations, EachFormatIsWhatItSays) {
    const json document = json::parse(export_string(figure_.get(), TRAJPLOT_FORMAT_FIGURE_JSON));
    EXPECT_EQ(document["layout"]["title"]["text"], "T");
    ASSERT_EQ(document["data"].size(), 1u);
    const json trace = json::parse(export_string(figure_.get(), TRAJPLOT_FORMAT_TRACE_JSON));
    EXPECT_EQ(trace["type"], "heatmap");
    EXPECT_EQ(trace, document["data"][0]);
    const std::string page = export_string(figure_.get(), &every_format(false)[2].second);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find(fake_plotly_js), std::string::npos);
    const std::string fragment = export_string(figure_.get(), &every_format(false)[3].second);
    EXPECT_EQ(fragment.rfind("<div>", 0), 0u);
    EXPECT_NE(fragment.find("<div id=\"fragment-1\""), std::string::npos);
    const json stacked = json::parse(export_string(stacked_.get(), TRAJPLOT_FORMAT_FIGURE_JSON));
    EXPECT_EQ(stacked["data"].size(), 2u);
}

TEST_F(CapiDestinations, LargeExportsAreTheSameBytesEverywhere) {
    const FigurePtr figure = large_figure();
    ASSERT_TRUE(figure);
    for (const int format : {TRAJPLOT_FORMAT_FIGURE_JSON, TRAJPLOT_FORMAT_TRACE_JSON}) {
        SCOPED_TRACE(format);
        const trajplot_export_options options = export_options(format);
        const std::string exported = export_string(figure.get(), &options);
        ASSERT_GT(exported.size(), std::size_t{3} << 16);
        StreamCapture capture;
        ASSERT_TRAJPLOT_OK(trajplot_figure_stream(figure.get(), &options, capture_piece, &capture));
        EXPECT_GT(capture.calls, 1u) << "a large export comes in pieces";
        EXPECT_EQ(capture.bytes, exported);
        const fs::path path = directory_ / "large.json";
        ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure.get(), &options, path.c_str()));
        EXPECT_EQ(read_file(path), exported);
    }
}

// ---------------------------------------------------------------------------
// The caller's write function

namespace {

// Checks that every call gets the user pointer it was given.
struct Tagged {
    const void* self = nullptr;
    std::size_t wrong_user = 0;
    std::string bytes;
};

int tagged_write(void* user, const char* data, std::size_t len) {
    auto* tagged = static_cast<Tagged*>(user);
    if (tagged->self != tagged) ++tagged->wrong_user;
    tagged->bytes.append(data, len);
    return 0;
}

}  // namespace

TEST_F(CapiDestinations, WriteFunctionGetsTheUserPointerUnchanged) {
    const FigurePtr figure = large_figure();
    ASSERT_TRUE(figure);
    Tagged tagged;
    tagged.self = &tagged;
    ASSERT_TRAJPLOT_OK(trajplot_figure_stream(figure.get(), nullptr, tagged_write, &tagged));
    EXPECT_EQ(tagged.wrong_user, 0u);
    EXPECT_EQ(tagged.bytes, export_string(figure.get()));
}

TEST_F(CapiDestinations, NonzeroReturnStopsTheExportWithAnIoError) {
    const FigurePtr figure = large_figure();
    ASSERT_TRUE(figure);
    const std::string whole = export_string(figure.get());
    for (const std::size_t stop_at : {std::size_t{1}, std::size_t{2}}) {
        for (const int stop_value : {1, -1, 42}) {
            SCOPED_TRACE("stop at call " + std::to_string(stop_at) + " with " + std::to_string(stop_value));
            StreamCapture capture;
            capture.stop_at = stop_at;
            capture.stop_value = stop_value;
            EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure.get(), nullptr, capture_piece, &capture), TRAJPLOT_EIO,
                                  "trajplot_figure_stream", "write function returned " + std::to_string(stop_value),
                                  "stopped");
            EXPECT_EQ(capture.calls, stop_at);
            EXPECT_EQ(capture.calls_after_stop, 0u) << "the write function was called after it stopped the export";
            EXPECT_FALSE(capture.bytes.empty());
            EXPECT_LT(capture.bytes.size(), whole.size());
            EXPECT_EQ(whole.compare(0, capture.bytes.size(), capture.bytes), 0)
                << "the pieces are not the start of the export";
        }
    }
}

TEST_F(CapiDestinations, StoppingOnTheOnlyPieceOfASmallExportIsAnIoError) {
    for (const bool stacked : {false, true}) {
        const trajplot_figure* figure = stacked ? stacked_.get() : figure_.get();
        for (const auto& [name, options] : every_format(stacked)) {
            SCOPED_TRACE(name);
            StreamCapture capture;
            capture.stop_at = 1;
            EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure, &options, capture_piece, &capture), TRAJPLOT_EIO,
                                  "trajplot_figure_stream", "returned 1");
            EXPECT_EQ(capture.calls, 1u);
            EXPECT_EQ(capture.calls_after_stop, 0u);
        }
    }
    // The figure is still whole afterwards.
    EXPECT_EQ(stream_string(figure_.get()), export_string(figure_.get()));
}

TEST_F(CapiDestinations, PiecesAreNeverEmpty) {
    const FigurePtr figure = large_figure();
    ASSERT_TRUE(figure);
    std::size_t empty = 0;
    const auto count_empty = [](void* user, const char*, std::size_t len) -> int {
        if (len == 0) ++*static_cast<std::size_t*>(user);
        return 0;
    };
    ASSERT_TRAJPLOT_OK(trajplot_figure_stream(figure.get(), nullptr, count_empty, &empty));
    EXPECT_EQ(empty, 0u);
}

// ---------------------------------------------------------------------------
// Files

TEST_F(CapiDestinations, SavingReplacesAnEarlierFile) {
    const fs::path path = directory_ / "figure.json";
    std::ofstream(path) << "old content that is longer than nothing";
    ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure_.get(), nullptr, path.c_str()));
    EXPECT_EQ(read_file(path), export_string(figure_.get()));
    // NULL options are figure JSON.
    EXPECT_EQ(read_file(path).rfind("{\"data\":[", 0), 0u);
}

TEST_F(CapiDestinations, MissingDirectoryIsAnIoErrorAndLeavesNothing) {
    const fs::path missing = directory_ / "missing";
    const fs::path path = missing / "figure.json";
    for (const auto& [name, options] : every_format(false)) {
        SCOPED_TRACE(name);
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &options, path.c_str()), TRAJPLOT_EIO,
                              "trajplot_figure_save", "figure.json");
    }
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_EQ(directory_entries(directory_), std::set<std::string>{"plotly.min.js"});
}

TEST_F(CapiDestinations, FailedSaveLeavesTheEarlierFileIntact) {
    const fs::path path = directory_ / "figure.json";
    ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure_.get(), nullptr, path.c_str()));
    const std::string earlier = read_file(path);

    // Refused options, and a plotly.js that cannot be read.
    trajplot_export_options bad_id = export_options(TRAJPLOT_FORMAT_HTML);
    bad_id.div_id = "1bad";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &bad_id, path.c_str()), TRAJPLOT_EINVAL,
                          "trajplot_figure_save", "div_id", "1bad");
    trajplot_export_options missing_file = export_options(TRAJPLOT_FORMAT_HTML);
    missing_file.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    const std::string missing = (directory_ / "missing.js").string();
    missing_file.plotlyjs_location = missing.c_str();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &missing_file, path.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "missing.js");
    const trajplot_export_options trace = export_options(TRAJPLOT_FORMAT_TRACE_JSON);
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(stacked_.get(), &trace, path.c_str()), TRAJPLOT_EINVAL,
                          "trajplot_figure_save", "stacked");
    EXPECT_EQ(read_file(path), earlier);
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"figure.json", "plotly.min.js"}));
}

// A write that fails half-way (here the file size limit, EFBIG) must leave
// the earlier file as it was and no temporary file. The limit is set in a
// child, so that this process keeps its own.
TEST_F(CapiDestinations, WriteFailingHalfWayLeavesTheEarlierFileIntact) {
    const FigurePtr figure = large_figure();
    ASSERT_TRUE(figure);
    const fs::path path = directory_ / "figure.json";
    const std::string earlier = "an earlier, short file\n";
    std::ofstream(path, std::ios::binary) << earlier;
    constexpr rlim_t limit = 100000;  // past the first chunk, well short of the whole
    ASSERT_GT(export_string(figure.get()).size(), std::size_t{2} * limit);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit small = {limit, limit};
        if (::setrlimit(RLIMIT_FSIZE, &small) != 0) ::_exit(3);
        const trajplot_status status = trajplot_figure_save(figure.get(), nullptr, path.c_str());
        const std::string message = trajplot_error_last();
        const bool named =
            message.find("figure.json") != std::string::npos && message.rfind("trajplot_figure_save: ", 0) == 0;
        ::_exit(status == TRAJPLOT_EIO && named ? 0 : 1);
    }
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFEXITED(wait_status)) << "the child died of signal " << WTERMSIG(wait_status);
    EXPECT_EQ(WEXITSTATUS(wait_status), 0) << "1: the save did not fail with EIO naming the file; 3: setrlimit failed";
    EXPECT_EQ(read_file(path), earlier);
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"figure.json", "plotly.min.js"}));
}

TEST_F(CapiDestinations, TargetThatIsADirectoryIsAnIoErrorAndLeavesNoTemporary) {
    const fs::path target = directory_ / "occupied";
    ASSERT_TRUE(fs::create_directory(target));
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, target.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "occupied");
    EXPECT_TRUE(fs::is_directory(target));
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"occupied", "plotly.min.js"}));
}

TEST_F(CapiDestinations, EmptyPathIsAnIoError) {
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, ""), TRAJPLOT_EIO, "trajplot_figure_save",
                          "path");
}

TEST_F(CapiDestinations, FifoIsWrittenDirectly) {
    const fs::path fifo = directory_ / "pipe";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string expected = export_string(figure_.get());
    ASSERT_LT(expected.size(), std::size_t{1} << 14) << "the export must fit in the pipe's buffer";
    // A reader that is already there lets the save open the FIFO at once,
    // and fits the whole export in the pipe; reading afterwards cannot
    // block (a FIFO that was never opened for writing reads as empty).
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    const trajplot_status status = trajplot_figure_save(figure_.get(), nullptr, fifo.c_str());
    std::string received;
    char buffer[4096];
    for (ssize_t got; (got = ::read(reader, buffer, sizeof buffer)) > 0;) {
        received.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(reader);
    EXPECT_EQ(status, TRAJPLOT_OK) << trajplot_error_last();
    EXPECT_EQ(received, expected);
    EXPECT_TRUE(fs::is_fifo(fifo)) << "the FIFO was replaced";
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"pipe", "plotly.min.js"}));
}
