// The C API over the C++ core: opaque handles holding immutable core values,
// one exception guard per entry point, and the checks the core cannot make
// (NULL pointers, size overflow, struct versions, getter indices).
#include "trajplot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <ios>
#include <locale>
#include <memory>
#include <new>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "trajplot/error.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/html.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/model.hpp"
#include "trajplot/prediction_trajectory.hpp"
#include "trajplot/text.hpp"
#include "trajplot/text_array.hpp"

// Handles share the immutable core values, so stride, clip and
// trajplot_statistic_trajectory_labels hand out new handles without copying
// data, and a statistic outlives the labels handle it was created with.
struct trajplot_labels {
    std::shared_ptr<const trajplot::TrajectoryLabels> value;
};

struct trajplot_statistic {
    std::shared_ptr<const trajplot::TrajectoryStatistic> value;
};

namespace {

using trajplot::Errc;
using trajplot::fail;

// ---------------------------------------------------------------------------
// The thread's last error

struct LastError {
    std::string message;
    const char* text = "";
    trajplot_status status = TRAJPLOT_OK;
};

LastError& last_error() noexcept {
    thread_local LastError error;
    return error;
}

// Records "<function>: <detail>". Runs while an error is already being
// reported, so it must not throw: if the message cannot be allocated, a
// static one takes its place.
trajplot_status record_error(const char* function, trajplot_status status, const char* detail) noexcept {
    LastError& error = last_error();
    error.status = status;
    try {
        std::string message;
        message.reserve(std::strlen(function) + 2 + std::strlen(detail));
        // Details may quote caller bytes (a path) or the system's words in
        // the caller's locale: every message handed out is valid UTF-8.
        message.append(function).append(": ").append(trajplot::sanitize_utf8(detail));
        error.message.swap(message);
        error.text = error.message.c_str();
    } catch (...) {
        error.text = "out of memory";
    }
    return status;
}

trajplot_status status_of(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_argument: return TRAJPLOT_EINVAL;
        case Errc::range: return TRAJPLOT_ERANGE;
        case Errc::io: return TRAJPLOT_EIO;
    }
    return TRAJPLOT_ERROR;
}

// Runs the body of an extern "C" function: every exception becomes a status
// and the thread's message, prefixed with the function's name.
template <class Body>
trajplot_status guarded(const char* function, Body&& body) noexcept {
    try {
        body();
        return TRAJPLOT_OK;
    } catch (const trajplot::Error& error) {
        return record_error(function, status_of(error.code()), error.what());
    } catch (const std::bad_alloc&) {
        return record_error(function, TRAJPLOT_ENOMEM, "out of memory");
    } catch (const std::length_error& error) {
        return record_error(function, TRAJPLOT_ERANGE, error.what());
    } catch (const std::filesystem::filesystem_error& error) {
        // Only file operations raise these; they are I/O failures whatever
        // part of the standard library reported them.
        return record_error(function, TRAJPLOT_EIO, error.what());
    } catch (const std::ios_base::failure& error) {
        return record_error(function, TRAJPLOT_EIO, error.what());
    } catch (const std::exception& error) {
        return record_error(function, TRAJPLOT_ERROR, error.what());
    } catch (...) {
        return record_error(function, TRAJPLOT_ERROR, "unknown exception");
    }
}

// ---------------------------------------------------------------------------
// Messages and argument checks

// Concatenates values into a message; numbers are formatted independently
// of the caller's global locale.
template <class... Parts>
std::string message(const Parts&... parts) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    (out << ... << parts);
    return out.str();
}

template <class... Parts>
[[noreturn]] void invalid(const Parts&... parts) {
    fail(Errc::invalid_argument, message(parts...));
}

void require(const void* pointer, const char* name) {
    if (pointer == nullptr) invalid(name, " is NULL");
}

const trajplot::TrajectoryLabels& labels_of(const trajplot_labels* handle, const char* name = "labels") {
    require(handle, name);
    require(handle->value.get(), name);
    return *handle->value;
}

const trajplot::TrajectoryStatistic& statistic_of(const trajplot_statistic* handle,
                                                  const char* name = "statistic") {
    require(handle, name);
    require(handle->value.get(), name);
    return *handle->value;
}

void require_index(std::size_t index, const char* index_name, std::size_t bound, const char* bound_name) {
    if (index >= bound) invalid(index_name, " ", index, " is out of range (", bound_name, " is ", bound, ")");
}

void require_version(unsigned int version, unsigned int known, const char* field, const char* macro) {
    if (version != known) invalid(field, " is ", version, " but this library knows version ", known, " (", macro, ")");
}

struct Dimension {
    const char* name;
    std::size_t size;
};

// Objects larger than this cannot exist (pointer differences must fit).
constexpr std::size_t max_object_bytes = static_cast<std::size_t>(PTRDIFF_MAX);

// "n_layers x seq_len (3 x 4)".
std::string dimensions_text(std::initializer_list<Dimension> dimensions) {
    std::ostringstream names, sizes;
    sizes.imbue(std::locale::classic());
    bool first = true;
    for (const Dimension& dimension : dimensions) {
        names << (first ? "" : " x ") << dimension.name;
        sizes << (first ? "" : " x ") << dimension.size;
        first = false;
    }
    return names.str() + " (" + sizes.str() + ")";
}

// The element count of an array with the given dimensions, checked so that
// the count, and the bytes of `element_bytes` per element, fit in the
// address space; checked before anything is read.
std::size_t addressable_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes) {
    std::size_t count = 1;
    bool overflow = false;
    for (const Dimension& dimension : dimensions) {
        if (dimension.size != 0 && count > SIZE_MAX / dimension.size) overflow = true;
        count *= dimension.size;  // wraps on overflow, but is then not used
    }
    if (!overflow && count != 0 && count > max_object_bytes / element_bytes) overflow = true;
    if (!overflow) return count;

    fail(Errc::range, message(dimensions_text(dimensions), " is too large: ", element_bytes,
                              "-byte elements would overflow the address space"));
}

// As addressable_count, for an array the library allocates: its bytes must
// also fit the memory limit; checked before anything is allocated.
std::size_t checked_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes) {
    const std::size_t count = addressable_count(dimensions, element_bytes);
    trajplot::check_memory(count * element_bytes, dimensions_text(dimensions));
    return count;
}

// Bytes the core stores per string of a TextArray (offset and size).
constexpr std::size_t text_element_bytes = 2 * sizeof(std::uint64_t);

