#include "bench_data.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace trajplot_bench {
namespace {

// Roughly in order of frequency: draws favour the front of the list, so
// common tokens repeat along a sequence as they do in real text. GPT-2's
// byte-level BPE shows a leading space as "Ġ" and a newline as "Ċ"; the
// list mixes ASCII, two- and three-byte UTF-8, and tokens that are Plotly
// markup unless escaped ("<s>", "&", "&amp;").
constexpr std::array vocabulary = std::to_array<std::string_view>({
    "Ġthe",
    ",",
    "Ġof",
    ".",
    "Ġand",
    "Ġto",
    "Ġa",
    "Ċ",
    "Ġin",
    "Ġis",
    "Ġthat",
    "Ġfor",
    "Ġit",
    "Ġwas",
    "ĊĊ",
    "Ġon",
    "Ġwith",
    "Ġas",
    "ĠThe",
    "Ġbe",
    "'s",
    "Ġby",
    "Ġat",
    "Ġfrom",
    "Ġhis",
    "Ġan",
    "Ġhave",
    "Ġare",
    "Ġnot",
    "Ġthis",
    "Ġ(",
    ")",
    "Ġ\"",
    "\"",
    "Ġ–",
    "Ġ—",
    "…",
    "Ġ…",
    "Δ",
    "ĠΔ",
    "ing",
    "ed",
    "ly",
    "er",
    "Ġwhich",
    "Ġmodel",
    "Ġlayer",
    "Ġtoken",
    "Ġlens",
    "Ġresidual",
    "Ġstream",
    "Ġpredict",
    "ions",
    "Ġprobability",
    "Ġ1",
    "0",
    "17",
    "Ġ2023",
    "Ġ54",
    "%",
    "<s>",
    "</s>",
    "<|endoftext|>",
    "Ġ<",
    "<",
    "Ġ&",
    "&",
    "&amp;",
    "Ġ<br>",
    "Ġ->",
    "Ġcafé",
    "Ġnaïve",
    "é",
    "ñ",
    "ü",
    "Ġß",
    "ĠÅ",
    "Ġπ",
    "Ġλ",
    "Ġ∑",
    "Ġ日本",
    "語",
    "Ġ中文",
    "Ġ한국어",
    "Ġ🙂",
    "Ġ€",
    "Ġ£",
    "Ġ°C",
    "Ġ±",
    "Ġ×",
    "ĠTransformer",
    "Ġattention",
    "Ġembedding",
    "Ġlogits",
    "Ġentropy",
    "ĠKL",
    "Ġdivergence",
    "Ġsoftmax",
    "Ġgradient",
    "Ġneuron",
});

constexpr std::string_view beginning_of_text = "<|endoftext|>";

// Independent streams of draws, so that adding one kind of data does not
// shift another.
enum Stream : std::uint64_t { stats_stream = 1, sequence_stream, label_stream, hover_token_stream, hover_value_stream };

// A counter-based draw: the value at (layer, position, row, column) does not
// depend on the shape, which is what makes long_half a prefix of long.
std::uint64_t draw(std::uint64_t seed, Stream stream, std::uint64_t layer, std::uint64_t position,
                   std::uint64_t row = 0, std::uint64_t column = 0) {
    std::uint64_t h = splitmix(seed ^ (stream * 0x100000001b3ULL));
    h = splitmix(h + layer);
    h = splitmix(h + position);
    h = splitmix(h + row);
    return splitmix(h + column);
}

double unit_interval(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// The product of two uniform indices skews towards the front of the list.
std::string_view token_of(std::uint64_t h) {
    const std::uint64_t n = vocabulary.size();
    const std::uint64_t a = h % n;
    const std::uint64_t b = (h >> 32) % n;
    return vocabulary[(a * b) / n];
}

// Percent with two decimals, as a lens's top-k table shows it: "12.34%".
void append_percent(std::string& out, std::uint32_t hundredths) {
    char buffer[16];
    const int written = std::snprintf(buffer, sizeof buffer, "%u.%02u%%", hundredths / 100, hundredths % 100);
    out.append(buffer, static_cast<std::size_t>(written));
}

// Entropy falls from about 9 nats in the first layers to about 1 at the
// output, with noise per cell.
float entropy_at(const CaseSpec& spec, std::size_t layer, std::size_t position) {
    const double depth = spec.n_layers > 1 ? static_cast<double>(layer) / static_cast<double>(spec.n_layers - 1) : 1.0;
    const double noise = unit_interval(draw(spec.seed, stats_stream, layer, position));
    return static_cast<float>(0.4 + 8.5 * (1.0 - depth) * (1.0 - depth) + 1.5 * noise);
}

}  // namespace

std::uint64_t splitmix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void append_json_string(std::ostream& out, std::string_view text) {
    out.put('"');
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.put('\\');
            out.put(c);
        } else if (byte < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", byte);
            out << buffer;
        } else {
            out.put(c);
        }
    }
    out.put('"');
}

