// What a careless or hostile caller can pass: sizes beyond memory, huge
// strings, non-finite numbers, absurdly nested JSON, unwritable or full
// destinations. Each call fails with a clear error (or succeeds with valid
// output) and leaves nothing behind.
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Lowers the process-wide memory limit for one test and restores the default.
class MemoryLimitScope {
public:
    explicit MemoryLimitScope(std::size_t bytes) { trajplot_set_memory_limit(bytes); }
    ~MemoryLimitScope() { trajplot_set_memory_limit(0); }
    MemoryLimitScope(const MemoryLimitScope&) = delete;
    MemoryLimitScope& operator=(const MemoryLimitScope&) = delete;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> entries_of(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

class CapiHostileFiles : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        directory_ =
            fs::temp_directory_path() / ("trajplot-hostile-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(directory_);
        ASSERT_TRUE(fs::create_directories(directory_));
        statistic_ = make_statistic("Entropy", numbered_stats(3, 4), 3, 4);
        ASSERT_TRUE(statistic_);
        figure_ = make_figure(statistic_.get());
        ASSERT_TRUE(figure_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(directory_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(directory_, ignored);
    }

    fs::path directory_;
    StatisticPtr statistic_;
    FigurePtr figure_;
};

// ---------------------------------------------------------------------------
// Sizes

TEST(CapiHostileInput, StatsBeyondTheMachinesMemoryAreRefusedBeforeReading) {
    // 2^24 x 2^24 floats is a petabyte: it fits the address space, not the
    // machine. Only one float exists behind the pointer; it must not be read.
    const float one_value = 1.0f;
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(
        trajplot_statistic_create(&out, "Huge", &one_value, std::size_t{1} << 24, std::size_t{1} << 24, nullptr),
        TRAJPLOT_ERANGE, "trajplot_statistic_create", "n_layers x seq_len (16777216 x 16777216)", "memory limit");
    EXPECT_EQ(out, sentinel_statistic());
}

TEST(CapiHostileInput, LabelsBeyondTheMachinesMemoryAreRefusedBeforeReading) {
    const char* one_label[] = {"x"};
    trajplot_labels* out = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, std::size_t{1} << 24, std::size_t{1} << 24, one_label, nullptr,
                                                 nullptr, nullptr, 0, 0),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "memory limit");
    EXPECT_EQ(out, sentinel_labels());
    // Hover tables multiply the count again.
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&out, 1, 1, one_label, nullptr, one_label, nullptr,
                                                 std::size_t{1} << 20, std::size_t{1} << 20),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "hover_rows", "memory limit");
    EXPECT_EQ(out, sentinel_labels());
}

TEST(CapiHostileInput, DefaultMemoryLimitIsTheMachinesAndZeroRestoresIt) {
    trajplot_set_memory_limit(0);
    const std::size_t machine = trajplot_memory_limit();
    EXPECT_GE(machine, std::size_t{1} << 26);
    {
        const MemoryLimitScope lowered(12345);
        EXPECT_EQ(trajplot_memory_limit(), 12345u);
    }
    EXPECT_EQ(trajplot_memory_limit(), machine);
}