// ---------------------------------------------------------------------------
// Conversions of C inputs

std::string_view string_at(const char* const* strings, const std::size_t* lengths, std::size_t i) {
    return lengths != nullptr ? std::string_view(strings[i], lengths[i]) : std::string_view(strings[i]);
}

void require_elements(const char* const* strings, std::size_t count, const char* name) {
    for (std::size_t i = 0; i < count; ++i) {
        if (strings[i] == nullptr) invalid(name, "[", i, "] is NULL");
    }
}

template <std::size_t N>
trajplot::TextArray<N> text_array(const std::array<std::size_t, N>& shape, const char* const* strings,
                                  const std::size_t* lengths) {
    return trajplot::TextArray<N>::build(shape,
                                         [&](std::size_t i) { return string_at(strings, lengths, i); });
}

std::string utf8_string(std::string_view bytes) {
    return trajplot::is_valid_utf8(bytes) ? std::string(bytes) : trajplot::sanitize_utf8(bytes);
}

const trajplot_statistic_options default_statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
const trajplot_figure_options default_figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;

// `name` is the parameter's name in the function's prototype.
trajplot::FigureOptions figure_options_of(const trajplot_figure_options* options, const char* name = "options") {
    const trajplot_figure_options& given = options != nullptr ? *options : default_figure_options;
    require_version(given.version, TRAJPLOT_FIGURE_OPTIONS_VERSION, (std::string(name) + "->version").c_str(),
                    "TRAJPLOT_FIGURE_OPTIONS_VERSION");
    trajplot::FigureOptions converted;
    if (given.title != nullptr) converted.title = utf8_string(given.title);
    converted.token_width = given.token_width;
    converted.height = given.height;
    if (given.colorscale != nullptr) converted.heatmap.colorscale = given.colorscale;
    if (given.extra_json != nullptr) converted.heatmap.extra_json = given.extra_json;
    converted.heatmap.log_scale = given.log_scale;
    converted.heatmap.hover_value = given.hover_value;
    return converted;
}

// ---------------------------------------------------------------------------
// Outputs

struct FreeDeleter {
    void operator()(char* string) const noexcept { std::free(string); }
};
using MallocString = std::unique_ptr<char, FreeDeleter>;

// A NUL-terminated malloc copy: trajplot_string_free is free().
MallocString malloc_copy(std::string_view text) {
    auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    return MallocString(copy);
}

void give_string(char** out, std::size_t* out_len, std::string_view text) {
    MallocString copy = malloc_copy(text);
    *out = copy.release();
    if (out_len != nullptr) *out_len = text.size();
}

// A stream into a malloc'd buffer grown with realloc, handed to the caller
// as is: large outputs are neither copied at the end nor held twice.
class MallocStreambuf : public std::streambuf {
public:
    MallocString release(std::size_t* size) {
        ensure(1);
        buffer_.get()[size_] = '\0';
        *size = size_;
        return std::move(buffer_);
    }

protected:
    std::streamsize xsputn(const char* data, std::streamsize count) override {
        const auto bytes = static_cast<std::size_t>(count);
        ensure(bytes + 1);
        std::memcpy(buffer_.get() + size_, data, bytes);
        size_ += bytes;
        return count;
    }
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char byte = traits_type::to_char_type(c);
        xsputn(&byte, 1);
        return c;
    }

private:
    void ensure(std::size_t extra) {
        if (capacity_ - size_ >= extra) return;
        const std::size_t needed = size_ + extra;
        trajplot::check_memory(needed, "the output");
        std::size_t capacity = std::max<std::size_t>(capacity_ + capacity_ / 2, 1 << 16);
        capacity = std::max(needed, std::min(capacity, trajplot::memory_limit()));
        auto* grown = static_cast<char*>(std::realloc(buffer_.get(), capacity));
        if (grown == nullptr) throw std::bad_alloc();
        static_cast<void>(buffer_.release());
        buffer_.reset(grown);
        capacity_ = capacity;
    }

    MallocString buffer_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Runs `write` on a stream whose bytes become the caller's string.
template <class Write>
void give_streamed(char** out, std::size_t* out_len, Write&& write) {
    MallocStreambuf buffer;
    std::ostream stream(&buffer);
    // The stream reports a failed allocation in xsputn as badbit unless told
    // to let it through.
    stream.exceptions(std::ios::badbit);
    write(stream);
    std::size_t size = 0;
    *out = buffer.release(&size).release();
    if (out_len != nullptr) *out_len = size;
}

void lend_string(const char** out, std::size_t* len, std::string_view text) {
    // Every string the core stores is followed by a NUL byte.
    *out = text.data();
    if (len != nullptr) *len = text.size();
}

trajplot_labels* new_handle(std::shared_ptr<const trajplot::TrajectoryLabels> value) {
    return new trajplot_labels{std::move(value)};
}

trajplot_statistic* new_handle(std::shared_ptr<const trajplot::TrajectoryStatistic> value) {
    return new trajplot_statistic{std::move(value)};
}

}  // namespace

// ---------------------------------------------------------------------------
// Versions and errors

int trajplot_abi_version(void) { return TRAJPLOT_ABI_VERSION; }

void trajplot_version(int* major, int* minor, int* patch) {
    if (major != nullptr) *major = TRAJPLOT_VERSION_MAJOR;
    if (minor != nullptr) *minor = TRAJPLOT_VERSION_MINOR;
    if (patch != nullptr) *patch = TRAJPLOT_VERSION_PATCH;
}

const char* trajplot_error_last(void) { return last_error().text; }

trajplot_status trajplot_error_last_status(void) { return last_error().status; }

void trajplot_error_clear(void) {
    LastError& error = last_error();
    error.status = TRAJPLOT_OK;
    error.text = "";
    error.message.clear();
}

void trajplot_string_free(char* string) { std::free(string); }

size_t trajplot_memory_limit(void) { return trajplot::memory_limit(); }

void trajplot_set_memory_limit(size_t bytes) { trajplot::set_memory_limit(bytes); }

// ---------------------------------------------------------------------------
// Text

trajplot_status trajplot_trunc_string_left(char** out, size_t* out_len, const char* string, size_t new_len) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(string, "string");
        const std::string text = utf8_string(string);
        // The result holds at most new_len padding spaces plus the text.
        if (new_len > max_object_bytes - 1 - text.size()) {
            fail(Errc::range, message("new_len ", new_len, " is too large for a string"));
        }
        const std::string result = trajplot::trunc_string_left(text, new_len);
        give_string(out, out_len, result);
    });
}