void append_json_float(std::ostream& out, float value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.write(buffer, result.ptr - buffer);
}

namespace {

// Writes count strings of `table` from `first` as a JSON array of arrays,
// nested along `extents` (row-major).
void write_nested(std::ostream& out, const StringTable& table, std::size_t first, const std::size_t* extents,
                  std::size_t depth) {
    std::size_t step = 1;
    for (std::size_t d = 1; d < depth; ++d) step *= extents[d];
    out.put('[');
    for (std::size_t i = 0; i < extents[0]; ++i) {
        if (i != 0) out.put(',');
        if (depth == 1) {
            append_json_string(out, table.at(first + i));
        } else {
            write_nested(out, table, first + i * step, extents + 1, depth - 1);
        }
    }
    out.put(']');
}

}  // namespace

const std::vector<CaseSpec>& all_cases() {
    static const std::vector<CaseSpec> cases = {
        {"tutorial", 13, 7, 10, 2, 0x7475746f7269616cULL, 101,
         "13 layers x 7 tokens, hover 10x2 (a 12-layer model on a short prompt)"},
        {"medium", 33, 1024, 10, 2, 0x6d656469756d2121ULL, 15, "33 layers x 1024 tokens, hover 10x2"},
        {"long", 81, 4096, 0, 0, 0x6c6f6e67206c6f6eULL, 9, "81 layers x 4096 tokens, cell labels, no hover"},
        {"large", 81, 2048, 10, 6, 0x6c61726765212121ULL, 7, "81 layers x 2048 tokens, hover 10x6"},
        {"long_half", 81, 2048, 0, 0, 0x6c6f6e67206c6f6eULL, 9,
         "the first 2048 tokens of long (same data): checks linear growth"},
    };
    return cases;
}