TEST(CapiHostileInput, LoweredMemoryLimitRefusesStringsButNotFiles) {
    const MemoryLimitScope lowered(std::size_t{1} << 20);
    // Two strings of 600 KB need more than 1 MB: refused, with the sizes.
    const std::string big(600000, 'x');
    const char* two_big[] = {big.c_str(), big.c_str()};
    trajplot_labels* labels = sentinel_labels();
    EXPECT_TRAJPLOT_FAILS(trajplot_labels_create(&labels, 2, 1, two_big, nullptr, nullptr, nullptr, 0, 0),
                          TRAJPLOT_ERANGE, "trajplot_labels_create", "1200", "memory limit of 1048576 bytes");
    EXPECT_EQ(labels, sentinel_labels());

    // 100 x 2000 stats (800 KB) fit; their figure JSON (about 1.9 MB) does
    // not fit in a returned string, but streams to a file or to the
    // caller's write function.
    std::vector<float> stats(100 * 2000);
    for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = 1.0f + static_cast<float>(i) / 3.0f;
    const StatisticPtr statistic = make_statistic("Wide", stats, 100, 2000);
    ASSERT_TRUE(statistic);
    const FigurePtr wide = make_figure(statistic.get());
    ASSERT_TRUE(wide);
    char* out = sentinel_string();
    std::size_t out_len = 77;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, &out_len, wide.get(), nullptr), TRAJPLOT_ERANGE,
                          "trajplot_figure_export", "the output", "memory limit");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(out_len, 77u);
    trajplot_export_options html = export_options(TRAJPLOT_FORMAT_HTML);
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, &out_len, wide.get(), &html), TRAJPLOT_ERANGE,
                          "trajplot_figure_export", "memory limit");
    const trajplot_export_options trace = export_options(TRAJPLOT_FORMAT_TRACE_JSON);
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, &out_len, wide.get(), &trace), TRAJPLOT_ERANGE,
                          "trajplot_figure_export", "memory limit");
    EXPECT_EQ(out, sentinel_string());

    const fs::path path = fs::temp_directory_path() / ("trajplot-limit-" + std::to_string(::getpid()) + ".json");
    ASSERT_EQ(trajplot_figure_save(wide.get(), nullptr, path.c_str()), TRAJPLOT_OK) << trajplot_error_last();
    const std::string saved = read_file(path);
    fs::remove(path);
    EXPECT_GT(saved.size(), std::size_t{1} << 20);
    const json figure = json::parse(saved);
    ASSERT_EQ(figure["data"][0]["z"].size(), 100u);
    EXPECT_EQ(figure["data"][0]["z"][99][1999].get<float>(), stats.back());
    StreamCapture capture;
    ASSERT_EQ(trajplot_figure_stream(wide.get(), nullptr, capture_piece, &capture), TRAJPLOT_OK)
        << trajplot_error_last();
    EXPECT_EQ(capture.bytes, saved);
}

// ---------------------------------------------------------------------------
// Strings

TEST(CapiHostileInput, TokensOfAMegabyteSurviveEveryExport) {
    // 1 MiB tokens of multi-byte text and markup, in every string input.
    std::string token;
    while (token.size() < (std::size_t{1} << 20)) token += "\xCE\x94<b>&";
    std::string escaped;  // as Plotly must receive it
    for (const char c : token) {
        if (c == '<')
            escaped += "&lt;";
        else if (c == '>')
            escaped += "&gt;";
        else if (c == '&')
            escaped += "&amp;";
        else
            escaped += c;
    }
    const std::vector<std::string> cells = {token, "short"};
    const std::vector<std::string> hover = {token, "1.00%", "a", "b"};
    const LabelsPtr labels = make_labels(1, 2, cells, hover, 2, 1);
    ASSERT_TRUE(labels);
    const std::vector<std::string> sequence = {token, "x"};
    const auto sequence_pointers = c_strings(sequence);
    const auto sequence_lengths = byte_lengths(sequence);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = sequence_pointers.data();
    options.sequence_label_lengths = sequence_lengths.data();
    options.sequence_label_count = sequence_pointers.size();
    options.trajectory_labels = labels.get();
    options.units = token.c_str();
    const StatisticPtr statistic = make_statistic(token.c_str(), {1.0f, 2.0f}, 1, 2, &options);
    ASSERT_TRUE(statistic);

    const json figure = json::parse(figure_json(statistic.get()));
    const json& trace = figure["data"][0];
    EXPECT_EQ(trace["x"][0].get<std::string>().find(escaped), 0u);
    EXPECT_EQ(trace["text"][0][0], escaped);
    // Hover entries are cut to their column's width, keeping their end.
    const std::string entry = trace["customdata"][0][0][0];
    EXPECT_FALSE(entry.empty());
    EXPECT_TRUE(escaped.ends_with(entry)) << entry;
    EXPECT_EQ(trace["colorbar"]["title"]["text"], escaped + " (" + escaped + ")");

    const std::string html = html_page(statistic.get(), nullptr, nullptr, nullptr);
    EXPECT_GT(html.size(), std::size_t{4} << 20);
    EXPECT_EQ(html.find("<b>"), std::string::npos) << "markup from a token reached the page";
}

// ---------------------------------------------------------------------------
// Numbers