// ---------------------------------------------------------------------------
// Trajectory labels

trajplot_status trajplot_labels_create(trajplot_labels** out, size_t n_layers, size_t seq_len,
                                       const char* const* label_strings, const size_t* label_lengths,
                                       const char* const* hover_entries, const size_t* hover_lengths,
                                       size_t hover_rows, size_t hover_cols) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(label_strings, "label_strings");
        const std::size_t label_count =
            checked_count({{"n_layers", n_layers}, {"seq_len", seq_len}}, text_element_bytes);
        require_elements(label_strings, label_count, "label_strings");
        std::optional<trajplot::TextArray<4>> hover;
        if (hover_entries != nullptr) {
            const std::size_t hover_count = checked_count(
                {{"n_layers", n_layers}, {"seq_len", seq_len}, {"hover_rows", hover_rows}, {"hover_cols", hover_cols}},
                text_element_bytes);
            require_elements(hover_entries, hover_count, "hover_entries");
            hover = text_array<4>({n_layers, seq_len, hover_rows, hover_cols}, hover_entries, hover_lengths);
        }
        auto labels = std::make_shared<const trajplot::TrajectoryLabels>(
            text_array<2>({n_layers, seq_len}, label_strings, label_lengths), std::move(hover));
        *out = new_handle(std::move(labels));
    });
}

void trajplot_labels_free(trajplot_labels* labels) { delete labels; }

trajplot_status trajplot_labels_shape(size_t* n_layers, size_t* seq_len, size_t* hover_rows, size_t* hover_cols,
                                      const trajplot_labels* labels) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const auto& hover = value.hover_over_entries();
        if (n_layers != nullptr) *n_layers = value.n_layers();
        if (seq_len != nullptr) *seq_len = value.seq_len();
        if (hover_rows != nullptr) *hover_rows = hover ? hover->shape()[2] : 0;
        if (hover_cols != nullptr) *hover_cols = hover ? hover->shape()[3] : 0;
    });
}

trajplot_status trajplot_labels_label(const char** out, size_t* len, const trajplot_labels* labels, size_t layer,
                                      size_t position) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        require_index(layer, "layer", value.n_layers(), "n_layers");
        require_index(position, "position", value.seq_len(), "seq_len");
        lend_string(out, len, value.label_strings()(layer, position));
    });
}

trajplot_status trajplot_labels_hover_entry(const char** out, size_t* len, const trajplot_labels* labels,
                                            size_t layer, size_t position, size_t row, size_t col) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const auto& hover = value.hover_over_entries();
        if (!hover) invalid("the labels have no hover tables");
        const auto& shape = hover->shape();
        require_index(layer, "layer", shape[0], "n_layers");
        require_index(position, "position", shape[1], "seq_len");
        require_index(row, "row", shape[2], "hover_rows");
        require_index(col, "col", shape[3], "hover_cols");
        lend_string(out, len, (*hover)(layer, position, row, col));
    });
}

trajplot_status trajplot_labels_stride(trajplot_labels** out, const trajplot_labels* labels, size_t stride) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        auto strided = std::make_shared<const trajplot::TrajectoryLabels>(value.stride(stride));
        *out = new_handle(std::move(strided));
    });
}

trajplot_status trajplot_labels_template_and_customdata(char** template_out, size_t* template_len,
                                                        char** customdata_json_out, size_t* customdata_len,
                                                        const trajplot_labels* labels, size_t col_width_limit) {
    return guarded(__func__, [&] {
        require(template_out, "template_out");
        require(customdata_json_out, "customdata_json");
        const trajplot::TrajectoryLabels& value = labels_of(labels);
        const trajplot::HoverTemplate hover = value.template_and_customdata(col_width_limit);
        MallocString template_copy = malloc_copy(hover.hovertemplate);
        const std::string customdata = trajplot::customdata_json(hover);
        MallocString customdata_copy = malloc_copy(customdata);
        *template_out = template_copy.release();
        if (template_len != nullptr) *template_len = hover.hovertemplate.size();
        *customdata_json_out = customdata_copy.release();
        if (customdata_len != nullptr) *customdata_len = customdata.size();
    });
}

// ---------------------------------------------------------------------------
// Trajectory statistic

trajplot_status trajplot_statistic_options_init(trajplot_statistic_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_STATISTIC_OPTIONS_VERSION, "version", "TRAJPLOT_STATISTIC_OPTIONS_VERSION");
        *options = default_statistic_options;
    });
}

trajplot_status trajplot_statistic_create(trajplot_statistic** out, const char* name, const float* stats,
                                          size_t n_layers, size_t seq_len,
                                          const trajplot_statistic_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(name, "name");
        require(stats, "stats");
        const trajplot_statistic_options& given = options != nullptr ? *options : default_statistic_options;
        require_version(given.version, TRAJPLOT_STATISTIC_OPTIONS_VERSION, "options->version",
                        "TRAJPLOT_STATISTIC_OPTIONS_VERSION");
        const std::size_t count = checked_count({{"n_layers", n_layers}, {"seq_len", seq_len}}, sizeof(float));

        trajplot::TrajectoryStatistic::Fields fields;
        fields.name = utf8_string(name);
        if (given.units != nullptr) fields.units = utf8_string(given.units);
        if (given.sequence_labels != nullptr) {
            checked_count({{"seq_len", seq_len}}, text_element_bytes);
            require_elements(given.sequence_labels, seq_len, "options->sequence_labels");
            fields.sequence_labels =
                text_array<1>({seq_len}, given.sequence_labels, given.sequence_label_lengths);
        }
        if (given.layer_labels != nullptr) {
            checked_count({{"n_layers", n_layers}}, text_element_bytes);
            require_elements(given.layer_labels, n_layers, "options->layer_labels");
            fields.layer_labels = text_array<1>({n_layers}, given.layer_labels, given.layer_label_lengths);
        }
        if (given.trajectory_labels != nullptr) {
            fields.trajectory_labels = given.trajectory_labels->value;
        }
        if (given.has_min) fields.min = given.min;
        if (given.has_max) fields.max = given.max;
        fields.includes_output = given.includes_output;
        const std::array<std::size_t, 2> shape = {n_layers, seq_len};
        fields.stats = xt::adapt(stats, count, xt::no_ownership(), shape);

        auto statistic = std::make_shared<const trajplot::TrajectoryStatistic>(std::move(fields));
        *out = new_handle(std::move(statistic));
    });
}