const CaseSpec* find_case(std::string_view name) {
    for (const CaseSpec& spec : all_cases()) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

void StringTable::reserve(std::size_t count, std::size_t bytes) {
    offsets_.reserve(count);
    lengths_.reserve(count);
    bytes_.reserve(bytes);
}

void StringTable::add(std::string_view text) {
    offsets_.push_back(bytes_.size());
    lengths_.push_back(text.size());
    bytes_.append(text);
    bytes_.push_back('\0');
}

void StringTable::finish() {
    bytes_.shrink_to_fit();
    pointers_.resize(offsets_.size());
    for (std::size_t i = 0; i < offsets_.size(); ++i) pointers_[i] = bytes_.data() + offsets_[i];
    // The offsets were only needed while the buffer could still move.
    offsets_ = {};
}

std::size_t StringTable::memory_bytes() const noexcept {
    return bytes_.size() + pointers_.size() * sizeof(const char*) + lengths_.size() * sizeof(std::size_t);
}

std::size_t CaseData::input_bytes() const noexcept {
    std::size_t bytes = stats.size() * sizeof(float) + sequence_labels.memory_bytes() + cell_labels.memory_bytes();
    if (hover_entries) bytes += hover_entries->memory_bytes();
    return bytes;
}

CaseData generate(const CaseSpec& spec) {
    CaseData data;
    data.spec = &spec;
    const std::size_t cells = spec.n_layers * spec.seq_len;
    constexpr std::size_t typical_token_bytes = 8;

    data.stats.resize(cells);
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        for (std::size_t position = 0; position < spec.seq_len; ++position) {
            data.stats[layer * spec.seq_len + position] = entropy_at(spec, layer, position);
        }
    }

    data.sequence_labels.reserve(spec.seq_len, spec.seq_len * typical_token_bytes);
    for (std::size_t position = 0; position < spec.seq_len; ++position) {
        data.sequence_labels.add(position == 0 ? beginning_of_text
                                               : token_of(draw(spec.seed, sequence_stream, 0, position)));
    }
    data.sequence_labels.finish();

    if (spec.hover_rows > 0) {
        // Columns alternate token / probability; each pair is a top-k table
        // with probabilities falling down the rows.
        StringTable& hover = data.hover_entries.emplace();
        const std::size_t per_cell = spec.hover_rows * spec.hover_cols;
        hover.reserve(cells * per_cell, cells * per_cell * typical_token_bytes);
        std::string percent;
        for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
            for (std::size_t position = 0; position < spec.seq_len; ++position) {
                std::vector<std::uint32_t> probability(spec.hover_cols, 0);
                for (std::size_t row = 0; row < spec.hover_rows; ++row) {
                    for (std::size_t column = 0; column < spec.hover_cols; ++column) {
                        if (column % 2 == 0) {
                            hover.add(token_of(draw(spec.seed, hover_token_stream, layer, position, row, column)));
                            continue;
                        }
                        const std::uint64_t h = draw(spec.seed, hover_value_stream, layer, position, row, column);
                        probability[column] =
                            row == 0 ? static_cast<std::uint32_t>(500 + h % 9500)
                                     : static_cast<std::uint32_t>(probability[column] * (20 + h % 70) / 100);
                        percent.clear();
                        append_percent(percent, probability[column]);
                        hover.add(percent);
                    }
                }
            }
        }
        hover.finish();
    }

    // A cell shows the lens's top token: the first entry of its hover table
    // when there is one.
    data.cell_labels.reserve(cells, cells * typical_token_bytes);
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        for (std::size_t position = 0; position < spec.seq_len; ++position) {
            const std::size_t cell = layer * spec.seq_len + position;
            data.cell_labels.add(data.hover_entries ? data.hover_entries->at(cell * spec.hover_rows * spec.hover_cols)
                                                    : token_of(draw(spec.seed, label_stream, layer, position)));
        }
    }
    data.cell_labels.finish();
    return data;
}

void write_spec_json(std::ostream& out, const CaseData& data) {
    const CaseSpec& spec = *data.spec;
    out << "{\"name\": ";
    append_json_string(out, data.name);
    out << ", \"units\": ";
    append_json_string(out, data.units);
    out << ",\n\"stats\": [";
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        out << (layer == 0 ? "[" : ",\n[");
        for (std::size_t position = 0; position < spec.seq_len; ++position) {
            if (position != 0) out.put(',');
            append_json_float(out, data.stats[layer * spec.seq_len + position]);
        }
        out.put(']');
    }
    out << "],\n\"sequence_labels\": ";
    const std::size_t sequence_extent[] = {spec.seq_len};
    write_nested(out, data.sequence_labels, 0, sequence_extent, 1);
    out << ",\n\"trajectory_labels\": {\"label_strings\": ";
    const std::size_t label_extents[] = {spec.n_layers, spec.seq_len};
    write_nested(out, data.cell_labels, 0, label_extents, 2);
    if (data.hover_entries) {
        out << ",\n\"hover_over_entries\": ";
        const std::size_t hover_extents[] = {spec.n_layers, spec.seq_len, spec.hover_rows, spec.hover_cols};
        write_nested(out, *data.hover_entries, 0, hover_extents, 4);
    }
    out << "}}\n";
    if (!out) throw std::runtime_error("writing the spec of case " + spec.name + " failed");
}

}  // namespace trajplot_bench
