// `trajplot stats`: statistics computed from .npy lens outputs. The tests
// write small .npy files themselves, run the tool and check every value it
// writes against a plain double-precision computation of the same
// statistic done here; and they check that every malformed file or command
// line fails with a one-line message and no output.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::string_literals;

// ---------------------------------------------------------------------------
// Writing .npy files (numpy.lib.format), independently of the tool's reader.

enum class Dtype { f2, f4, f8 };

const char* descr_of(Dtype dtype) {
    switch (dtype) {
        case Dtype::f2: return "<f2";
        case Dtype::f4: return "<f4";
        case Dtype::f8: return "<f8";
    }
    return "";
}

std::string shape_tuple(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

std::string header_dict(const std::string& descr, const std::vector<std::size_t>& shape, bool fortran = false) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
           ", 'shape': " + shape_tuple(shape) + ", }";
}

// The bytes of a .npy file: magic, version, header length, the dict padded
// with spaces and a newline so that the data starts at a multiple of
// `alignment` (numpy uses 64), then the data.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1, std::size_t alignment = 64) {
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    const std::size_t prefix = 6 + 2 + length_bytes;
    std::string header = dict;
    while ((prefix + header.size() + 1) % alignment != 0) header += ' ';
    header += '\n';
    std::string bytes = "\x93NUMPY";
    bytes += static_cast<char>(major);
    bytes += '\0';
    for (std::size_t i = 0; i < length_bytes; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return bytes + header + data;
}

template <typename T>
void append_raw(std::string& bytes, T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes.append(raw, sizeof(T));
}

// The IEEE half-precision bits of `value`, which must be representable
// exactly (the test values are multiples of 1/8, zeros and infinities).
std::uint16_t half_bits(double value) {
    const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
    if (std::isinf(value)) return sign | 0x7c00;
    if (value == 0.0) return sign;
    int exponent = 0;
    const double fraction = std::frexp(std::fabs(value), &exponent);  // [0.5, 1) x 2^exponent
    const int biased = exponent - 1 + 15;
    const double mantissa = (fraction * 2.0 - 1.0) * 1024.0;
    if (biased < 1 || biased > 30 || mantissa != std::floor(mantissa)) {
        throw std::invalid_argument("not exactly a normal float16: " + std::to_string(value));
    }
    return static_cast<std::uint16_t>(sign | (biased << 10) | static_cast<int>(mantissa));
}

std::string encode_floats(const std::vector<double>& values, Dtype dtype) {
    std::string bytes;
    for (const double value : values) {
        switch (dtype) {
            case Dtype::f2: append_raw(bytes, half_bits(value)); break;
            case Dtype::f4: append_raw(bytes, static_cast<float>(value)); break;
            case Dtype::f8: append_raw(bytes, value); break;
        }
    }
    return bytes;
}

template <typename T>
std::string encode_integers(const std::vector<std::int64_t>& values) {
    std::string bytes;
    for (const std::int64_t value : values) append_raw(bytes, static_cast<T>(value));
    return bytes;
}

// ---------------------------------------------------------------------------
// Test data and the reference computation.

// A lens output of batch x layers x seq_len x vocab values, each a multiple
// of 1/8, so that float16, float32 and float64 files hold the same numbers.
struct Lens {
    std::size_t batch = 1;
    std::size_t layers = 0;
    std::size_t seq_len = 0;
    std::size_t vocab = 0;
    std::vector<double> values;

    double at(std::size_t b, std::size_t l, std::size_t s, std::size_t v) const {
        return values[((b * layers + l) * seq_len + s) * vocab + v];
    }
    std::vector<double> row(std::size_t b, std::size_t l, std::size_t s) const {
        const auto first = values.begin() + static_cast<std::ptrdiff_t>(((b * layers + l) * seq_len + s) * vocab);
        return {first, first + static_cast<std::ptrdiff_t>(vocab)};
    }
    std::vector<std::size_t> shape(bool batch_axis) const {
        if (batch_axis) return {batch, layers, seq_len, vocab};
        return {layers, seq_len, vocab};
    }
};

class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
    std::uint64_t next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return state_ >> 33;
    }
    // An integer in [low, high].
    std::int64_t between(std::int64_t low, std::int64_t high) {
        return low + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(high - low + 1));
    }

private:
    std::uint64_t state_;
};

// Values k/8 for k in [low_eighths, high_eighths].
Lens make_lens(std::size_t batch, std::size_t layers, std::size_t seq_len, std::size_t vocab, std::uint64_t seed,
               std::int64_t low_eighths = -32, std::int64_t high_eighths = 32) {
    Lens lens{batch, layers, seq_len, vocab, {}};
    Random random(seed);
    lens.values.resize(batch * layers * seq_len * vocab);
    for (double& value : lens.values) value = static_cast<double>(random.between(low_eighths, high_eighths)) / 8.0;
    return lens;
}

std::vector<std::int64_t> make_ids(std::size_t count, std::size_t vocab, std::uint64_t seed) {
    Random random(seed);
    std::vector<std::int64_t> ids(count);
    for (std::int64_t& id : ids) id = random.between(0, static_cast<std::int64_t>(vocab) - 1);
    return ids;
}

struct RowDistribution {
    std::vector<double> log_p;
    std::vector<double> p;
};

// log p of a row: a log-softmax of logits, or log-probs as given.
RowDistribution distribution(const std::vector<double>& row, bool logits) {
    RowDistribution result;
    double shift = 0.0;
    if (logits) {
        const double max = *std::max_element(row.begin(), row.end());
        double sum = 0.0;
        for (const double x : row) sum += std::exp(x - max);
        shift = max + std::log(sum);
    }
    for (const double x : row) {
        result.log_p.push_back(x - shift);
        result.p.push_back(std::exp(x - shift));
    }
    return result;
}

// p log p with 0 log 0 = 0.
double plogp_sum(const RowDistribution& d) {
    double sum = 0.0;
    for (std::size_t v = 0; v < d.p.size(); ++v) {
        if (d.p[v] > 0.0) sum += d.p[v] * d.log_p[v];
    }
    return sum;
}

double kl(const RowDistribution& p, const RowDistribution& q) {
    double sum = 0.0;
    for (std::size_t v = 0; v < p.p.size(); ++v) {
        if (p.p[v] > 0.0) sum += p.p[v] * (p.log_p[v] - q.log_p[v]);
    }
    return sum;
}

using Expected = std::vector<std::vector<double>>;  // layers x seq_len

struct Targets {
    std::vector<std::int64_t> targets;
    std::vector<std::int64_t> anti_targets;
};

// The statistic `name` of one trajectory, averaged over the batch.
Expected reference(const std::string& name, const Lens& lens, bool logits, const Targets& wanted = {}) {
    const bool delta = name == "log_prob_diff_delta";
    const std::size_t rows = delta ? lens.layers - 1 : lens.layers;
    Expected expected(rows, std::vector<double>(lens.seq_len, 0.0));
    const auto log_prob_diff = [&](std::size_t b, std::size_t l, std::size_t s) {
        const RowDistribution d = distribution(lens.row(b, l, s), logits);
        const std::size_t i = b * lens.seq_len + s;
        return d.log_p[static_cast<std::size_t>(wanted.targets[i])] -
               d.log_p[static_cast<std::size_t>(wanted.anti_targets[i])];
    };
    for (std::size_t b = 0; b < lens.batch; ++b) {
        for (std::size_t l = 0; l < rows; ++l) {
            for (std::size_t s = 0; s < lens.seq_len; ++s) {
                const std::vector<double> row = lens.row(b, l, s);
                const RowDistribution d = distribution(row, logits);
                const std::size_t i = b * lens.seq_len + s;
                double value = 0.0;
                if (name == "entropy") {
                    value = -plogp_sum(d);
                } else if (name == "max_probability") {
                    value = *std::max_element(d.p.begin(), d.p.end());
                } else if (name == "cross_entropy") {
                    value = -d.log_p[static_cast<std::size_t>(wanted.targets[i])];
                } else if (name == "rank") {
                    const double target = row[static_cast<std::size_t>(wanted.targets[i])];
                    value = 1.0 + static_cast<double>(
                                      std::count_if(row.begin(), row.end(), [&](double x) { return x > target; }));
                } else if (name == "forward_kl") {
                    value = kl(distribution(lens.row(b, lens.layers - 1, s), logits), d);
                } else if (name == "log_prob_diff") {
                    value = log_prob_diff(b, l, s);
                } else if (name == "log_prob_diff_delta") {
                    value = log_prob_diff(b, l + 1, s) - log_prob_diff(b, l, s);
                } else {
                    throw std::invalid_argument("no reference for " + name);
                }
                expected[l][s] += value / static_cast<double>(lens.batch);
            }
        }
    }
    return expected;
}

// The statistic `name` between two trajectories (self, other).
Expected comparison_reference(const std::string& name, const Lens& self, const Lens& other, bool logits) {
    Expected expected(self.layers, std::vector<double>(self.seq_len, 0.0));
    for (std::size_t b = 0; b < self.batch; ++b) {
        for (std::size_t l = 0; l < self.layers; ++l) {
            for (std::size_t s = 0; s < self.seq_len; ++s) {
                const RowDistribution p = distribution(self.row(b, l, s), logits);
                const RowDistribution q = distribution(other.row(b, l, s), logits);
                double value = 0.0;
                if (name == "kl_divergence") {
                    value = kl(p, q);
                } else if (name == "half_symmetric_kl") {
                    value = 0.5 * kl(p, q) + 0.5 * kl(q, p);
                } else if (name == "js_divergence") {
                    RowDistribution m;
                    for (std::size_t v = 0; v < p.p.size(); ++v) {
                        m.p.push_back(0.5 * (p.p[v] + q.p[v]));
                        m.log_p.push_back(std::log(m.p.back()));
                    }
                    value = 0.5 * kl(p, m) + 0.5 * kl(q, m);
                } else if (name == "total_variation" || name == "max_abs_prob_difference") {
                    double sum = 0.0;
                    double largest = 0.0;
                    for (std::size_t v = 0; v < p.p.size(); ++v) {
                        sum += std::fabs(p.p[v] - q.p[v]);
                        largest = std::max(largest, std::fabs(p.p[v] - q.p[v]));
                    }
                    value = name == "total_variation" ? 0.5 * sum : largest;
                } else {
                    throw std::invalid_argument("no reference for " + name);
                }
                expected[l][s] += value / static_cast<double>(self.batch);
            }
        }
    }
    return expected;
}