void trajplot_statistic_free(trajplot_statistic* statistic) { delete statistic; }

trajplot_status trajplot_statistic_shape(size_t* n_layers, size_t* seq_len, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        if (n_layers != nullptr) *n_layers = value.n_layers();
        if (seq_len != nullptr) *seq_len = value.seq_len();
    });
}

trajplot_status trajplot_statistic_stats(float* buffer, size_t buffer_len, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(buffer, "buffer");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const auto& stats = value.stats();
        if (buffer_len < stats.size()) {
            fail(Errc::range, message("buffer_len is ", buffer_len, " but the statistic has ", value.n_layers(),
                                      " x ", value.seq_len(), " = ", stats.size(), " values"));
        }
        std::copy_n(stats.data(), stats.size(), buffer);
    });
}

trajplot_status trajplot_statistic_name(const char** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = statistic_of(statistic).name().c_str();
    });
}

trajplot_status trajplot_statistic_units(const char** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        const auto& units = statistic_of(statistic).units();
        *out = units ? units->c_str() : nullptr;
    });
}

trajplot_status trajplot_statistic_range(bool* has_min, float* min, bool* has_max, float* max,
                                         const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const std::optional<float> min_value = value.min();
        const std::optional<float> max_value = value.max();
        if (has_min != nullptr) *has_min = min_value.has_value();
        if (min != nullptr && min_value) *min = *min_value;
        if (has_max != nullptr) *has_max = max_value.has_value();
        if (max != nullptr && max_value) *max = *max_value;
    });
}

trajplot_status trajplot_statistic_includes_output(bool* out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = statistic_of(statistic).includes_output();
    });
}

trajplot_status trajplot_statistic_layer_label(const char** out, size_t* len, const trajplot_statistic* statistic,
                                               size_t layer) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require_index(layer, "layer", value.n_layers(), "n_layers");
        lend_string(out, len, value.layer_labels()(layer));
    });
}

trajplot_status trajplot_statistic_sequence_label(const char** out, size_t* len,
                                                  const trajplot_statistic* statistic, size_t position) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require_index(position, "position", value.seq_len(), "seq_len");
        if (const auto& labels = value.sequence_labels()) {
            lend_string(out, len, (*labels)(position));
        } else {
            *out = nullptr;
            if (len != nullptr) *len = 0;
        }
    });
}

trajplot_status trajplot_statistic_trajectory_labels(trajplot_labels** out, const trajplot_statistic* statistic) {
    return guarded(__func__, [&] {
        require(out, "out");
        const auto& labels = statistic_of(statistic).trajectory_labels();
        *out = labels ? new_handle(labels) : nullptr;
    });
}

trajplot_status trajplot_statistic_stride(trajplot_statistic** out, const trajplot_statistic* statistic,
                                          size_t stride) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        auto strided = std::make_shared<const trajplot::TrajectoryStatistic>(value.stride(stride));
        *out = new_handle(std::move(strided));
    });
}

trajplot_status trajplot_statistic_clip(trajplot_statistic** out, const trajplot_statistic* statistic, float min,
                                        float max) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        auto clipped = std::make_shared<const trajplot::TrajectoryStatistic>(value.clip(min, max));
        *out = new_handle(std::move(clipped));
    });
}

// ---------------------------------------------------------------------------
// Figures

trajplot_status trajplot_figure_options_init(trajplot_figure_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_FIGURE_OPTIONS_VERSION, "version", "TRAJPLOT_FIGURE_OPTIONS_VERSION");
        *options = default_figure_options;
    });
}

trajplot_status trajplot_statistic_heatmap_json(char** out, size_t* out_len, const trajplot_statistic* statistic,
                                                const trajplot_figure_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const trajplot::FigureOptions converted = figure_options_of(options);
        give_streamed(out, out_len, [&](std::ostream& stream) { trajplot::write_heatmap_json(stream, value, converted); });
    });
}

trajplot_status trajplot_statistic_figure_json(char** out, size_t* out_len, const trajplot_statistic* statistic,
                                               const trajplot_figure_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const trajplot::FigureOptions converted = figure_options_of(options);
        give_streamed(out, out_len, [&](std::ostream& stream) { trajplot::write_figure_json(stream, value, converted); });
    });
}

trajplot_status trajplot_statistic_write_heatmap_json(const trajplot_statistic* statistic,
                                                      const trajplot_figure_options* options, const char* path) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require(path, "path");
        const trajplot::FigureOptions converted = figure_options_of(options);
        trajplot::save_heatmap_json(std::filesystem::path(path), value, converted);
    });
}

trajplot_status trajplot_statistic_write_figure_json(const trajplot_statistic* statistic,
                                                     const trajplot_figure_options* options, const char* path) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require(path, "path");
        const trajplot::FigureOptions converted = figure_options_of(options);
        trajplot::save_figure_json(std::filesystem::path(path), value, converted);
    });
}

// ---------------------------------------------------------------------------
// HTML pages

namespace {

const trajplot_html_options default_html_options = TRAJPLOT_HTML_OPTIONS_INIT;

trajplot::HtmlOptions html_options_of(const trajplot_html_options* options) {
    const trajplot_html_options& given = options != nullptr ? *options : default_html_options;
    require_version(given.version, TRAJPLOT_HTML_OPTIONS_VERSION, "html->version", "TRAJPLOT_HTML_OPTIONS_VERSION");
    trajplot::HtmlOptions converted;
    switch (given.plotlyjs) {
        case TRAJPLOT_PLOTLYJS_CDN: converted.plotlyjs = trajplot::PlotlyJs::cdn; break;
        case TRAJPLOT_PLOTLYJS_SRC: converted.plotlyjs = trajplot::PlotlyJs::src; break;
        case TRAJPLOT_PLOTLYJS_INLINE: converted.plotlyjs = trajplot::PlotlyJs::inline_file; break;
        case TRAJPLOT_PLOTLYJS_NONE: converted.plotlyjs = trajplot::PlotlyJs::none; break;
        case TRAJPLOT_PLOTLYJS_LOCAL: converted.plotlyjs = trajplot::PlotlyJs::local; break;
        default:
            fail(Errc::invalid_argument, "html->plotlyjs is " + std::to_string(given.plotlyjs) +
                                             ", not a trajplot_plotlyjs value (0 to 4)");
    }
    if (given.plotlyjs_location != nullptr) converted.location = given.plotlyjs_location;
    if (given.div_id != nullptr) converted.div_id = given.div_id;
    converted.full_html = given.full_html;
    converted.responsive = given.responsive;
    return converted;
}

}  // namespace

