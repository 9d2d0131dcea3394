#include "stats.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli_error.hpp"
#include "input_file.hpp"
#include "library.hpp"
#include "npy_file.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "render.hpp"
#include "trajplot.h"
#include "vocabulary_file.hpp"

namespace trajplot_cli {
namespace {

struct LensShape {
    std::size_t batch = 1;
    std::size_t layers = 0;
    std::size_t seq_len = 0;
    std::size_t vocab = 0;
};

std::string file_name(std::string_view option, const std::string& path) {
    std::string name(option);
    name.append(" '").append(path).append("'");
    return name;
}

LensShape lens_shape(const NpyFile& values) {
    const std::vector<std::size_t>& shape = values.shape();
    if (shape.size() != 3 && shape.size() != 4) {
        fail_input(values.name() + " has shape " + values.shape_text() +
                   "; expected (batch, layers, seq_len, vocab) or (layers, seq_len, vocab)");
    }
    if (std::find(shape.begin(), shape.end(), std::size_t{0}) != shape.end()) {
        fail_input(values.name() + " has shape " + values.shape_text() + "; every dimension must be at least 1");
    }
    const std::size_t axis = shape.size() - 3;
    return {axis == 0 ? 1 : shape[0], shape[axis], shape[axis + 1], shape[axis + 2]};
}

// Token ids shaped (batch, seq_len), or (seq_len,) for a single batch item.
std::vector<std::int64_t> read_token_ids(std::string_view option, const std::string& path, const NpyFile& values,
                                         const LensShape& lens) {
    const NpyFile ids = NpyFile::open(path, file_name(option, path));
    const std::vector<std::size_t>& shape = ids.shape();
    const std::vector<std::size_t> batched{lens.batch, lens.seq_len};
    const std::vector<std::size_t> single{lens.seq_len};
    if (shape != batched && !(lens.batch == 1 && shape == single)) {
        const std::string expected =
            lens.batch == 1 ? shape_text(single) + " or " + shape_text(batched) : shape_text(batched);
        fail_input(ids.name() + " has shape " + ids.shape_text() + " but " + values.name() + " has shape " +
                   values.shape_text() + ", so " + expected + " (batch, seq_len) is expected");
    }
    std::vector<std::int64_t> tokens = read_integers(ids);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] < 0 || static_cast<std::uint64_t>(tokens[i]) >= lens.vocab) {
            fail_input(ids.name() + " holds " + std::to_string(tokens[i]) + " at " + ids.index_text(i) +
                       "; token ids must be in [0, " + std::to_string(lens.vocab) + "), the vocabulary of " +
                       values.name());
        }
    }
    return tokens;
}

VocabularyHandle load_vocabulary(const std::string& path, std::size_t lens_vocab) {
    const std::vector<std::string> tokens = read_vocabulary(path, lens_vocab);
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(tokens.size());
    lengths.reserve(tokens.size());
    for (const std::string& token : tokens) {
        pointers.push_back(token.c_str());
        lengths.push_back(token.size());
    }
    trajplot_vocabulary* created = nullptr;
    if (trajplot_vocabulary_create(&created, pointers.data(), lengths.data(), tokens.size()) != TRAJPLOT_OK) {
        fail_input(file_name("--vocab", path) + ": " + user_terms(trajplot_error_last()));
    }
    return VocabularyHandle(created);
}

trajplot_trajectory_options trajectory_options(const StatsOptions& stats, const trajplot_vocabulary* vocabulary,
                                               bool forward_kl) {
    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.values = stats.values_kind == ValuesKind::logits ? TRAJPLOT_VALUES_LOGITS : TRAJPLOT_VALUES_LOG_PROBS;
    options.vocabulary = vocabulary;
    if (stats.top_k) options.top_k = *stats.top_k;
    if (stats.min_prob) options.min_prob = *stats.min_prob;
    if (stats.min_prob_delta) options.min_prob_delta = *stats.min_prob_delta;
    if (stats.max_batch_items_shown) options.max_batch_items_shown = *stats.max_batch_items_shown;
    if (stats.max_string_len) options.max_string_len = *stats.max_string_len;
    // 0: trajplot_default_threads(), the CPUs available to this process.
    options.threads = stats.threads.value_or(0);
    // Without forward KL the trajectory keeps nothing that grows with the
    // vocabulary, and the layers may come in file order.
    options.forward_kl = forward_kl;
    return options;
}