const json& trace_of(const json& figure) { return figure.at("data").at(0); }

void expect_z_near(const json& z, const Expected& expected, const std::string& what) {
    ASSERT_TRUE(z.is_array()) << what;
    ASSERT_EQ(z.size(), expected.size()) << what;
    for (std::size_t l = 0; l < expected.size(); ++l) {
        ASSERT_EQ(z[l].size(), expected[l].size()) << what << " layer " << l;
        for (std::size_t s = 0; s < expected[l].size(); ++s) {
            ASSERT_TRUE(z[l][s].is_number()) << what << " z[" << l << "][" << s << "] = " << z[l][s];
            const double tolerance = 1e-5 * std::fabs(expected[l][s]) + 2e-6;
            EXPECT_NEAR(z[l][s].get<double>(), expected[l][s], tolerance) << what << " z[" << l << "][" << s << "]";
        }
    }
}

Expected rows_of(const Expected& expected, const std::vector<std::size_t>& rows) {
    Expected kept;
    for (const std::size_t row : rows) kept.push_back(expected.at(row));
    return kept;
}

const std::vector<std::string> single_statistics = {"entropy", "cross_entropy", "forward_kl",         "max_probability",
                                                    "rank",    "log_prob_diff", "log_prob_diff_delta"};
const std::vector<std::string> comparison_statistics = {"kl_divergence", "js_divergence", "half_symmetric_kl",
                                                        "total_variation", "max_abs_prob_difference"};

// Under a wrapper such as valgrind (TRAJPLOT_CLI_WRAPPER) every run of the
// tool takes seconds, so the sampling tests try fewer cases there.
bool runs_wrapped() { return std::getenv("TRAJPLOT_CLI_WRAPPER") != nullptr; }

// ---------------------------------------------------------------------------
// The fixture: writes files into the work directory, where the tool runs.

class CliStatsTest : public CliTest {
protected:
    std::string put(const std::string& name, const std::string& bytes) const {
        write_file(work_dir() / name, bytes);
        return name;
    }

    std::string put_lens(const std::string& name, const Lens& lens, Dtype dtype = Dtype::f4,
                         bool batch_axis = true) const {
        return put(name,
                   npy_bytes(header_dict(descr_of(dtype), lens.shape(batch_axis)), encode_floats(lens.values, dtype)));
    }

    std::string put_ids(const std::string& name, const std::vector<std::int64_t>& ids,
                        const std::vector<std::size_t>& shape, const std::string& descr = "<i8") const {
        std::string data;
        if (descr == "<i8")
            data = encode_integers<std::int64_t>(ids);
        else if (descr == "<i4")
            data = encode_integers<std::int32_t>(ids);
        else if (descr == "<i2")
            data = encode_integers<std::int16_t>(ids);
        else if (descr == "|i1")
            data = encode_integers<std::int8_t>(ids);
        else if (descr == "<u8")
            data = encode_integers<std::uint64_t>(ids);
        else if (descr == "<u4")
            data = encode_integers<std::uint32_t>(ids);
        else if (descr == "<u2")
            data = encode_integers<std::uint16_t>(ids);
        else if (descr == "|u1")
            data = encode_integers<std::uint8_t>(ids);
        else
            throw std::invalid_argument("no encoder for " + descr);
        return put(name, npy_bytes(header_dict(descr, shape), data));
    }

    // Runs expecting success and nothing on standard error.
    CliResult run_ok(const std::vector<std::string>& arguments) const {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(result.err, "");
        return result;
    }

    json figure_of(const std::vector<std::string>& arguments) const {
        const CliResult result = run_ok(arguments);
        if (result.exit_status != 0) return json::object();
        return parse_json(result.out);
    }
};

// The standard small case: 2 batch items, 3 layers (the last the output),
// 4 positions, 5 tokens, with input ids, targets and anti-targets.
struct SmallCase {
    Lens lens = make_lens(2, 3, 4, 5, 1);
    Lens other = make_lens(2, 3, 4, 5, 2);
    std::vector<std::int64_t> ids = make_ids(8, 5, 3);
    Targets wanted{make_ids(8, 5, 4), make_ids(8, 5, 5)};
};

// ---------------------------------------------------------------------------
// Values

struct ValuesCase {
    Dtype dtype;
    bool batch_axis;
};

class CliStatsValuesTest : public CliStatsTest, public ::testing::WithParamInterface<ValuesCase> {};

TEST_P(CliStatsValuesTest, EveryStatisticOfOneTrajectoryMatchesTheReference) {
    const auto [dtype, batch_axis] = GetParam();
    SmallCase data;
    if (!batch_axis) {
        data.lens = make_lens(1, 3, 4, 5, 11);
        data.ids.resize(4);
        data.wanted.targets.resize(4);
        data.wanted.anti_targets.resize(4);
    }
    const std::vector<std::size_t> ids_shape =
        batch_axis ? std::vector<std::size_t>{data.lens.batch, 4} : std::vector<std::size_t>{4};
    put_lens("lens.npy", data.lens, dtype, batch_axis);
    put_ids("ids.npy", data.ids, ids_shape);
    put_ids("targets.npy", data.wanted.targets, ids_shape, "<i4");
    put_ids("anti.npy", data.wanted.anti_targets, ids_shape, "|u1");

    std::string all;
    for (const std::string& name : single_statistics) all += (all.empty() ? "" : ",") + name;
    run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "targets.npy", "--anti-targets",
            "anti.npy", "--statistic", all, "--output-dir", "out"});
    std::set<std::string> written;
    for (const fs::directory_entry& entry : fs::directory_iterator(work_dir() / "out")) {
        written.insert(entry.path().filename().string());
    }
    std::set<std::string> names;
    for (const std::string& name : single_statistics) names.insert(name + ".json");
    EXPECT_EQ(written, names);

    for (const std::string& name : single_statistics) {
        const json figure = read_json(work_dir() / "out" / (name + ".json"));
        expect_z_near(trace_of(figure).at("z"), reference(name, data.lens, true, data.wanted), name);
    }
}

INSTANTIATE_TEST_SUITE_P(DtypesAndShapes, CliStatsValuesTest,
                         ::testing::Values(ValuesCase{Dtype::f4, true}, ValuesCase{Dtype::f2, true},
                                           ValuesCase{Dtype::f8, true}, ValuesCase{Dtype::f4, false},
                                           ValuesCase{Dtype::f2, false}, ValuesCase{Dtype::f8, false}),
                         [](const ::testing::TestParamInfo<ValuesCase>& info) {
                             return std::string(descr_of(info.param.dtype) + 1) +
                                    (info.param.batch_axis ? "Batch" : "NoBatch");
                         });

TEST_F(CliStatsTest, EveryComparisonMatchesTheReferenceWithMixedDtypes) {
    SmallCase data;
    put_lens("self.npy", data.lens, Dtype::f2);
    put_lens("other.npy", data.other, Dtype::f8);
    put_ids("ids.npy", data.ids, {2, 4});
    std::string all;
    for (const std::string& name : comparison_statistics) all += (all.empty() ? "" : ",") + name;
    // One-trajectory statistics of self may come along in the same pass.
    run_ok({"stats", "--logits", "self.npy", "--other", "other.npy", "--input-ids", "ids.npy", "--statistic", all,
            "--statistic", "entropy", "--output-dir", "out"});
    for (const std::string& name : comparison_statistics) {
        const json figure = read_json(work_dir() / "out" / (name + ".json"));
        expect_z_near(trace_of(figure).at("z"), comparison_reference(name, data.lens, data.other, true), name);
    }
    expect_z_near(trace_of(read_json(work_dir() / "out" / "entropy.json")).at("z"),
                  reference("entropy", data.lens, true), "entropy");
}

TEST_F(CliStatsTest, LogProbsAreUsedAsGivenIncludingMinusInfinity) {
    // Log-probs in [-6, 0], as float16, with -inf (probability 0) in the
    // output layer, where every statistic here stays finite: 0 log 0 adds
    // nothing.
    Lens lens = make_lens(2, 3, 4, 5, 21, -48, 0);
    const double minus_infinity = -std::numeric_limits<double>::infinity();
    lens.values[((0 * 3 + 2) * 4 + 1) * 5 + 3] = minus_infinity;
    lens.values[((1 * 3 + 2) * 4 + 0) * 5 + 0] = minus_infinity;
    Lens other = make_lens(2, 3, 4, 5, 22, -48, 0);
    const std::vector<std::int64_t> ids = make_ids(8, 5, 23);
    put_lens("lens.npy", lens, Dtype::f2);
    put_lens("other.npy", other, Dtype::f4);
    put_ids("ids.npy", ids, {2, 4});
    run_ok({"stats", "--log-probs", "lens.npy", "--other", "other.npy", "--input-ids", "ids.npy", "--statistic",
            "entropy,max_probability,forward_kl,kl_divergence,total_variation", "--output-dir", "out"});
    for (const std::string name : {"entropy", "max_probability", "forward_kl"}) {
        expect_z_near(trace_of(read_json(work_dir() / "out" / (name + ".json"))).at("z"), reference(name, lens, false),
                      name);
    }
    for (const std::string name : {"kl_divergence", "total_variation"}) {
        expect_z_near(trace_of(read_json(work_dir() / "out" / (name + ".json"))).at("z"),
                      comparison_reference(name, lens, other, false), name);
    }
}