trajplot_status trajplot_html_options_init(trajplot_html_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_HTML_OPTIONS_VERSION, "version", "TRAJPLOT_HTML_OPTIONS_VERSION");
        *options = default_html_options;
    });
}

trajplot_status trajplot_local_plotlyjs(char** out, size_t* out_len) {
    return guarded(__func__, [&] {
        require(out, "out");
        const std::optional<std::filesystem::path> found = trajplot::local_plotlyjs();
        if (!found) {
            *out = nullptr;
            if (out_len != nullptr) *out_len = 0;
            return;
        }
        give_string(out, out_len, found->string());
    });
}

trajplot_status trajplot_statistic_figure_html(char** out, size_t* out_len, const trajplot_statistic* statistic,
                                               const trajplot_figure_options* figure,
                                               const trajplot_html_options* html) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        const trajplot::FigureOptions figure_options = figure_options_of(figure, "figure");
        const trajplot::HtmlOptions html_options = html_options_of(html);
        give_streamed(out, out_len, [&](std::ostream& stream) {
            trajplot::write_figure_html(stream, value, figure_options, html_options);
        });
    });
}

trajplot_status trajplot_statistic_write_figure_html(const trajplot_statistic* statistic,
                                                     const trajplot_figure_options* figure,
                                                     const trajplot_html_options* html, const char* path) {
    return guarded(__func__, [&] {
        const trajplot::TrajectoryStatistic& value = statistic_of(statistic);
        require(path, "path");
        const trajplot::FigureOptions figure_options = figure_options_of(figure, "figure");
        const trajplot::HtmlOptions html_options = html_options_of(html);
        trajplot::save_figure_html(std::filesystem::path(path), value, figure_options, html_options);
    });
}

// ---------------------------------------------------------------------------
// Statistics from lens outputs

// The vocabulary is shared with every trajectory made with it, as the core
// takes it.
struct trajplot_vocabulary {
    std::shared_ptr<const std::vector<std::string>> tokens;
};

// Filled by one thread; read by many once complete (the core's statistics
// are computed once, under its own lock).
struct trajplot_trajectory {
    trajplot::PredictionTrajectory value;
};

struct trajplot_comparison {
    trajplot::TrajectoryComparison value;
};

namespace {

struct MeasureInfo {
    trajplot_measure measure;
    const char* name;
};

constexpr MeasureInfo measures[] = {
    {TRAJPLOT_MEASURE_ENTROPY, "entropy"},
    {TRAJPLOT_MEASURE_CROSS_ENTROPY, "cross_entropy"},
    {TRAJPLOT_MEASURE_FORWARD_KL, "forward_kl"},
    {TRAJPLOT_MEASURE_MAX_PROBABILITY, "max_probability"},
    {TRAJPLOT_MEASURE_RANK, "rank"},
    {TRAJPLOT_MEASURE_LOG_PROB_DIFF, "log_prob_diff"},
    {TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA, "log_prob_diff_delta"},
    {TRAJPLOT_MEASURE_KL_DIVERGENCE, "kl_divergence"},
    {TRAJPLOT_MEASURE_JS_DIVERGENCE, "js_divergence"},
    {TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL, "half_symmetric_kl"},
    {TRAJPLOT_MEASURE_TOTAL_VARIATION, "total_variation"},
    {TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE, "max_abs_prob_difference"},
};

const MeasureInfo* find_measure(int measure) noexcept {
    for (const MeasureInfo& info : measures) {
        if (info.measure == measure) return &info;
    }
    return nullptr;
}

bool is_comparison_measure(int measure) noexcept { return measure >= TRAJPLOT_MEASURE_KL_DIVERGENCE; }

const trajplot::PredictionTrajectory& trajectory_of(const trajplot_trajectory* handle) {
    require(handle, "trajectory");
    return handle->value;
}

trajplot::PredictionTrajectory& trajectory_of(trajplot_trajectory* handle) {
    require(handle, "trajectory");
    return handle->value;
}

const trajplot::TrajectoryComparison& comparison_of(const trajplot_comparison* handle) {
    require(handle, "comparison");
    return handle->value;
}

trajplot::TrajectoryComparison& comparison_of(trajplot_comparison* handle) {
    require(handle, "comparison");
    return handle->value;
}

const trajplot_trajectory_options default_trajectory_options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;

void set_if_given(std::string& field, const char* given) {
    if (given != nullptr) field = utf8_string(given);
}

// The core's inputs from the C arguments; every array is copied here, so
// the caller may free them once the call returns.
trajplot::TrajectoryInputs trajectory_inputs(std::size_t batch, std::size_t n_layers, std::size_t seq_len,
                                             std::size_t vocab, const std::int64_t* input_ids,
                                             const trajplot_trajectory_options* options) {
    const trajplot_trajectory_options& given = options != nullptr ? *options : default_trajectory_options;
    require_version(given.version, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION, "options->version",
                    "TRAJPLOT_TRAJECTORY_OPTIONS_VERSION");
    require(input_ids, "input_ids");
    // Every dimension is named in the message, and the tensor must be
    // addressable (add_all takes it whole), but it is streamed, never held:
    // the memory limit bounds what the trajectory keeps, not the tensor.
    addressable_count({{"batch", batch}, {"n_layers", n_layers}, {"seq_len", seq_len}, {"vocab", vocab}},
                      sizeof(float));
    if (batch == 0 || n_layers == 0 || seq_len == 0 || vocab == 0) {
        invalid("every dimension must be at least 1, got ",
                dimensions_text({{"batch", batch}, {"n_layers", n_layers}, {"seq_len", seq_len}, {"vocab", vocab}}));
    }
    const std::size_t id_count = checked_count({{"batch", batch}, {"seq_len", seq_len}}, sizeof(std::int64_t));

    trajplot::TrajectoryInputs inputs;
    inputs.shape = {batch, n_layers, seq_len, vocab};
    switch (given.values) {
        case TRAJPLOT_VALUES_LOGITS: inputs.values = trajplot::ValueKind::logits; break;
        case TRAJPLOT_VALUES_LOG_PROBS: inputs.values = trajplot::ValueKind::log_probs; break;
        default:
            invalid("options->values is ", given.values, "; expected TRAJPLOT_VALUES_LOGITS (0) or ",
                    "TRAJPLOT_VALUES_LOG_PROBS (1)");
    }
    inputs.input_ids.assign(input_ids, input_ids + id_count);
    if (given.vocabulary != nullptr) {
        require(given.vocabulary->tokens.get(), "options->vocabulary");
        inputs.vocabulary = given.vocabulary->tokens;
    }
    trajplot::LabelOptions& labels = inputs.labels;
    if (given.top_k == 0) invalid("options->top_k must be at least 1, got 0");
    if (given.max_batch_items_shown == 0) invalid("options->max_batch_items_shown must be at least 1, got 0");
    // The core checks these too, but names its own fields.
    if (std::isnan(given.min_prob)) invalid("options->min_prob is NaN; expected a probability");
    if (std::isnan(given.min_prob_delta)) invalid("options->min_prob_delta is NaN; expected a probability");
    if (given.newline_token != nullptr && *given.newline_token == '\0') {
        invalid("options->newline_token must not be empty (NULL for the default)");
    }
    if (given.whitespace_token != nullptr && *given.whitespace_token == '\0') {
        invalid("options->whitespace_token must not be empty (NULL for the default)");
    }
    labels.top_k = given.top_k;
    labels.min_prob = given.min_prob;
    labels.min_prob_delta = given.min_prob_delta;
    labels.max_batch_items_shown = given.max_batch_items_shown;
    trajplot::TokenFormat& format = labels.format;
    format.max_string_len =
        given.max_string_len == 0 ? std::nullopt : std::optional<std::size_t>(given.max_string_len);
    set_if_given(format.ellipsis, given.ellipsis);
    set_if_given(format.newline_token, given.newline_token);
    set_if_given(format.newline_replacement, given.newline_replacement);
    set_if_given(format.whitespace_token, given.whitespace_token);
    set_if_given(format.whitespace_replacement, given.whitespace_replacement);
    if (format.max_string_len && *format.max_string_len < trajplot::code_point_count(format.ellipsis)) {
        invalid("options->max_string_len is ", given.max_string_len,
                "; it must be 0 (never shortened) or at least the ellipsis's length (",
                trajplot::code_point_count(format.ellipsis), " code points)");
    }
    inputs.threads = given.threads != 0 ? given.threads : std::max(1u, std::thread::hardware_concurrency());
    return inputs;
}

std::optional<std::vector<std::int64_t>> optional_ids(const std::int64_t* ids, const trajplot::TrajectoryShape& shape) {
    if (ids == nullptr) return std::nullopt;
    return std::vector<std::int64_t>(ids, ids + shape.batch * shape.seq_len);
}

std::size_t slab_floats(const trajplot::TrajectoryShape& shape) { return shape.seq_len * shape.vocab; }

void require_length(std::size_t given, const char* name, std::size_t expected, const char* what) {
    if (given != expected) invalid(name, " is ", given, " but ", what, " is ", expected);
}

void require_no_flags(unsigned int flags, const char* measure_name) {
    if (flags != 0) invalid("flags ", flags, " are not known for ", measure_name, " (expected 0)");
}

void give_labels(trajplot_labels** out, std::shared_ptr<const trajplot::TrajectoryLabels> labels) {
    *out = labels ? new_handle(std::move(labels)) : nullptr;
}

}  // namespace

