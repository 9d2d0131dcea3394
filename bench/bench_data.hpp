// The benchmark's trajectories: deterministic synthetic data shaped like a
// lens run over a real prompt (BPE tokens with multi-byte UTF-8 and markup
// characters, top-k hover tables with probabilities, repeated tokens).
// trajplot_bench measures the C API on it, and writes it as CLI specs for
// the plotly.py comparison, so that both sides see the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trajplot_bench {

struct CaseSpec {
    std::string name;
    std::size_t n_layers;
    std::size_t seq_len;
    std::size_t hover_rows;  // 0: no hover tables
    std::size_t hover_cols;
    // Cases with the same seed draw the same value for the same (layer,
    // position, row, column): a case with a shorter seq_len holds exactly
    // the first positions of the longer one.
    std::uint64_t seed;
    // Timed runs per operation: enough for a stable median in a few seconds.
    std::size_t default_repeats;
    std::string_view description;
};

// Every case, in the order they are run.
const std::vector<CaseSpec>& all_cases();
const CaseSpec* find_case(std::string_view name);

// Strings laid out as a C caller holds them: one buffer of NUL-terminated
// UTF-8, with a pointer and a byte length per string.
class StringTable {
public:
    void reserve(std::size_t count, std::size_t bytes);
    void add(std::string_view text);
    // Call once every string is added: the pointers point into the buffer.
    void finish();

    std::size_t size() const noexcept { return lengths_.size(); }
    const char* const* pointers() const noexcept { return pointers_.data(); }
    const std::size_t* lengths() const noexcept { return lengths_.data(); }
    std::string_view at(std::size_t i) const { return {pointers_[i], lengths_[i]}; }
    // Bytes the caller's arrays take: text, terminators, pointers, lengths.
    std::size_t memory_bytes() const noexcept;

private:
    std::string bytes_;
    std::vector<std::size_t> offsets_;
    std::vector<std::size_t> lengths_;
    std::vector<const char*> pointers_;
};

struct CaseData {
    const CaseSpec* spec = nullptr;
    std::string name = "Entropy";
    std::string units = "nats";
    std::vector<float> stats;                  // n_layers x seq_len, row-major
    StringTable sequence_labels;               // seq_len
    StringTable cell_labels;                   // n_layers x seq_len
    std::optional<StringTable> hover_entries;  // n_layers x seq_len x rows x cols

    // Bytes of every array passed to the C API.
    std::size_t input_bytes() const noexcept;
};

CaseData generate(const CaseSpec& spec);

// SplitMix64's step: a well-mixed 64-bit value of z, for counter-based
// draws (the value at an index does not depend on what else is drawn).
std::uint64_t splitmix(std::uint64_t z);

// JSON text: a string (UTF-8 passed through, quotes, backslashes and
// control characters escaped) and a float (shortest round-trip form).
void append_json_string(std::ostream& out, std::string_view text);
void append_json_float(std::ostream& out, float value);

// The case as a spec for `trajplot render` (README, "The command-line
// tool"): name, units, stats, sequence_labels and trajectory_labels.
void write_spec_json(std::ostream& out, const CaseData& data);

}  // namespace trajplot_bench