TEST_F(CliStatsTest, Float16SubnormalsAndSignedZerosAreReadExactly) {
    // Hand-written float16 bits and their values: the smallest and the
    // largest subnormal, the smallest normal, -0, and ordinary numbers.
    const std::vector<std::pair<std::uint16_t, double>> row = {{0x0001, std::ldexp(1.0, -24)},
                                                               {0x03ff, 1023 * std::ldexp(1.0, -24)},
                                                               {0x0400, std::ldexp(1.0, -14)},
                                                               {0x8000, 0.0},
                                                               {0x3c00, 1.0},
                                                               {0xc100, -2.5},
                                                               {0x3a00, 0.75}};
    Lens lens{1, 1, 1, row.size(), {}};
    std::string data;
    for (const auto& [bits, value] : row) {
        append_raw(data, bits);
        lens.values.push_back(value);
    }
    put("lens.npy", npy_bytes(header_dict("<f2", {1, 1, row.size()}), data));
    put_ids("ids.npy", {0}, {1});
    put_ids("targets.npy", {0}, {1});
    const json figure = figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy"});
    expect_z_near(trace_of(figure).at("z"), reference("entropy", lens, true), "entropy");
    // The entropy hardly tells a subnormal from zero; the rank of token 0
    // does: 5 when the subnormals are read as such, 4 when flushed to zero.
    const json ranks = figure_of(
        {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "targets.npy", "--statistic", "rank"});
    expect_z_near(trace_of(ranks).at("z"), reference("rank", lens, true, {{0}, {}}), "rank");
}

TEST_F(CliStatsTest, EveryIntegerDtypeAndShapeOfIdsIsAccepted) {
    Lens lens = make_lens(1, 2, 3, 6, 31);
    put_lens("lens.npy", lens);
    put("vocab.json", R"(["t0", "t1", "t2", "t3", "t4", "t5"])");
    const std::vector<std::int64_t> ids = {1, 5, 4};
    const std::vector<std::int64_t> targets = {5, 0, 3};
    const Expected expected = reference("cross_entropy", lens, true, {targets, {}});
    // Input ids in one dtype and shape, targets in another: the input ids
    // show on the x axis, the targets in the cross-entropy.
    const std::pair<const char*, const char*> dtypes[] = {
        {"<i8", "|u1"}, {"<i4", "<u2"}, {"<i2", "<u4"}, {"|i1", "<u8"}, {"<u8", "<i8"}};
    bool batch_axis = false;
    for (const auto& [ids_dtype, targets_dtype] : dtypes) {
        const std::vector<std::size_t> flat{3};
        const std::vector<std::size_t> batched{1, 3};
        put_ids("ids.npy", ids, batch_axis ? batched : flat, ids_dtype);
        put_ids("targets.npy", targets, batch_axis ? flat : batched, targets_dtype);
        batch_axis = !batch_axis;
        const json figure = figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--targets",
                                       "targets.npy", "--statistic", "cross_entropy", "--vocab", "vocab.json"});
        SCOPED_TRACE(std::string("input ids ") + ids_dtype + ", targets " + targets_dtype);
        ASSERT_TRUE(figure.contains("data"));
        expect_z_near(trace_of(figure).at("z"), expected, "cross_entropy");
        const json& x = trace_of(figure).at("x");
        ASSERT_EQ(x.size(), ids.size());
        for (std::size_t s = 0; s < ids.size(); ++s) {
            std::string token(1, 't');
            token.append(std::to_string(ids[s]));
            EXPECT_TRUE(x[s].get<std::string>().starts_with(token)) << x[s];
        }
    }
}

TEST_F(CliStatsTest, ThreeDimensionalValuesAreOneBatchItem) {
    const Lens lens = make_lens(1, 3, 4, 5, 41);
    put_lens("batched.npy", lens, Dtype::f4, true);
    put_lens("single.npy", lens, Dtype::f4, false);
    put_ids("ids.npy", make_ids(4, 5, 42), {4});
    const CliResult batched = run_ok({"stats", "--logits", "batched.npy", "--input-ids", "ids.npy"});
    const CliResult single = run_ok({"stats", "--logits", "single.npy", "--input-ids", "ids.npy"});
    EXPECT_EQ(batched.out, single.out);
    expect_z_near(trace_of(parse_json(single.out)).at("z"), reference("entropy", lens, true), "entropy");
}

TEST_F(CliStatsTest, HeaderVersionsAlignmentAndTrailingDataReadAlike) {
    const Lens lens = make_lens(2, 3, 4, 5, 51);
    const std::string data = encode_floats(lens.values, Dtype::f4);
    const std::string dict = header_dict("<f4", lens.shape(true));
    put_ids("ids.npy", make_ids(8, 5, 52), {2, 4});
    const Expected expected = reference("entropy", lens, true);
    // Spaces after the dict that put the data at an offset of 1 modulo 4,
    // where float32 cannot be read in place.
    std::string unaligned_dict = dict;
    while ((10 + unaligned_dict.size() + 1) % 4 != 1) unaligned_dict += ' ';
    const std::map<std::string, std::string> files = {
        {"v1", npy_bytes(dict, data, 1)},
        {"v2", npy_bytes(dict, data, 2)},
        {"v3", npy_bytes(dict, data, 3)},
        {"unaligned", npy_bytes(unaligned_dict, data, 1, 1)},
        // Python 2's numpy wrote long integers as 2L.
        {"long_suffix", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L, 4L, 5L)}", data)},
        {"double_quotes", npy_bytes("{\"descr\": \"<f4\", \"shape\": (2, 3, 4, 5), \"fortran_order\": False}", data)},
        // Another array after this one, as np.save writes to one open file.
        {"trailing", npy_bytes(dict, data) + npy_bytes(dict, data)},
    };
    for (const auto& [name, bytes] : files) {
        put(name + ".npy", bytes);
        const json figure = figure_of({"stats", "--logits", name + ".npy", "--input-ids", "ids.npy"});
        expect_z_near(trace_of(figure).at("z"), expected, name);
    }
    EXPECT_EQ((files.at("unaligned").size() - data.size()) % 4, 1u);
}

// ---------------------------------------------------------------------------
// Output: the render path, shared

TEST_F(CliStatsTest, StdoutOutFileAndOutputDirHoldTheSameFigure) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    const std::vector<std::string> base = {"stats",   "--logits",    "lens.npy",       "--input-ids",
                                           "ids.npy", "--statistic", "max_probability"};
    const CliResult to_stdout = run_ok(base);
    std::vector<std::string> to_file = base;
    to_file.insert(to_file.end(), {"-o", "figure.json"});
    run_ok(to_file);
    std::vector<std::string> to_dir = base;
    to_dir.insert(to_dir.end(), {"--output-dir", "nested/dir"});
    run_ok(to_dir);
    EXPECT_EQ(read_file(work_dir() / "figure.json"), to_stdout.out);
    EXPECT_EQ(read_file(work_dir() / "nested" / "dir" / "max_probability.json"), to_stdout.out);
    const json figure = parse_json(to_stdout.out);
    EXPECT_EQ(trace_of(figure).at("colorbar").at("title").at("text"), "Max Probability (probs)");
    expect_z_near(trace_of(figure).at("z"), reference("max_probability", data.lens, true), "max_probability");
}

// Several statistics to one output are one stacked figure, panels in the
// order asked; --output-dir still writes each as a figure of its own.
TEST_F(CliStatsTest, SeveralStatisticsToOneOutputAreOneStackedFigure) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    put_ids("targets.npy", data.wanted.targets, {2, 4});
    const std::vector<std::string> order = {"max_probability", "entropy", "cross_entropy", "forward_kl"};
    const std::vector<std::string> names = {"Max Probability", "Entropy", "Cross Entropy", "Forward KL"};
    const std::vector<std::string> base = {"stats",
                                           "--logits",
                                           "lens.npy",
                                           "--input-ids",
                                           "ids.npy",
                                           "--targets",
                                           "targets.npy",
                                           "--statistic",
                                           "max_probability,entropy",
                                           "--statistic",
                                           "cross_entropy,forward_kl"};
    std::vector<std::string> to_file = base;
    to_file.insert(to_file.end(), {"-o", "stacked.json"});
    run_ok(to_file);
    const CliResult to_stdout = run_ok(base);
    EXPECT_EQ(read_file(work_dir() / "stacked.json"), to_stdout.out);

    const json figure = parse_json(to_stdout.out);
    const json& traces = figure.at("data");
    ASSERT_EQ(traces.size(), order.size());
    const json& annotations = figure.at("layout").at("annotations");
    ASSERT_EQ(annotations.size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::string axis = i == 0 ? "" : std::to_string(i + 1);
        EXPECT_EQ(traces[i].at("xaxis"), "x" + axis) << order[i];
        EXPECT_EQ(traces[i].at("yaxis"), "y" + axis) << order[i];
        EXPECT_EQ(annotations[i].at("text"), names[i]);
        expect_z_near(traces[i].at("z"), reference(order[i], data.lens, true, data.wanted), order[i]);
    }
    EXPECT_EQ(figure.at("layout").at("height"), 150 + 250 * 4);

    std::vector<std::string> to_dir = base;
    to_dir.insert(to_dir.end(), {"--output-dir", "out"});
    run_ok(to_dir);
    EXPECT_EQ(std::distance(fs::directory_iterator(work_dir() / "out"), fs::directory_iterator()), 4);
    for (std::size_t i = 0; i < order.size(); ++i) {
        const json single = read_json(work_dir() / "out" / (order[i] + ".json"));
        ASSERT_EQ(single.at("data").size(), 1u) << order[i];
        EXPECT_FALSE(single.at("layout").contains("annotations")) << order[i];
        EXPECT_EQ(trace_of(single).at("z"), traces[i].at("z")) << order[i];
    }
}

// --output-dir writes its files as one set: each to a temporary file first,
// renamed into place only once all are written. A run that fails on its
// third file leaves the first two as they were, and no temporary behind.
class CliStatsOutputDirTest : public CliStatsTest {
protected:
    void SetUp() override {
        CliStatsTest::SetUp();
        SmallCase data;
        put_lens("lens.npy", data.lens);
        put_ids("ids.npy", data.ids, {2, 4});
        fs::create_directory(work_dir() / "out");
        put("out/entropy.json", "earlier entropy");
        put("out/max_probability.json", "earlier max_probability");
    }