trajplot_status trajplot_vocabulary_create(trajplot_vocabulary** out, const char* const* tokens,
                                           const size_t* lengths, size_t size) {
    return guarded(__func__, [&] {
        require(out, "out");
        if (size > 0) require(tokens, "tokens");
        checked_count({{"size", size}}, sizeof(std::string));
        require_elements(tokens, size, "tokens");
        std::size_t bytes = 0;
        for (std::size_t i = 0; i < size; ++i) {
            const std::size_t length = string_at(tokens, lengths, i).size();
            if (length > max_object_bytes - bytes) fail(Errc::range, "the tokens' bytes overflow the address space");
            bytes += length;
        }
        trajplot::check_memory(bytes, "the vocabulary's tokens");
        auto stored = std::make_shared<std::vector<std::string>>();
        stored->reserve(size);
        for (std::size_t i = 0; i < size; ++i) stored->push_back(utf8_string(string_at(tokens, lengths, i)));
        *out = new trajplot_vocabulary{std::move(stored)};
    });
}

void trajplot_vocabulary_free(trajplot_vocabulary* vocabulary) { delete vocabulary; }

trajplot_status trajplot_vocabulary_size(size_t* out, const trajplot_vocabulary* vocabulary) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(vocabulary, "vocabulary");
        *out = vocabulary->tokens->size();
    });
}

trajplot_status trajplot_vocabulary_token(const char** out, size_t* len, const trajplot_vocabulary* vocabulary,
                                          size_t id) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(vocabulary, "vocabulary");
        require_index(id, "id", vocabulary->tokens->size(), "size");
        lend_string(out, len, (*vocabulary->tokens)[id]);
    });
}

trajplot_status trajplot_trajectory_options_init(trajplot_trajectory_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION, "version",
                        "TRAJPLOT_TRAJECTORY_OPTIONS_VERSION");
        *options = default_trajectory_options;
    });
}

size_t trajplot_measures(int* out, size_t capacity) {
    const std::size_t total = std::size(measures);
    for (std::size_t i = 0; i < std::min(capacity, total); ++i) out[i] = measures[i].measure;
    return total;
}

const char* trajplot_measure_name(int measure) {
    const MeasureInfo* info = find_measure(measure);
    return info != nullptr ? info->name : nullptr;
}

trajplot_status trajplot_measure_from_name(int* out, const char* name) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(name, "name");
        for (const MeasureInfo& info : measures) {
            if (std::strcmp(info.name, name) == 0) {
                *out = info.measure;
                return;
            }
        }
        std::string known;
        for (const MeasureInfo& info : measures) known.append(known.empty() ? "" : ", ").append(info.name);
        invalid("unknown measure \"", utf8_string(name), "\"; known: ", known);
    });
}

bool trajplot_measure_is_comparison(int measure) {
    return find_measure(measure) != nullptr && is_comparison_measure(measure);
}

trajplot_status trajplot_trajectory_create(trajplot_trajectory** out, size_t batch, size_t n_layers, size_t seq_len,
                                           size_t vocab, const int64_t* input_ids, const int64_t* targets,
                                           const int64_t* anti_targets, const trajplot_trajectory_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        trajplot::TrajectoryInputs inputs = trajectory_inputs(batch, n_layers, seq_len, vocab, input_ids, options);
        trajplot::TrajectoryTargets wanted{optional_ids(targets, inputs.shape), optional_ids(anti_targets, inputs.shape)};
        const bool forward_kl = options != nullptr ? options->forward_kl : default_trajectory_options.forward_kl;
        *out = new trajplot_trajectory{trajplot::PredictionTrajectory(std::move(inputs), std::move(wanted), forward_kl)};
    });
}