// The layers of one batch item in the order they are added: with forward
// KL the output layer (the last) must come first.
std::vector<std::size_t> layer_order(std::size_t layers, bool output_first) {
    std::vector<std::size_t> order;
    order.reserve(layers);
    if (output_first) order.push_back(layers - 1);
    for (std::size_t layer = 0; layer < layers; ++layer) {
        if (!(output_first && layer == layers - 1)) order.push_back(layer);
    }
    return order;
}

std::filesystem::path output_directory(const std::string& dir) {
    const std::filesystem::path path(dir);
    struct stat status {};
    if (::stat(dir.c_str(), &status) == 0 && !S_ISDIR(status.st_mode)) {
        fail_input("--output-dir '" + dir + "' is " + std::string(file_kind(status.st_mode)) + ", not a directory");
    }
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) {
        fail_input("cannot create --output-dir '" + dir + "': " + error.message());
    }
    if (!std::filesystem::is_directory(path, error)) {
        fail_input("--output-dir '" + dir + "' is not a directory");
    }
    return path;
}

}  // namespace

void run_stats(const StatsOptions& stats, const RenderOptions& options) {
    const std::vector<int>& measures = stats.measures;
    const auto selected = [&](int measure) {
        return std::find(measures.begin(), measures.end(), measure) != measures.end();
    };
    const bool wants_trajectory =
        std::any_of(measures.begin(), measures.end(), [](int m) { return !trajplot_measure_is_comparison(m); });
    const bool wants_comparison =
        std::any_of(measures.begin(), measures.end(), [](int m) { return trajplot_measure_is_comparison(m); });
    const bool wants_forward_kl = selected(TRAJPLOT_MEASURE_FORWARD_KL);

    const NpyFile values = NpyFile::open(stats.values_path, file_name(stats.values_option(), stats.values_path));
    const LensShape lens = lens_shape(values);
    const std::size_t slab_len = lens.seq_len * lens.vocab;
    FloatSlabReader self_reader(values, slab_len);

    std::optional<NpyFile> other;
    std::optional<FloatSlabReader> other_reader;
    if (stats.other_path) {
        other.emplace(NpyFile::open(*stats.other_path, file_name("--other", *stats.other_path)));
        if (other->shape() != values.shape()) {
            fail_input(other->name() + " has shape " + other->shape_text() + " but " + values.name() + " has shape " +
                       values.shape_text() + "; the two trajectories must have the same shape");
        }
        other_reader.emplace(*other, slab_len);
    }

    const std::vector<std::int64_t> input_ids = read_token_ids("--input-ids", stats.input_ids_path, values, lens);
    std::optional<std::vector<std::int64_t>> targets;
    std::optional<std::vector<std::int64_t>> anti_targets;
    if (stats.targets_path) targets = read_token_ids("--targets", *stats.targets_path, values, lens);
    if (stats.anti_targets_path) {
        anti_targets = read_token_ids("--anti-targets", *stats.anti_targets_path, values, lens);
    }

    VocabularyHandle vocabulary;
    if (stats.vocab_path) vocabulary = load_vocabulary(*stats.vocab_path, lens.vocab);
    const trajplot_trajectory_options trajectory_settings =
        trajectory_options(stats, vocabulary.get(), wants_forward_kl);

    TrajectoryHandle trajectory;
    if (wants_trajectory) {
        trajplot_trajectory* created = nullptr;
        check(trajplot_trajectory_create(&created, lens.batch, lens.layers, lens.seq_len, lens.vocab, input_ids.data(),
                                         targets ? targets->data() : nullptr,
                                         anti_targets ? anti_targets->data() : nullptr, &trajectory_settings));
        trajectory.reset(created);
    }
    ComparisonHandle comparison;
    if (wants_comparison) {
        trajplot_comparison* created = nullptr;
        check(trajplot_comparison_create(&created, lens.batch, lens.layers, lens.seq_len, lens.vocab, input_ids.data(),
                                         &trajectory_settings));
        comparison.reset(created);
    }

    // One slab resident at a time: each is read (in place, or converted into
    // the reader's buffer), reduced by the library, and its pages given back.
    const std::vector<std::size_t> order = layer_order(lens.layers, wants_forward_kl);
    std::uint64_t bytes_per_slab = static_cast<std::uint64_t>(slab_len) * values.dtype().size;
    if (other) bytes_per_slab += static_cast<std::uint64_t>(slab_len) * other->dtype().size;
    Progress progress(lens.batch * lens.layers, bytes_per_slab, progress_wanted(stats.quiet));
    for (std::size_t item = 0; item < lens.batch; ++item) {
        for (const std::size_t layer : order) {
            const std::size_t slab_index = item * lens.layers + layer;
            const float* self_slab = self_reader.slab(slab_index);
            if (trajectory) {
                check(trajplot_trajectory_add(trajectory.get(), item, layer, self_slab, slab_len));
            }
            if (comparison) {
                const float* other_slab = other_reader->slab(slab_index);
                check(trajplot_comparison_add(comparison.get(), item, layer, self_slab, other_slab, slab_len));
                other_reader->release(slab_index);
            }
            self_reader.release(slab_index);
            progress.slab_done();
        }
        // The pages two slabs of the item share are whole only now.
        self_reader.release_range(item * lens.layers, lens.layers);
        if (other_reader) other_reader->release_range(item * lens.layers, lens.layers);
    }
    progress.finish();

    // Every statistic is computed before the first file is written, so that
    // a failure to compute one leaves no output behind.
    std::vector<StatisticHandle> statistics;
    for (const int measure : measures) {
        trajplot_statistic* created = nullptr;
        if (trajplot_measure_is_comparison(measure)) {
            check(trajplot_comparison_statistic(&created, comparison.get(), measure, 0));
        } else {
            const unsigned int flags = measure == TRAJPLOT_MEASURE_RANK && stats.show_ranks ? TRAJPLOT_SHOW_RANKS : 0u;
            check(trajplot_trajectory_statistic(&created, trajectory.get(), measure, flags));
        }
        statistics.emplace_back(created);
    }

    if (options.stack) {
        std::vector<const trajplot_statistic*> panels;
        for (const StatisticHandle& statistic : statistics) panels.push_back(statistic.get());
        write_stacked(panels, options);
        return;
    }
    if (!stats.output_dir) {
        write_statistic(statistics.front().get(), options);
        return;
    }
    const std::filesystem::path directory = output_directory(*stats.output_dir);
    const char* extension = options.format == OutputFormat::html  ? ".html"
                            : options.format == OutputFormat::svg ? ".svg"
                            : options.format == OutputFormat::png ? ".png"
                            : options.format == OutputFormat::pdf ? ".pdf"
                                                                  : ".json";
    // All the files or none: each is written to a temporary file, and they
    // are renamed into place only once every one is written.
    OutputFiles files;
    for (std::size_t i = 0; i < measures.size(); ++i) {
        const std::string path = (directory / (std::string(trajplot_measure_name(measures[i])) + extension)).string();
        const std::string name = "--output-dir file " + single_quoted(path);
        RenderOptions file_options = options;
        file_options.out = files.reserve(path, name);
        write_statistic(statistics[i].get(), file_options, name);
    }
    files.commit();
}

}  // namespace trajplot_cli