TEST(CapiHostileInput, NonFiniteStatsEverywhereGiveValidOutput) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> stats = {nan, inf, -inf, nan, -inf, inf};
    const StatisticPtr statistic = make_statistic("Broken", stats, 2, 3);
    ASSERT_TRUE(statistic);
    trajplot_statistic* clipped = nullptr;
    ASSERT_EQ(trajplot_statistic_clip(&clipped, statistic.get(), -1.0f, 1.0f), TRAJPLOT_OK) << trajplot_error_last();
    const StatisticPtr clipped_owner(clipped);
    trajplot_statistic* strided = nullptr;
    ASSERT_EQ(trajplot_statistic_stride(&strided, statistic.get(), 2), TRAJPLOT_OK) << trajplot_error_last();
    const StatisticPtr strided_owner(strided);

    for (const bool log_scale : {false, true}) {
        trajplot_panel_options options = TRAJPLOT_PANEL_OPTIONS_INIT;
        options.log_scale = log_scale;
        const std::string text = figure_json(statistic.get(), &options);
        EXPECT_EQ(text.find("NaN"), std::string::npos);
        EXPECT_EQ(text.find("nfinity"), std::string::npos);
        const json trace = json::parse(text)["data"][0];
        for (const auto& row : trace["z"]) {
            for (const auto& value : row) EXPECT_TRUE(value.is_null()) << value;
        }
        EXPECT_FALSE(trace.contains("zmin"));
        // Clipping keeps NaN as a gap and brings the infinities to the bounds.
        const json clipped_z = json::parse(figure_json(clipped))["data"][0]["z"];
        EXPECT_EQ(clipped_z, json::parse("[[null, 1, -1], [null, -1, 1]]"));
        const json strided_trace = json::parse(figure_json(strided, &options))["data"][0];
        EXPECT_EQ(strided_trace["z"].size(), 2u);
    }

    trajplot_statistic* out = sentinel_statistic();
    trajplot_statistic_options nan_range = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    nan_range.has_min = true;
    nan_range.min = nan;
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &nan_range), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "NaN");
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_clip(&out, statistic.get(), nan, 1.0f), TRAJPLOT_EINVAL,
                          "trajplot_statistic_clip", "NaN");
    EXPECT_EQ(out, sentinel_statistic());
}

// ---------------------------------------------------------------------------
// extra_json

TEST(CapiHostileInput, ExtraJsonNestedTenThousandDeepIsRefused) {
    const StatisticPtr statistic = make_statistic("Entropy", numbered_stats(2, 2), 2, 2);
    ASSERT_TRUE(statistic);
    const std::string balanced = "{\"meta\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
    const std::string unbalanced = "{\"meta\":" + std::string(10000, '[');
    std::string objects;
    for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
    objects.append(1, '1').append(10000, '}');
    for (const std::string* extra : std::vector<const std::string*>{&balanced, &unbalanced, &objects}) {
        trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
        panel.extra_json = extra->c_str();
        trajplot_figure* out = sentinel_figure();
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&out, statistic.get(), &panel, nullptr), TRAJPLOT_EINVAL,
                              "trajplot_figure_create", "extra_json");
        EXPECT_EQ(out, sentinel_figure());
        const trajplot_statistic* statistics[] = {statistic.get()};
        const trajplot_panel_options* panels[] = {&panel};
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, panels, 1, nullptr), TRAJPLOT_EINVAL,
                              "trajplot_figure_create_stacked", "panels[0] (Entropy)", "extra_json");
        EXPECT_EQ(out, sentinel_figure());
    }
}

// ---------------------------------------------------------------------------
// Destinations

TEST_F(CapiHostileFiles, DiskFullIsAnIoErrorNamingTheReason) {
    if (!fs::is_character_file("/dev/full")) GTEST_FAIL() << "/dev/full is missing";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, "/dev/full"), TRAJPLOT_EIO,
                          "trajplot_figure_save", "/dev/full", "No space left on device");
    trajplot_export_options html = export_options(TRAJPLOT_FORMAT_HTML);
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &html, "/dev/full"), TRAJPLOT_EIO, "trajplot_figure_save",
                          "/dev/full", "No space left on device");
    // A device is written, never replaced.
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
    EXPECT_EQ(trajplot_figure_save(figure_.get(), nullptr, "/dev/null"), TRAJPLOT_OK) << trajplot_error_last();
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(CapiHostileFiles, SymbolicLinkKeepsPointingAtTheReplacedFile) {
    const fs::path target = directory_ / "real.json";
    const fs::path link = directory_ / "link.json";
    std::ofstream(target) << "old";
    fs::create_symlink(target.filename(), link);
    ASSERT_EQ(trajplot_figure_save(figure_.get(), nullptr, link.c_str()), TRAJPLOT_OK) << trajplot_error_last();
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(read_file(target), figure_json(statistic_.get()));
    EXPECT_EQ(entries_of(directory_), (std::vector<std::string>{"link.json", "real.json"}));
}