void trajplot_trajectory_free(trajplot_trajectory* trajectory) { delete trajectory; }

namespace {

void give_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab, const trajplot::TrajectoryShape& shape) {
    if (batch != nullptr) *batch = shape.batch;
    if (n_layers != nullptr) *n_layers = shape.layers;
    if (seq_len != nullptr) *seq_len = shape.seq_len;
    if (vocab != nullptr) *vocab = shape.vocab;
}

}  // namespace

trajplot_status trajplot_trajectory_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab,
                                          const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] { give_shape(batch, n_layers, seq_len, vocab, trajectory_of(trajectory).shape()); });
}

trajplot_status trajplot_trajectory_add(trajplot_trajectory* trajectory, size_t batch_index, size_t layer,
                                        const float* slab, size_t slab_len) {
    return guarded(__func__, [&] {
        trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        require(slab, "slab");
        require_length(slab_len, "slab_len", slab_floats(value.shape()), "seq_len x vocab");
        value.add(batch_index, layer, slab);
    });
}

trajplot_status trajplot_trajectory_add_all(trajplot_trajectory* trajectory, const float* tensor, size_t tensor_len) {
    return guarded(__func__, [&] {
        trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        require(tensor, "tensor");
        const trajplot::TrajectoryShape& shape = value.shape();
        require_length(tensor_len, "tensor_len", shape.batch * shape.layers * slab_floats(shape),
                       "batch x n_layers x seq_len x vocab");
        value.add_all({tensor, tensor_len});
    });
}

trajplot_status trajplot_trajectory_complete(bool* out, const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = trajectory_of(trajectory).complete();
    });
}

trajplot_status trajplot_trajectory_statistic(trajplot_statistic** out, const trajplot_trajectory* trajectory,
                                              int measure, unsigned int flags) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::PredictionTrajectory& value = trajectory_of(trajectory);
        const MeasureInfo* info = find_measure(measure);
        if (info == nullptr) invalid("measure ", measure, " is not a trajplot_measure");
        if (is_comparison_measure(measure)) {
            invalid(info->name, " is a measure of two trajectories: use a trajplot_comparison");
        }
        if (measure == TRAJPLOT_MEASURE_RANK) {
            if ((flags & ~TRAJPLOT_SHOW_RANKS) != 0) {
                invalid("flags ", flags, " are not known for rank (expected 0 or TRAJPLOT_SHOW_RANKS)");
            }
        } else {
            require_no_flags(flags, info->name);
        }
        std::optional<trajplot::TrajectoryStatistic> statistic;
        switch (static_cast<trajplot_measure>(measure)) {
            case TRAJPLOT_MEASURE_ENTROPY: statistic = value.entropy(); break;
            case TRAJPLOT_MEASURE_CROSS_ENTROPY: statistic = value.cross_entropy(); break;
            case TRAJPLOT_MEASURE_FORWARD_KL: statistic = value.forward_kl(); break;
            case TRAJPLOT_MEASURE_MAX_PROBABILITY: statistic = value.max_probability(); break;
            case TRAJPLOT_MEASURE_RANK: statistic = value.rank((flags & TRAJPLOT_SHOW_RANKS) != 0); break;
            case TRAJPLOT_MEASURE_LOG_PROB_DIFF: statistic = value.log_prob_diff(false); break;
            case TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA: statistic = value.log_prob_diff(true); break;
            default: invalid("measure ", measure, " is not a trajplot_measure");
        }
        *out = new_handle(std::make_shared<const trajplot::TrajectoryStatistic>(std::move(*statistic)));
    });
}

trajplot_status trajplot_trajectory_labels(trajplot_labels** out, const trajplot_trajectory* trajectory) {
    return guarded(__func__, [&] {
        require(out, "out");
        give_labels(out, trajectory_of(trajectory).labels());
    });
}

trajplot_status trajplot_comparison_create(trajplot_comparison** out, size_t batch, size_t n_layers, size_t seq_len,
                                           size_t vocab, const int64_t* input_ids,
                                           const trajplot_trajectory_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = new trajplot_comparison{
            trajplot::TrajectoryComparison(trajectory_inputs(batch, n_layers, seq_len, vocab, input_ids, options))};
    });
}

void trajplot_comparison_free(trajplot_comparison* comparison) { delete comparison; }

trajplot_status trajplot_comparison_shape(size_t* batch, size_t* n_layers, size_t* seq_len, size_t* vocab,
                                          const trajplot_comparison* comparison) {
    return guarded(__func__, [&] { give_shape(batch, n_layers, seq_len, vocab, comparison_of(comparison).shape()); });
}

trajplot_status trajplot_comparison_add(trajplot_comparison* comparison, size_t batch_index, size_t layer,
                                        const float* self_slab, const float* other_slab, size_t slab_len) {
    return guarded(__func__, [&] {
        trajplot::TrajectoryComparison& value = comparison_of(comparison);
        require(self_slab, "self_slab");
        require(other_slab, "other_slab");
        require_length(slab_len, "slab_len", slab_floats(value.shape()), "seq_len x vocab");
        value.add(batch_index, layer, self_slab, other_slab);
    });
}

trajplot_status trajplot_comparison_add_all(trajplot_comparison* comparison, const float* self_tensor,
                                            const float* other_tensor, size_t tensor_len) {
    return guarded(__func__, [&] {
        trajplot::TrajectoryComparison& value = comparison_of(comparison);
        require(self_tensor, "self_tensor");
        require(other_tensor, "other_tensor");
        const trajplot::TrajectoryShape& shape = value.shape();
        require_length(tensor_len, "tensor_len", shape.batch * shape.layers * slab_floats(shape),
                       "batch x n_layers x seq_len x vocab");
        value.add_all({self_tensor, tensor_len}, {other_tensor, tensor_len});
    });
}

trajplot_status trajplot_comparison_complete(bool* out, const trajplot_comparison* comparison) {
    return guarded(__func__, [&] {
        require(out, "out");
        *out = comparison_of(comparison).complete();
    });
}