    CliResult run_three() const {
        return run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic",
                    "entropy,max_probability,forward_kl", "--output-dir", "out"});
    }

    std::set<std::string> out_entries() const {
        std::set<std::string> names;
        for (const fs::directory_entry& entry : fs::directory_iterator(work_dir() / "out")) {
            names.insert(entry.path().filename().string());
        }
        return names;
    }

    void expect_earlier_files_intact() const {
        EXPECT_EQ(read_file(work_dir() / "out" / "entropy.json"), "earlier entropy");
        EXPECT_EQ(read_file(work_dir() / "out" / "max_probability.json"), "earlier max_probability");
        EXPECT_EQ(out_entries(), (std::set<std::string>{"entropy.json", "forward_kl.json", "max_probability.json"}));
    }
};

TEST_F(CliStatsOutputDirTest, ThirdFileThatCannotBeCreatedLeavesTheOthersIntact) {
    fs::create_symlink("gone/forward_kl.json", work_dir() / "out" / "forward_kl.json");
    expect_error(run_three(), 1,
                 "cannot write 'out/gone/forward_kl.json', where --output-dir file 'out/forward_kl.json' leads: No "
                 "such file or directory");
    expect_earlier_files_intact();
}

TEST_F(CliStatsOutputDirTest, ThirdFileThatCannotBeWrittenLeavesTheOthersIntact) {
    if (!fs::is_character_file("/dev/full")) GTEST_FAIL() << "/dev/full is missing";
    fs::create_symlink("/dev/full", work_dir() / "out" / "forward_kl.json");
    expect_error(run_three(), 1,
                 "cannot write '/dev/full', where --output-dir file 'out/forward_kl.json' leads: No space left on "
                 "device");
    expect_earlier_files_intact();
}

TEST_F(CliStatsOutputDirTest, DirectoryInTheWayOfTheThirdFileLeavesTheOthersIntact) {
    fs::create_directory(work_dir() / "out" / "forward_kl.json");
    expect_error(run_three(), 1,
                 "--output-dir file 'out/forward_kl.json' is a directory; move it away, or write elsewhere");
    expect_earlier_files_intact();
    EXPECT_TRUE(fs::is_empty(work_dir() / "out" / "forward_kl.json"));
}

TEST_F(CliStatsOutputDirTest, OutputDirThatIsAFileIsNamed) {
    put("a_file", "x");
    expect_error(run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--output-dir", "a_file"}), 1,
                 "--output-dir 'a_file' is a regular file, not a directory");
    EXPECT_EQ(read_file(work_dir() / "a_file"), "x");
}

TEST_F(CliStatsOutputDirTest, SuccessReplacesEveryFileAndLeavesNoTemporary) {
    fs::create_symlink("elsewhere.json", work_dir() / "out" / "forward_kl.json");
    const CliResult result = run_three();
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(out_entries(),
              (std::set<std::string>{"elsewhere.json", "entropy.json", "forward_kl.json", "max_probability.json"}));
    EXPECT_TRUE(fs::is_symlink(work_dir() / "out" / "forward_kl.json"));
    for (const std::string name : {"entropy", "max_probability", "forward_kl"}) {
        const json figure = read_json(work_dir() / "out" / (name + ".json"));
        EXPECT_EQ(figure.at("data").size(), 1u) << name;
    }
}

TEST_F(CliStatsTest, StackedStatisticsTakeThePanelOptionsAndHtml) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    const json figure = figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic",
                                   "entropy,max_probability", "--panel-title", "2", "Top-1", "--panel-log-scale", "1",
                                   "--vertical-spacing", "0.2", "--stride", "2"});
    const json& traces = figure.at("data");
    ASSERT_EQ(traces.size(), 2u);
    EXPECT_EQ(figure.at("layout").at("annotations")[0].at("text"), "Entropy");
    EXPECT_EQ(figure.at("layout").at("annotations")[1].at("text"), "Top-1");
    // (1 - 0.2) / 2 = 0.4 per panel: the bottom one from 0 to 0.4.
    EXPECT_NEAR(figure.at("layout").at("yaxis2").at("domain")[1].get<double>(), 0.4, 1e-9);
    // Layers 0 and 2 (the output); panel 1 by log10 of its values.
    Expected entropy = rows_of(reference("entropy", data.lens, true), {0, 2});
    for (auto& row : entropy) {
        for (double& value : row) value = std::log10(value);
    }
    expect_z_near(traces[0].at("z"), entropy, "log10 entropy");
    expect_z_near(traces[1].at("z"), rows_of(reference("max_probability", data.lens, true), {0, 2}), "max_probability");

    // --stack draws one statistic as a one-panel stacked figure.
    const json one =
        figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--stack", "--panel-title", "1", "Only"});
    ASSERT_EQ(one.at("data").size(), 1u);
    EXPECT_EQ(one.at("layout").at("annotations")[0].at("text"), "Only");

    run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic", "entropy,max_probability",
            "--format", "html", "--plotlyjs", "none", "-o", "page.html"});
    const std::string html = read_file(work_dir() / "page.html");
    EXPECT_NE(html.find("<html"), std::string::npos);
    EXPECT_NE(html.find("\"yaxis2\""), std::string::npos);
    EXPECT_EQ(html.find("<script src"), std::string::npos);
}

TEST_F(CliStatsTest, StrideClipAndFigureOptionsApply) {
    Lens lens = make_lens(1, 6, 3, 5, 61);
    put_lens("lens.npy", lens);
    put_ids("ids.npy", make_ids(3, 5, 62), {1, 3});
    const json figure =
        figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--stride", "2", "--clip", "0.5", "1.25",
                   "--title", "Lens entropy", "--colorscale", "viridis", "--token-width", "33", "--height", "321"});
    // Layers 0, 2, 4 and the output (5), each value clamped into [0.5, 1.25].
    Expected expected = rows_of(reference("entropy", lens, true), {0, 2, 4, 5});
    for (auto& row : expected) {
        for (double& value : row) value = std::clamp(value, 0.5, 1.25);
    }
    const json& trace = trace_of(figure);
    expect_z_near(trace.at("z"), expected, "entropy");
    EXPECT_EQ(trace.at("y"), json({"0", "2", "4", "output"}));
    EXPECT_EQ(trace.at("zmin"), 0.5);
    EXPECT_EQ(trace.at("zmax"), 1.25);
    EXPECT_EQ(figure.at("layout").at("title").at("text"), "Lens entropy");
    EXPECT_EQ(figure.at("layout").at("height"), 321);
    EXPECT_EQ(figure.at("layout").at("width"), 200 + 33 * 3);

    const CliResult trace_only = run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--trace-only"});
    EXPECT_EQ(parse_json(trace_only.out).at("type"), "heatmap");
}

TEST_F(CliStatsTest, HtmlGoesToOneFilePerStatistic) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic", "entropy,max_probability",
            "--output-dir", "pages", "--format", "html", "--plotlyjs", "none", "--div-id", "lens-fig"});
    for (const std::string name : {"entropy", "max_probability"}) {
        const std::string page = read_file(work_dir() / "pages" / (name + ".html"));
        EXPECT_NE(page.find("<html"), std::string::npos) << name;
        EXPECT_NE(page.find("id=\"lens-fig\""), std::string::npos) << name;
    }
    EXPECT_EQ(std::distance(fs::directory_iterator(work_dir() / "pages"), fs::directory_iterator()), 2);
}

TEST_F(CliStatsTest, ImagesGoToOneFilePerStatistic) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic", "entropy,max_probability",
            "--output-dir", "images", "--format", "svg", "--scale", "2"});
    for (const std::string name : {"entropy", "max_probability"}) {
        const std::string svg = read_file(work_dir() / "images" / (name + ".svg"));
        EXPECT_EQ(svg.rfind("<?xml", 0), 0u) << name;
        // 200 + 80 x 4 positions by 450, doubled.
        EXPECT_NE(svg.find("width=\"1040\" height=\"900\""), std::string::npos) << name;
    }
    EXPECT_EQ(std::distance(fs::directory_iterator(work_dir() / "images"), fs::directory_iterator()), 2);
}