TEST_F(CapiHostileFiles, DanglingSymbolicLinkCreatesTheFileItNames) {
    const fs::path link = directory_ / "link.json";
    fs::create_symlink("missing.json", link);
    ASSERT_EQ(trajplot_figure_save(figure_.get(), nullptr, link.c_str()), TRAJPLOT_OK) << trajplot_error_last();
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(read_file(directory_ / "missing.json"), figure_json(statistic_.get()));
    EXPECT_EQ(entries_of(directory_), (std::vector<std::string>{"link.json", "missing.json"}));
}

// Each relative link is read from its own directory, as the system reads it.
TEST_F(CapiHostileFiles, ChainOfLinksThroughAnotherDirectoryCreatesTheLastFile) {
    fs::create_directory(directory_ / "sub");
    fs::create_symlink("sub/hop.json", directory_ / "link.json");
    fs::create_symlink("../final.json", directory_ / "sub" / "hop.json");
    const fs::path link = directory_ / "link.json";
    ASSERT_EQ(trajplot_figure_save(figure_.get(), nullptr, link.c_str()), TRAJPLOT_OK) << trajplot_error_last();
    EXPECT_EQ(read_file(directory_ / "final.json"), figure_json(statistic_.get()));
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_TRUE(fs::is_symlink(directory_ / "sub" / "hop.json"));
    EXPECT_EQ(entries_of(directory_), (std::vector<std::string>{"final.json", "link.json", "sub"}));
    EXPECT_EQ(entries_of(directory_ / "sub"), (std::vector<std::string>{"hop.json"}));
}

TEST_F(CapiHostileFiles, LoopOfLinksIsAnIoErrorAndReplacesNeither) {
    fs::create_symlink("b.json", directory_ / "a.json");
    fs::create_symlink("a.json", directory_ / "b.json");
    const fs::path link = directory_ / "a.json";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, link.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "a.json", "Too many levels of symbolic links");
    EXPECT_TRUE(fs::is_symlink(directory_ / "a.json"));
    EXPECT_TRUE(fs::is_symlink(directory_ / "b.json"));
    EXPECT_EQ(entries_of(directory_), (std::vector<std::string>{"a.json", "b.json"}));
}

// A name of NAME_MAX bytes fits its directory, so its temporary must too.
TEST_F(CapiHostileFiles, NameOfTheLongestLengthIsWrittenAndReplaced) {
    const long longest = ::pathconf(directory_.c_str(), _PC_NAME_MAX);
    ASSERT_GT(longest, 16);
    const std::string ascii = std::string(static_cast<std::size_t>(longest) - 5, 'f') + ".json";
    // Two-byte characters: a temporary's name cut short must stay whole
    // characters.
    std::string accented;
    while (accented.size() + 2 + 5 <= static_cast<std::size_t>(longest)) accented += "\xc3\xa9";
    accented += std::string(static_cast<std::size_t>(longest) - 5 - accented.size(), 'e') + ".json";
    for (const std::string& name : {ascii, accented}) {
        ASSERT_EQ(name.size(), static_cast<std::size_t>(longest));
        const fs::path path = directory_ / name;
        std::ofstream(path) << "earlier";
        ASSERT_EQ(trajplot_figure_save(figure_.get(), nullptr, path.c_str()), TRAJPLOT_OK) << trajplot_error_last();
        EXPECT_EQ(read_file(path), figure_json(statistic_.get()));
        EXPECT_EQ(entries_of(directory_), std::vector<std::string>{name});
        fs::remove(path);
    }
}

TEST_F(CapiHostileFiles, DirectoryAsTheOutputIsAnIoError) {
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, directory_.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "Is a directory");
    EXPECT_TRUE(entries_of(directory_).empty());
}

// A read-only directory stops every user but root, so as root the write is
// made by a child that has given up root first.
TEST_F(CapiHostileFiles, ReadOnlyDirectoryKeepsTheEarlierFileAndAddsNothing) {
    const fs::path path = directory_ / "figure.json";
    std::ofstream(path) << "earlier";
    fs::permissions(directory_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        const trajplot_status status = trajplot_figure_save(figure_.get(), nullptr, path.c_str());
        const std::string message = trajplot_error_last();
        const bool named = message.find("Permission denied") != std::string::npos &&
                           message.find(directory_.string()) != std::string::npos;
        ::_exit(status == TRAJPLOT_EIO && named ? 0 : 1);
    }
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFEXITED(wait_status));
    EXPECT_EQ(WEXITSTATUS(wait_status), 0) << "1: the write did not fail with EIO naming the reason; 3: setuid failed";
    EXPECT_EQ(read_file(path), "earlier");
    EXPECT_EQ(entries_of(directory_), (std::vector<std::string>{"figure.json"}));
}

}  // namespace