trajplot_status trajplot_comparison_statistic(trajplot_statistic** out, const trajplot_comparison* comparison,
                                              int measure, unsigned int flags) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::TrajectoryComparison& value = comparison_of(comparison);
        const MeasureInfo* info = find_measure(measure);
        if (info == nullptr) invalid("measure ", measure, " is not a trajplot_measure");
        if (!is_comparison_measure(measure)) {
            invalid(info->name, " is a measure of one trajectory: use a trajplot_trajectory");
        }
        require_no_flags(flags, info->name);
        std::optional<trajplot::TrajectoryStatistic> statistic;
        switch (static_cast<trajplot_measure>(measure)) {
            case TRAJPLOT_MEASURE_KL_DIVERGENCE: statistic = value.kl_divergence(); break;
            case TRAJPLOT_MEASURE_JS_DIVERGENCE: statistic = value.js_divergence(); break;
            case TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL: statistic = value.half_symmetric_kl(); break;
            case TRAJPLOT_MEASURE_TOTAL_VARIATION: statistic = value.total_variation(); break;
            case TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE: statistic = value.max_abs_prob_difference(); break;
            default: invalid("measure ", measure, " is not a trajplot_measure");
        }
        *out = new_handle(std::make_shared<const trajplot::TrajectoryStatistic>(std::move(*statistic)));
    });
}

trajplot_status trajplot_comparison_labels(trajplot_labels** out, const trajplot_comparison* comparison) {
    return guarded(__func__, [&] {
        require(out, "out");
        give_labels(out, comparison_of(comparison).labels());
    });
}

// ---------------------------------------------------------------------------
// Stacked figures

namespace {

const trajplot_panel_options default_panel_options = TRAJPLOT_PANEL_OPTIONS_INIT;
const trajplot_stack_options default_stack_options = TRAJPLOT_STACK_OPTIONS_INIT;

// The core's panels, pointing into the caller's statistics, which stay
// alive for the call.
struct StackedFigure {
    std::vector<trajplot::Panel> panels;
    trajplot::StackedFigureOptions options;
};

StackedFigure stacked_figure_of(const trajplot_statistic* const* statistics, std::size_t count,
                                const trajplot_panel_options* panels, const trajplot_stack_options* options) {
    require(statistics, "statistics");
    if (count == 0) invalid("count is 0; a stacked figure needs at least one statistic");
    checked_count({{"count", count}}, sizeof(trajplot::Panel));
    StackedFigure figure;
    figure.panels.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        if (statistics[i] == nullptr || statistics[i]->value == nullptr) invalid("statistics[", i, "] is NULL");
        const trajplot_panel_options& given = panels != nullptr ? panels[i] : default_panel_options;
        require_version(given.version, TRAJPLOT_PANEL_OPTIONS_VERSION, message("panels[", i, "].version").c_str(),
                        "TRAJPLOT_PANEL_OPTIONS_VERSION");
        trajplot::Panel panel{*statistics[i]->value};
        if (given.title != nullptr) panel.title = utf8_string(given.title);
        if (given.colorscale != nullptr) panel.heatmap.colorscale = given.colorscale;
        if (given.extra_json != nullptr) panel.heatmap.extra_json = given.extra_json;
        panel.heatmap.log_scale = given.log_scale;
        panel.heatmap.hover_value = given.hover_value;
        figure.panels.push_back(std::move(panel));
    }
    const trajplot_stack_options& given = options != nullptr ? *options : default_stack_options;
    require_version(given.version, TRAJPLOT_STACK_OPTIONS_VERSION, "options->version",
                    "TRAJPLOT_STACK_OPTIONS_VERSION");
    if (given.title != nullptr) figure.options.title = utf8_string(given.title);
    figure.options.token_width = given.token_width;
    figure.options.height = given.height;
    if (given.has_vertical_spacing) figure.options.vertical_spacing = given.vertical_spacing;
    figure.options.equal_panel_heights = given.equal_panel_heights;
    return figure;
}

}  // namespace

trajplot_status trajplot_panel_options_init(trajplot_panel_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_PANEL_OPTIONS_VERSION, "version", "TRAJPLOT_PANEL_OPTIONS_VERSION");
        *options = default_panel_options;
    });
}

trajplot_status trajplot_stack_options_init(trajplot_stack_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_STACK_OPTIONS_VERSION, "version", "TRAJPLOT_STACK_OPTIONS_VERSION");
        *options = default_stack_options;
    });
}

trajplot_status trajplot_stacked_figure_json(char** out, size_t* out_len, const trajplot_statistic* const* statistics,
                                             size_t count, const trajplot_panel_options* panels,
                                             const trajplot_stack_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        const StackedFigure figure = stacked_figure_of(statistics, count, panels, options);
        give_streamed(out, out_len, [&](std::ostream& stream) {
            trajplot::write_stacked_figure_json(stream, figure.panels, figure.options);
        });
    });
}

trajplot_status trajplot_stacked_write_figure_json(const trajplot_statistic* const* statistics, size_t count,
                                                   const trajplot_panel_options* panels,
                                                   const trajplot_stack_options* options, const char* path) {
    return guarded(__func__, [&] {
        const StackedFigure figure = stacked_figure_of(statistics, count, panels, options);
        require(path, "path");
        trajplot::save_stacked_figure_json(std::filesystem::path(path), figure.panels, figure.options);
    });
}

trajplot_status trajplot_stacked_figure_html(char** out, size_t* out_len, const trajplot_statistic* const* statistics,
                                             size_t count, const trajplot_panel_options* panels,
                                             const trajplot_stack_options* options,
                                             const trajplot_html_options* html) {
    return guarded(__func__, [&] {
        require(out, "out");
        const StackedFigure figure = stacked_figure_of(statistics, count, panels, options);
        const trajplot::HtmlOptions html_options = html_options_of(html);
        give_streamed(out, out_len, [&](std::ostream& stream) {
            trajplot::write_stacked_figure_html(stream, figure.panels, figure.options, html_options);
        });
    });
}

trajplot_status trajplot_stacked_write_figure_html(const trajplot_statistic* const* statistics, size_t count,
                                                   const trajplot_panel_options* panels,
                                                   const trajplot_stack_options* options,
                                                   const trajplot_html_options* html, const char* path) {
    return guarded(__func__, [&] {
        const StackedFigure figure = stacked_figure_of(statistics, count, panels, options);
        require(path, "path");
        const trajplot::HtmlOptions html_options = html_options_of(html);
        trajplot::save_stacked_figure_html(std::filesystem::path(path), figure.panels, figure.options, html_options);
    });
}