TEST_F(CliStatsTest, ThreadCountDoesNotChangeTheResult) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    const CliResult one = run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--threads", "1"});
    const CliResult three = run_ok({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--threads", "3"});
    EXPECT_EQ(one.out, three.out);
    expect_z_near(trace_of(parse_json(one.out)).at("z"), reference("entropy", data.lens, true), "entropy");
}

// ---------------------------------------------------------------------------
// Vocabularies and labels

// One batch item whose rows each have a single most likely token, so that
// the cell labels are known: the token of the row's largest value.
struct LabelledCase {
    Lens lens = make_lens(1, 2, 3, 6, 71);
    std::vector<std::int64_t> ids = {4, 0, 2};
    std::vector<std::string> tokens = {"zero", "one", "two", "three", "four", "five"};

    std::size_t top_token(std::size_t layer, std::size_t position) const {
        const std::vector<double> row = lens.row(0, layer, position);
        return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
    }
    // Token t strictly largest in each row: values of t raised above the rest.
    LabelledCase() {
        for (std::size_t l = 0; l < lens.layers; ++l) {
            for (std::size_t s = 0; s < lens.seq_len; ++s) {
                const std::size_t top = (l * 2 + s) % lens.vocab;
                lens.values[(l * lens.seq_len + s) * lens.vocab + top] = 4.5;
            }
        }
    }
};

void expect_labels(const json& trace, const LabelledCase& data, const std::vector<std::string>& shown) {
    const json& text = trace.at("text");
    ASSERT_EQ(text.size(), data.lens.layers);
    for (std::size_t l = 0; l < data.lens.layers; ++l) {
        for (std::size_t s = 0; s < data.lens.seq_len; ++s) {
            EXPECT_EQ(text[l][s], escape_markup(shown[data.top_token(l, s)])) << "text[" << l << "][" << s << "]";
        }
    }
    const json& x = trace.at("x");
    ASSERT_EQ(x.size(), data.ids.size());
    for (std::size_t s = 0; s < data.ids.size(); ++s) {
        const std::string expected = escape_markup(shown[static_cast<std::size_t>(data.ids[s])]);
        EXPECT_TRUE(x[s].get<std::string>().starts_with(expected)) << "x[" << s << "] = " << x[s];
    }
}

class CliStatsVocabTest : public CliStatsTest {
protected:
    json run_with_vocab(const std::string& vocab_text, std::vector<std::string> extra = {}) {
        put_lens("lens.npy", data.lens);
        put_ids("ids.npy", data.ids, {3});
        put("vocab.json", vocab_text);
        std::vector<std::string> arguments = {"stats",   "--logits", "lens.npy",  "--input-ids",
                                              "ids.npy", "--vocab",  "vocab.json"};
        arguments.insert(arguments.end(), extra.begin(), extra.end());
        const json figure = figure_of(arguments);
        return figure.is_object() && figure.contains("data") ? trace_of(figure) : json::object();
    }

    LabelledCase data;
};

TEST_F(CliStatsVocabTest, WithoutVocabularyThereAreNoLabels) {
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {3});
    const json trace = trace_of(figure_of({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy"}));
    EXPECT_FALSE(trace.contains("text"));
    EXPECT_FALSE(trace.contains("customdata"));
}

TEST_F(CliStatsVocabTest, JsonArrayOfTokens) {
    expect_labels(run_with_vocab(json(data.tokens).dump()), data, data.tokens);
}

TEST_F(CliStatsVocabTest, ObjectOfTokenToId) {
    json vocab = json::object();
    // Written out of id order: the ids, not the order, place the tokens.
    for (std::size_t id = data.tokens.size(); id-- > 0;) vocab[data.tokens[id]] = id;
    expect_labels(run_with_vocab(vocab.dump()), data, data.tokens);
}

TEST_F(CliStatsVocabTest, TokenizerJsonWithAddedTokensTakingTheirIdsOver) {
    json vocab = json::object();
    for (std::size_t id = 0; id < 5; ++id) vocab[data.tokens[id]] = id;
    const json tokenizer = {{"version", "1.0"},
                            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}},
                            {"added_tokens", json::array({{{"id", 5}, {"content", "END"}, {"special", true}},
                                                          {{"id", 0}, {"content", "PAD"}, {"special", true}},
                                                          {{"id", 5}, {"content", "END"}, {"special", true}}})}};
    std::vector<std::string> shown = data.tokens;
    shown[5] = "END";
    shown[0] = "PAD";
    expect_labels(run_with_vocab(tokenizer.dump()), data, shown);
}

TEST_F(CliStatsVocabTest, TokenizerJsonWithAUnigramVocabulary) {
    json pieces = json::array();
    for (const std::string& token : data.tokens) pieces.push_back(json::array({token, -1.5}));
    const json tokenizer = {{"model", {{"type", "Unigram"}, {"vocab", pieces}}}};
    expect_labels(run_with_vocab(tokenizer.dump()), data, data.tokens);
}

TEST_F(CliStatsVocabTest, MissingIdsShowAsUnkAndIdsPastTheLensAreLeftOut) {
    // No token for ids 1 and 3; ids 6 and 900 lie past the lens's 6 tokens.
    const json vocab = {{"zero", 0}, {"two", 2}, {"four", 4}, {"five", 5}, {"six", 6}, {"far", 900}};
    const std::vector<std::string> shown = {"zero", "<unk>", "two", "<unk>", "four", "five"};
    put_ids("targets.npy", {0, 1, 2}, {3});
    const json ranked = run_with_vocab(vocab.dump(), {"--statistic", "rank", "--targets", "targets.npy"});
    expect_labels(ranked, data, shown);
    // rank's colour range ends at the vocabulary's size: 6 tokens, not 901.
    EXPECT_EQ(ranked.at("zmax"), 6);
}

TEST_F(CliStatsVocabTest, TokensAreFormattedAndShortened) {
    // "Ġ" marks a leading space and is shown as "_"; tokens longer than 7
    // code points keep 6 and get an ellipsis.
    const std::vector<std::string> tokens = {"\u0120spacey", "one", "two", "three", "abcdefghijklmnop", "five"};
    expect_labels(run_with_vocab(json(tokens).dump()), data,
                  {"_spacey", "one", "two", "three", "abcdef\u2026", "five"});
    // --max-string-len 0 keeps every token whole.
    expect_labels(run_with_vocab(json(tokens).dump(), {"--max-string-len", "0"}), data,
                  {"_spacey", "one", "two", "three", "abcdefghijklmnop", "five"});
    // 3 keeps two code points and the ellipsis; shortening comes before the
    // "Ġ" is replaced, as in tuned-lens.
    expect_labels(run_with_vocab(json(tokens).dump(), {"--max-string-len", "3"}), data,
                  {"_s\u2026", "one", "two", "th\u2026", "ab\u2026", "fi\u2026"});
}

TEST_F(CliStatsVocabTest, TopKSetsTheHoverRows) {
    for (const std::size_t k : {1u, 4u}) {
        const json trace = run_with_vocab(json(data.tokens).dump(), {"--top-k", std::to_string(k)});
        const json& cell = trace.at("customdata").at(1).at(2);
        // Rows of (token, probability), best first.
        ASSERT_EQ(cell.size(), 2 * k);
        const RowDistribution d = distribution(data.lens.row(0, 1, 2), true);
        std::vector<std::size_t> order(d.p.size());
        for (std::size_t v = 0; v < order.size(); ++v) order[v] = v;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d.p[a] > d.p[b]; });
        for (std::size_t r = 0; r < k; ++r) {
            std::string token = cell[2 * r].get<std::string>();
            token.erase(0, token.find_first_not_of(' '));
            EXPECT_EQ(token, data.tokens[order[r]]) << "row " << r;
            std::string percent = cell[2 * r + 1].get<std::string>();
            EXPECT_NEAR(std::stod(percent), 100.0 * d.p[order[r]], 0.006) << "row " << r << ": " << percent;
        }
    }
}

TEST_F(CliStatsVocabTest, MinProbBlanksCellsBelowIt) {
    const double threshold = 0.5;
    const json trace = run_with_vocab(json(data.tokens).dump(), {"--min-prob", "0.5"});
    for (std::size_t l = 0; l < data.lens.layers; ++l) {
        for (std::size_t s = 0; s < data.lens.seq_len; ++s) {
            const RowDistribution d = distribution(data.lens.row(0, l, s), true);
            const double top = *std::max_element(d.p.begin(), d.p.end());
            const std::string expected = top < threshold ? "" : data.tokens[data.top_token(l, s)];
            EXPECT_EQ(trace.at("text").at(l).at(s), expected) << "cell " << l << ", " << s << ": p = " << top;
        }
    }
}

TEST_F(CliStatsVocabTest, ShowRanksLabelsCellsWithTheRank) {
    put_ids("targets.npy", {1, 2, 3}, {3});
    const json trace =
        run_with_vocab(json(data.tokens).dump(), {"--statistic", "rank", "--targets", "targets.npy", "--show-ranks"});
    const Expected ranks = reference("rank", data.lens, true, {{1, 2, 3}, {}});
    for (std::size_t l = 0; l < ranks.size(); ++l) {
        for (std::size_t s = 0; s < ranks[l].size(); ++s) {
            EXPECT_EQ(trace.at("text").at(l).at(s), std::to_string(static_cast<long long>(ranks[l][s])));
        }
    }
}

// ---------------------------------------------------------------------------
// Streaming

TEST_F(CliStatsTest, ValuesAreStreamedNotHeldInMemory) {
    if (runs_wrapped()) {
        GTEST_SKIP() << "the resident set measured would be the wrapper's";
    }
    // 64 MiB of float32: 16 layers of 8 positions x 131072 tokens, 4 MiB a slab.
    const std::size_t layers = 16;
    const std::size_t seq_len = 8;
    const std::size_t vocab = 131072;
    {
        std::ofstream file(work_dir() / "big.npy", std::ios::binary);
        const std::string header = npy_bytes(header_dict("<f4", {1, layers, seq_len, vocab}), "");
        file.write(header.data(), static_cast<std::streamsize>(header.size()));
        std::vector<float> row(vocab);
        for (std::size_t v = 0; v < vocab; ++v) row[v] = static_cast<float>(v % 97) / 16.0f;
        for (std::size_t r = 0; r < layers * seq_len; ++r) {
            file.write(reinterpret_cast<const char*>(row.data()), static_cast<std::streamsize>(vocab * sizeof(float)));
        }
        ASSERT_TRUE(file.good());
    }
    const std::size_t file_kib = fs::file_size(work_dir() / "big.npy") / 1024;
    ASSERT_GE(file_kib, 64u * 1024u);
    put_ids("ids.npy", make_ids(seq_len, vocab, 81), {seq_len});
    const Lens tiny = make_lens(1, 2, seq_len, 4, 82);
    put_lens("tiny.npy", tiny);
    put_ids("tiny_ids.npy", make_ids(seq_len, 4, 83), {seq_len});

    const CliResult baseline = run_ok({"stats", "--logits", "tiny.npy", "--input-ids", "tiny_ids.npy"});
    const CliResult big = run_ok({"stats", "--logits", "big.npy", "--input-ids", "ids.npy", "-o", "big.json"});
    // Every row is the same: its entropy is known, and the run really read
    // the whole file.
    Lens one_row{1, 1, 1, vocab, {}};
    for (std::size_t v = 0; v < vocab; ++v) one_row.values.push_back(static_cast<double>(v % 97) / 16.0);
    const double entropy = reference("entropy", one_row, true)[0][0];
    const json z = trace_of(read_json(work_dir() / "big.json")).at("z");
    ASSERT_EQ(z.size(), layers);
    for (const json& row : z) {
        for (const json& value : row) EXPECT_NEAR(value.get<double>(), entropy, 1e-5 * entropy);
    }
    const long growth_kib = big.peak_rss_kib - baseline.peak_rss_kib;
    RecordProperty("peak_rss_growth_kib", static_cast<int>(growth_kib));
    // One slab is 4 MiB; a quarter of the file leaves room for the library's
    // per-row results and the page cache's read-around, not for the file.
    EXPECT_LT(growth_kib, static_cast<long>(file_kib / 4))
        << "peak RSS " << big.peak_rss_kib << " KiB against " << baseline.peak_rss_kib << " KiB for a tiny file";
}

// ---------------------------------------------------------------------------
// Bad files: a one-line message naming the file, exit status 1, no output.

struct BadFile {
    const char* name;
    std::string bytes;    // the --logits file
    const char* message;  // must appear in the error line
};

void PrintTo(const BadFile& bad, std::ostream* out) { *out << bad.name; }

const std::string good_dict = header_dict("<f4", {2, 3, 4, 5});
const std::string good_data(2 * 3 * 4 * 5 * 4, '\0');

std::string with_header_length(std::string bytes, std::uint16_t length) {
    bytes[8] = static_cast<char>(length & 0xff);
    bytes[9] = static_cast<char>(length >> 8);
    return bytes;
}

const BadFile bad_files[] = {
    {"Empty", "", "--logits 'values.npy' is not a .npy file"},
    {"BadMagic", "\x93NUMPZ" + npy_bytes(good_dict, good_data).substr(6),
     "is not a .npy file: it does not start with the .npy magic (the byte 0x93, then NUMPY)"},
    {"ZipArchive", "PK\x03\x04\x14\x00\x00\x00" + good_data,
     "is a zip archive, such as np.savez writes, not a .npy file; save the array with np.save"},
    {"TextFile", "not numpy at all", "is not a .npy file"},
    {"OnlyMagic", "\x93NUMPY", "is truncated: it ends inside its version"},
    {"NoHeaderLength", std::string("\x93NUMPY\x01\x00", 8), "is truncated: it ends inside its header length"},
    {"Version4",
     [] {
         std::string bytes = npy_bytes(good_dict, good_data);
         bytes[6] = 4;
         return bytes;
     }(),
     "version 4.0; versions 1.0, 2.0 and 3.0 are supported"},
    {"HeaderPastTheEnd", npy_bytes(good_dict, "").substr(0, 40), "is truncated: its header needs"},
    {"HeaderLengthNoise", with_header_length(npy_bytes(good_dict, good_data), 0xffff), "is truncated"},
    {"DataTooShort", npy_bytes(good_dict, good_data.substr(0, 479)),
     "is truncated: shape (2, 3, 4, 5) of '<f4' needs 480 bytes of data, the file has 479"},
    {"NoData", npy_bytes(good_dict, ""), "needs 480 bytes of data, the file has 0"},
    {"FortranOrder", npy_bytes(header_dict("<f4", {2, 3, 4, 5}, true), good_data), "Fortran (column-major) order"},
    {"BigEndian", npy_bytes(header_dict(">f4", {2, 3, 4, 5}), good_data), "dtype '>f4' (big-endian)"},
    {"Integers", npy_bytes(header_dict("<i4", {2, 3, 4, 5}), good_data), "dtype '<i4'; expected"},
    {"Bfloat16AsVoid", npy_bytes(header_dict("<V2", {2, 3, 4, 5}), good_data.substr(0, 240)), "dtype '<V2'"},
    {"Strings", npy_bytes(header_dict("<U4", {2, 3, 4, 5}), std::string(2 * 3 * 4 * 5 * 16, 'a')), "dtype '<U4'"},
    {"Objects", npy_bytes(header_dict("|O", {2, 3, 4, 5}), good_data), "dtype '|O'"},
    {"Structured", npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 3, 4, 5), }", good_data),
     "a structured dtype"},
    {"NotADict", npy_bytes("[1, 2]", good_data), "malformed header (a list, not a dict)"},
    {"UnclosedDict", npy_bytes("{'descr': '<f4', 'fortran_order': False", good_data), "malformed header"},
    {"UnclosedString", npy_bytes("{'descr: '<f4'}", good_data), "malformed header"},
    {"Garbage", npy_bytes("{'descr': '<f4', 'fortran_order': Nope, 'shape': (2,)}", good_data), "malformed header"},
    {"TextAfterDict", npy_bytes(good_dict + " x", good_data), "unexpected text after the dict"},
    {"DeeplyNested", npy_bytes(std::string(200, '(') + std::string(200, ')'), good_data), "nested too deeply"},
    {"MissingShape", npy_bytes("{'descr': '<f4', 'fortran_order': False}", good_data), "has no 'shape'"},
    {"UnknownKey", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 5), 'x': 1}", good_data),
     "the header key 'x'"},
    {"RepeatedKey", npy_bytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", good_data),
     "the header key 'descr' twice"},
    {"ShapeNotATuple", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3, 4, 5]}", good_data),
     "'shape' that is a list"},
    {"ShapeNotIntegers", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x')}", good_data),
     "'shape' holding a string"},
    {"FortranOrderNotBool", npy_bytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3, 4, 5)}", good_data),
     "'fortran_order' that is an integer"},
    {"ShapeOverflows", npy_bytes(header_dict("<f4", {1ull << 40, 1ull << 40, 4, 5}), good_data),
     "has shape (1099511627776, 1099511627776, 4, 5) and dtype '<f4', whose size in bytes overflows the address "
     "space"},
    {"ShapeTimesItemSizeOverflows", npy_bytes(header_dict("<f8", {1ull << 30, 1ull << 30, 4, 4}), good_data),
     "has shape (1073741824, 1073741824, 4, 4) and dtype '<f8', whose size in bytes overflows"},
    {"ItemSizeOverflows", npy_bytes(header_dict("<U999999999999999999", {2, 3, 4, 5}), good_data),
     "has shape (2, 3, 4, 5) and dtype '<U999999999999999999', whose size in bytes overflows the address space"},
    {"ItemSizeBeyond64Bits", npy_bytes(header_dict("<U99999999999999999999", {2, 3, 4, 5}), good_data),
     "has dtype '<U99999999999999999999', whose item size overflows the address space"},
    {"ShapeHuge", npy_bytes(header_dict("<f4", {2, 3, 4, 1ull << 40}), good_data), "is truncated"},
    {"ExtentBeyond64Bits",
     npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 3)}", good_data),
     "an integer too large for 64 bits"},
    {"TwoDimensional", npy_bytes(header_dict("<f4", {24, 5}), good_data),
     "has shape (24, 5); expected (batch, layers, seq_len, vocab) or (layers, seq_len, vocab)"},
    {"FiveDimensional", npy_bytes(header_dict("<f4", {1, 2, 3, 4, 5}), good_data), "has shape (1, 2, 3, 4, 5)"},
    {"EmptyDimension", npy_bytes(header_dict("<f4", {2, 0, 4, 5}), ""), "every dimension must be at least 1"},
    {"Float64BeyondFloat32",
     [] {
         std::vector<double> values(2 * 3 * 4 * 5, 0.5);
         values[37] = -1e300;
         return npy_bytes(header_dict("<f8", {2, 3, 4, 5}), encode_floats(values, Dtype::f8));
     }(),
     "holds -1e+300 at [0, 1, 3, 2], which does not fit a 32-bit float"},
};

class CliStatsBadFileTest : public CliStatsTest, public ::testing::WithParamInterface<BadFile> {};

TEST_P(CliStatsBadFileTest, FailsNamingTheFileAndWritesNothing) {
    put("values.npy", GetParam().bytes);
    put_ids("ids.npy", make_ids(8, 5, 91), {2, 4});
    const std::set<std::string> before = work_entries();
    const CliResult result = run({"stats", "--logits", "values.npy", "--input-ids", "ids.npy", "-o", "out.json"});
    expect_error(result, 1, GetParam().message);
    EXPECT_NE(result.err.find("'values.npy'"), std::string::npos) << result.err;
    EXPECT_EQ(work_entries(), before);
}

INSTANTIATE_TEST_SUITE_P(Files, CliStatsBadFileTest, ::testing::ValuesIn(bad_files),
                         [](const ::testing::TestParamInfo<BadFile>& info) { return info.param.name; });

TEST_F(CliStatsTest, TruncationsAndHeaderCorruptionsFailCleanly) {
    const std::string whole = npy_bytes(good_dict, encode_floats(make_lens(2, 3, 4, 5, 95).values, Dtype::f4));
    put_ids("ids.npy", make_ids(8, 5, 96), {2, 4});
    ASSERT_EQ(whole.size(), 608u);
    // Lengths through the prefix and header (128 bytes), then into the data.
    std::vector<std::size_t> lengths;
    for (std::size_t length = 0; length < 128; length += runs_wrapped() ? 17 : 4) lengths.push_back(length);
    for (const std::size_t length : {127u, 129u, 300u, 607u}) lengths.push_back(length);
    for (const std::size_t length : lengths) {
        SCOPED_TRACE("truncated to " + std::to_string(length) + " bytes");
        put("values.npy", whole.substr(0, length));
        expect_error(run({"stats", "--logits", "values.npy", "--input-ids", "ids.npy"}), 1, "'values.npy'");
    }
    // Header bytes replaced by characters that matter to the parser: each
    // run either succeeds or fails with one line, never crashes.
    Random random(97);
    const std::string replacements = "{}()[]:,'\"0123456789LTFN \n\\\x00\xff"s;
    const int trials = runs_wrapped() ? 8 : 40;
    for (int trial = 0; trial < trials; ++trial) {
        std::string bytes = whole;
        const std::size_t position = 10 + random.next() % 70;
        bytes[position] = replacements[random.next() % replacements.size()];
        SCOPED_TRACE("byte " + std::to_string(position) + " set to " + std::to_string(bytes[position]));
        put("values.npy", bytes);
        const CliResult result = run({"stats", "--logits", "values.npy", "--input-ids", "ids.npy"});
        if (result.exit_status == 0) {
            EXPECT_EQ(result.err, "");
        } else {
            expect_error(result, 1, "trajplot: ");
        }
    }
}

TEST_F(CliStatsTest, MissingFileAndDirectoryAreNamed) {
    put_ids("ids.npy", make_ids(8, 5, 98), {2, 4});
    expect_error(run({"stats", "--logits", "absent.npy", "--input-ids", "ids.npy"}), 1,
                 "cannot open --logits 'absent.npy': No such file or directory");
    fs::create_directory(work_dir() / "dir.npy");
    expect_error(run({"stats", "--log-probs", "dir.npy", "--input-ids", "ids.npy"}), 1,
                 "--log-probs 'dir.npy' is a directory, not a .npy file");
}

// A FIFO would block the first open() until a writer came: every input
// option refuses one at once. Should one be opened all the same, the
// watchdog opens the FIFOs for writing after a while, which lets the run
// end (and the test fail) instead of hanging.
TEST_F(CliStatsTest, FifosAreRefusedBeforeAnythingWaitsOnThem) {
    SmallCase data;
    put_lens("lens.npy", data.lens);
    put_ids("ids.npy", data.ids, {2, 4});
    ASSERT_EQ(::mkfifo((work_dir() / "fifo").c_str(), 0600), 0);
    const std::vector<std::vector<std::string>> runs = {
        {"stats", "--logits", "fifo", "--input-ids", "ids.npy"},
        {"stats", "--log-probs", "fifo", "--input-ids", "ids.npy"},
        {"stats", "--logits", "lens.npy", "--input-ids", "fifo"},
        {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "fifo", "--statistic", "rank"},
        {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "ids.npy", "--anti-targets", "fifo",
         "--statistic", "log_prob_diff"},
        {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--other", "fifo", "--statistic", "kl_divergence"},
        {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "fifo"},
    };
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    bool fired = false;
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        while (!done) {
            if (finished.wait_for(lock, std::chrono::seconds(20)) == std::cv_status::timeout && !done) {
                fired = true;
                const int fd = ::open((work_dir() / "fifo").c_str(), O_WRONLY | O_NONBLOCK);
                if (fd >= 0) ::close(fd);
            }
        }
    });
    for (const std::vector<std::string>& arguments : runs) {
        const std::string& option = *(std::find(arguments.begin(), arguments.end(), "fifo") - 1);
        SCOPED_TRACE(option);
        expect_error(run(arguments), 1, option + " 'fifo' is a FIFO (a pipe), not ");
    }
    {
        const std::lock_guard lock(mutex);
        done = true;
    }
    finished.notify_all();
    watchdog.join();
    EXPECT_FALSE(fired) << "a run waited on the FIFO";
    EXPECT_EQ(work_entries(), (std::set<std::string>{"fifo", "ids.npy", "lens.npy"}));
}

// A header is quoted as the text of its dict: without numpy's padding, its
// newline, or escapes for them.
TEST_F(CliStatsTest, MalformedHeaderIsQuotedWithoutItsPadding) {
    put("values.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False", good_data));
    put_ids("ids.npy", make_ids(8, 5, 91), {2, 4});
    const CliResult result = run({"stats", "--logits", "values.npy", "--input-ids", "ids.npy"});
    expect_error(result, 1,
                 "--logits 'values.npy' has a malformed header (expected ',' or '}' at its end): "
                 "{'descr': '<f4', 'fortran_order': False\n");
    EXPECT_EQ(result.err.find("\\x"), std::string::npos) << result.err;
}

// float16 and float64 slabs are converted into a buffer of one slab, which
// must fit the library's memory limit (by default the machine's memory).
// The files are sparse: as large as needed, holding no data.
TEST_F(CliStatsTest, ConversionBufferBeyondTheMemoryLimitIsRefusedNamingItsSize) {
    if (runs_wrapped()) GTEST_SKIP() << "maps files larger than memory, which a wrapper may not allow";
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGE_SIZE);
    ASSERT_GT(pages, 0);
    ASSERT_GT(page_size, 0);
    const auto memory = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
    // One slab of seq_len x vocab = 2 x vocab values, whose float32 copy is
    // just over the memory.
    const std::uint64_t vocab = memory / 8 + 1;
    const std::uint64_t values = 2 * vocab;
    put_ids("ids.npy", {0, 0}, {2});
    for (const Dtype dtype : {Dtype::f2, Dtype::f8}) {
        const std::string descr = descr_of(dtype);
        SCOPED_TRACE(descr);
        const std::size_t item = dtype == Dtype::f2 ? 2 : 8;
        put("huge.npy", npy_bytes(header_dict(descr, {1, 2, static_cast<std::size_t>(vocab)}), ""));
        ASSERT_EQ(::truncate((work_dir() / "huge.npy").c_str(),
                             static_cast<off_t>(fs::file_size(work_dir() / "huge.npy") + values * item)),
                  0);
        expect_error(run({"stats", "--logits", "huge.npy", "--input-ids", "ids.npy"}), 1,
                     "--logits 'huge.npy' has dtype '" + descr +
                         "', read through a float32 copy of one slab at a time, and a slab of " +
                         std::to_string(values) + " values (seq_len x vocab) needs " + std::to_string(values * 4) +
                         " bytes, more than the memory limit of " + std::to_string(memory) + " bytes");
        fs::remove(work_dir() / "huge.npy");
    }
}

// ---------------------------------------------------------------------------
// Bad inputs that are good files: shapes and ids that do not fit.

struct BadInput {
    const char* name;
    std::vector<std::string> arguments;  // after "stats"
    const char* message;
};

void PrintTo(const BadInput& bad, std::ostream* out) { *out << bad.name; }

class CliStatsBadInputTest : public CliStatsTest, public ::testing::WithParamInterface<BadInput> {
protected:
    void SetUp() override {
        CliStatsTest::SetUp();
        SmallCase data;
        put_lens("lens.npy", data.lens);
        put_lens("lens16.npy", data.lens, Dtype::f2);
        put_lens("single.npy", make_lens(1, 3, 4, 5, 99), Dtype::f4, false);
        put_lens("other_short.npy", make_lens(2, 2, 4, 5, 100));
        put_ids("ids.npy", data.ids, {2, 4});
        put_ids("ids_flat.npy", data.ids, {8});
        put_ids("ids_seq.npy", {0, 1, 2, 3}, {4});
        put_ids("ids_long.npy", make_ids(10, 5, 101), {2, 5});
        put_ids("ids_3d.npy", data.ids, {2, 4, 1});
        put_ids("ids_range.npy", {0, 1, 2, 3, 4, 5, 0, 1}, {2, 4});
        put_ids("ids_negative.npy", {0, 1, 2, 3, 4, 0, -1, 1}, {2, 4}, "<i4");
        put_ids("ids_huge.npy", {0, 1, 2, 3, 4, 0, 1, 1}, {2, 4}, "<u8");
        {
            // 2^63 in the last uint64: beyond int64.
            std::string bytes = read_file(work_dir() / "ids_huge.npy");
            bytes[bytes.size() - 1] = static_cast<char>(0x80);
            put("ids_huge.npy", bytes);
        }
        put("ids_float.npy", npy_bytes(header_dict("<f4", {2, 4}), std::string(32, '\0')));
        put("ids_bool.npy", npy_bytes(header_dict("|b1", {2, 4}), std::string(8, '\0')));
        put("ids_big_endian.npy", npy_bytes(header_dict(">i8", {2, 4}), std::string(64, '\0')));
        put("vocab_dup.json", R"({"a": 0, "b": 1, "c": 1})");
        put("vocab_negative.json", R"({"a": 0, "b": -3})");
        put("vocab_fraction.json", R"({"a": 0, "b": 1.5})");
        put("vocab_not_string.json", R"(["a", "b", 7])");
        put("vocab_scalar.json", "42");
        put("vocab_broken.json", R"(["a", "b")");
        put("vocab_no_model_vocab.json", R"({"model": {"type": "BPE"}})");
        put("vocab_added_clash.json",
            R"({"model": {"vocab": {"a": 0}},
                "added_tokens": [{"id": 3, "content": "X"}, {"id": 3, "content": "Y"}]})");
        put("vocab_added_no_id.json", R"({"model": {"vocab": {"a": 0}}, "added_tokens": [{"content": "X"}]})");
        put("vocab_added_not_array.json", R"({"model": {"vocab": {"a": 0}}, "added_tokens": {}})");
        put("vocab_unigram_bad.json", R"({"model": {"vocab": [["a", 0.0], 3]}})");
        put("a_file", "x");
        fs::create_directory(work_dir() / "a_dir");
    }
};

TEST_P(CliStatsBadInputTest, FailsNamingTheInputAndWritesNothing) {
    std::vector<std::string> arguments = {"stats"};
    arguments.insert(arguments.end(), GetParam().arguments.begin(), GetParam().arguments.end());
    const std::set<std::string> before = work_entries();
    expect_error(run(arguments), 1, GetParam().message);
    EXPECT_EQ(work_entries(), before);
}

const BadInput bad_inputs[] = {
    {"IdsOfOtherSequenceLength",
     {"--logits", "lens.npy", "--input-ids", "ids_long.npy"},
     "--input-ids 'ids_long.npy' has shape (2, 5) but --logits 'lens.npy' has shape (2, 3, 4, 5), so (2, 4) "
     "(batch, seq_len) is expected"},
    {"FlatIdsForTwoBatchItems",
     {"--logits", "lens.npy", "--input-ids", "ids_flat.npy"},
     "--input-ids 'ids_flat.npy' has shape (8,) but --logits 'lens.npy' has shape (2, 3, 4, 5)"},
    {"SequenceIdsForTwoBatchItems", {"--logits", "lens.npy", "--input-ids", "ids_seq.npy"}, "has shape (4,) but"},
    {"ThreeDimensionalIds", {"--logits", "lens.npy", "--input-ids", "ids_3d.npy"}, "has shape (2, 4, 1) but"},
    {"BatchedIdsForOneItem",
     {"--logits", "single.npy", "--input-ids", "ids.npy"},
     "--input-ids 'ids.npy' has shape (2, 4) but --logits 'single.npy' has shape (3, 4, 5), so (4,) or (1, 4)"},
    {"TargetsOfAnotherShape",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "ids_long.npy", "--statistic", "rank"},
     "--targets 'ids_long.npy' has shape (2, 5) but --logits 'lens.npy'"},
    {"AntiTargetsOfAnotherShape",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "ids.npy", "--anti-targets", "ids_flat.npy",
      "--statistic", "log_prob_diff"},
     "--anti-targets 'ids_flat.npy' has shape (8,)"},
    {"OtherOfAnotherShape",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--other", "other_short.npy", "--statistic", "kl_divergence"},
     "--other 'other_short.npy' has shape (2, 2, 4, 5) but --logits 'lens.npy' has shape (2, 3, 4, 5)"},
    {"OtherNotALensOutput",
     {"--logits", "lens16.npy", "--input-ids", "ids.npy", "--other", "ids.npy", "--statistic", "kl_divergence"},
     "--other 'ids.npy' has shape (2, 4)"},
    {"IdPastTheVocabulary",
     {"--logits", "lens.npy", "--input-ids", "ids_range.npy"},
     "--input-ids 'ids_range.npy' holds 5 at [1, 1]; token ids must be in [0, 5), the vocabulary of --logits "
     "'lens.npy'"},
    {"NegativeId", {"--logits", "lens.npy", "--input-ids", "ids_negative.npy"}, "holds -1 at [1, 2]"},
    {"TargetPastTheVocabulary",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--targets", "ids_range.npy", "--statistic", "cross_entropy"},
     "--targets 'ids_range.npy' holds 5 at [1, 1]"},
    {"IdBeyondInt64",
     {"--logits", "lens.npy", "--input-ids", "ids_huge.npy"},
     "--input-ids 'ids_huge.npy' holds 9223372036854775809 at [1, 3], which is not a token id"},
    {"FloatIds",
     {"--logits", "lens.npy", "--input-ids", "ids_float.npy"},
     "--input-ids 'ids_float.npy' has dtype '<f4'; expected a little-endian integer dtype"},
    {"BoolIds", {"--logits", "lens.npy", "--input-ids", "ids_bool.npy"}, "has dtype '|b1'"},
    {"BigEndianIds", {"--logits", "lens.npy", "--input-ids", "ids_big_endian.npy"}, "has dtype '>i8' (big-endian)"},
    {"MissingIdsFile", {"--logits", "lens.npy", "--input-ids", "nope.npy"}, "cannot open --input-ids 'nope.npy'"},
    {"VocabDuplicateId",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_dup.json"},
     "--vocab 'vocab_dup.json': the tokens 'b' and 'c' both have id 1"},
    {"VocabNegativeId",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_negative.json"},
     "[\"b\"] is -3; token ids are non-negative integers"},
    {"VocabFractionalId",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_fraction.json"},
     "[\"b\"] must be an integer id, got number 1.5"},
    {"VocabTokenNotString",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_not_string.json"},
     "[2] must be a string, got number"},
    {"VocabScalar",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_scalar.json"},
     "must hold a JSON array of tokens, an object of token -> id or a tokenizer.json, got number"},
    {"VocabNotJson",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_broken.json"},
     "--vocab 'vocab_broken.json' is not valid JSON"},
    {"VocabMissing",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "nope.json"},
     "cannot open --vocab 'nope.json'"},
    {"VocabDirectory",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "a_dir"},
     "--vocab 'a_dir' is a directory, not a JSON file"},
    {"TokenizerWithoutVocab",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_no_model_vocab.json"},
     "looks like a tokenizer.json, but its model has no 'vocab'"},
    {"AddedTokensSharingAnId",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_added_clash.json"},
     "the tokens 'X' and 'Y' both have id 3"},
    {"AddedTokenWithoutId",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_added_no_id.json"},
     "added_tokens[0] has no 'id'"},
    {"AddedTokensNotArray",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_added_not_array.json"},
     "added_tokens must be an array, got object"},
    {"UnigramEntryNotPair",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--vocab", "vocab_unigram_bad.json"},
     "model.vocab[1] must be a [token, score] pair, got number"},
    {"OutputDirIsAFile",
     {"--logits", "lens.npy", "--input-ids", "ids.npy", "--statistic", "entropy", "--output-dir", "a_file"},
     "--output-dir 'a_file'"},
};

INSTANTIATE_TEST_SUITE_P(Inputs, CliStatsBadInputTest, ::testing::ValuesIn(bad_inputs),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Command lines: usage errors, exit status 2, and the usage line.

class CliStatsUsageTest : public CliStatsTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliStatsUsageTest, IsAUsageErrorAndWritesNothing) {
    std::vector<std::string> arguments = GetParam().arguments;
    // The files need not exist: the command line is checked first.
    expect_usage_error(run(arguments), GetParam().message);
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

const std::vector<std::string> base = {"stats", "--logits", "l.npy", "--input-ids", "i.npy"};

std::vector<std::string> with(std::vector<std::string> extra) {
    std::vector<std::string> arguments = base;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
}

const BadInput bad_command_lines[] = {
    {"NoValues",
     {"stats", "--input-ids", "i.npy"},
     "stats needs the lens outputs: --logits FILE.npy or --log-probs FILE.npy"},
    {"LogitsAndLogProbs", with({"--log-probs", "p.npy"}), "--logits and --log-probs exclude each other"},
    {"NoInputIds", {"stats", "--logits", "l.npy"}, "stats needs --input-ids IDS.npy"},
    {"Positional", with({"extra.npy"}), "unexpected argument 'extra.npy'; stats takes its files as options"},
    {"UnknownStatistic", with({"--statistic", "entropy,perplexity"}),
     "unknown statistic 'perplexity' for --statistic; known: entropy, cross_entropy, forward_kl, max_probability, "
     "rank, log_prob_diff, log_prob_diff_delta, kl_divergence, js_divergence, half_symmetric_kl, total_variation, "
     "max_abs_prob_difference"},
    {"EmptyStatisticName", with({"--statistic", "entropy,,rank"}), "--statistic has an empty name in 'entropy,,rank'"},
    {"StatisticTwice", with({"--statistic", "entropy", "--statistic", "max_probability,entropy"}),
     "--statistic 'entropy' is given more than once"},
    {"StackWithOutputDir", with({"--statistic", "entropy,max_probability", "--output-dir", "d", "--stack"}),
     "--stack draws one figure, and --output-dir writes one file per statistic"},
    {"PanelTitleWithOutputDir",
     with({"--statistic", "entropy,max_probability", "--output-dir", "d", "--panel-title", "1", "x"}),
     "--panel-title 1 applies to stacked figures only; --output-dir writes one figure per statistic"},
    {"VerticalSpacingWithOutputDir",
     with({"--statistic", "entropy,max_probability", "--output-dir", "d", "--vertical-spacing", "0.1"}),
     "--vertical-spacing applies to stacked figures only; --output-dir writes one figure per statistic"},
    {"PanelOptionWithOneStatistic", with({"--panel-colorscale", "1", "blues"}),
     "--panel-colorscale 1 applies to stacked figures only; add --stack, or select several statistics"},
    {"PanelPastTheStatistics", with({"--statistic", "entropy,max_probability", "--panel-log-scale", "3"}),
     "--panel-log-scale 3 names no panel: the figure has 2 panels, numbered from 1 at the top"},
    {"PanelGivenTwice",
     with({"--statistic", "entropy,max_probability", "--panel-title", "2", "a", "--panel-title", "2", "b"}),
     "--panel-title 2 is given more than once"},
    {"TraceOnlyWithSeveralStatistics", with({"--statistic", "entropy,max_probability", "--trace-only"}),
     "--trace-only writes one heatmap trace, and 2 statistics make one stacked figure; use --output-dir DIR"},
    {"TraceOnlyWithStack", with({"--stack", "--trace-only"}),
     "--trace-only writes one heatmap trace, not the stacked figure of --stack"},
    {"OutAndOutputDir", with({"--out", "f.json", "--output-dir", "d"}), "--out and --output-dir exclude each other"},
    {"ComparisonWithoutOther", with({"--statistic", "entropy,js_divergence", "--output-dir", "d"}),
     "--other FILE.npy, the second trajectory, is needed by js_divergence"},
    {"CrossEntropyWithoutTargets", with({"--statistic", "cross_entropy"}),
     "--targets TARGETS.npy is needed by cross_entropy"},
    {"LogProbDiffWithoutAntiTargets", with({"--statistic", "log_prob_diff_delta", "--targets", "t.npy"}),
     "--anti-targets ANTI_TARGETS.npy is needed by log_prob_diff_delta"},
    {"RepeatedVocab", with({"--vocab", "a", "--vocab", "b"}), "--vocab is given more than once"},
    {"MissingValue", with({"--statistic"}), "--statistic needs a value"},
    {"StatsOptionForRender", {"render", "spec.json", "--logits", "l.npy"}, "unknown option '--logits' for 'render'"},
    {"UnknownStatsOption", with({"--vocabulary", "v.json"}), "unknown option '--vocabulary' for 'stats'"},
    {"HtmlOptionWithoutHtml", with({"--div-id", "x"}), "--div-id applies to --format html only"},
};

INSTANTIATE_TEST_SUITE_P(CommandLines, CliStatsUsageTest, ::testing::ValuesIn(bad_command_lines),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST_F(CliStatsTest, HelpDocumentsTheCommandAndEveryOption) {
    const CliResult result = run_ok({"stats", "--help"});
    for (const std::string option :
         {"trajplot stats", "--logits", "--log-probs", "--input-ids", "--targets", "--anti-targets", "--other",
          "--vocab", "--statistic", "--show-ranks", "--top-k", "--min-prob", "--min-prob-delta",
          "--max-batch-items-shown", "--max-string-len", "--threads", "-o, --out", "--output-dir", "--format",
          "--stride", "--clip", "--title", "tokenizer.json", "<unk>",
          // --threads by default: what trajplot_default_threads() counts.
          "(default: the CPUs available)"}) {
        EXPECT_NE(result.out.find(option), std::string::npos) << option;
    }
    for (const std::string name :
         {"entropy", "cross_entropy", "forward_kl", "max_probability", "rank", "log_prob_diff", "log_prob_diff_delta",
          "kl_divergence", "js_divergence", "half_symmetric_kl", "total_variation", "max_abs_prob_difference"}) {
        EXPECT_NE(result.out.find(name), std::string::npos) << name;
    }
}

}  // namespace
}  // namespace trajplot_cli_test
