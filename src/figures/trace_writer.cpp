// Writing a planned figure: its small attributes as planned, and the large
// arrays (categories, z, cell text, hover tables) streamed from the
// statistics, formatted on two threads when they are large.
#include "figure_plan.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "output.hpp"
#include "parallel.hpp"
#include "text_array_internals.hpp"
#include "text_internals.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

// The k-th repeat (k >= 1) of a category name gets an empty <span> carrying
// k: Plotly then sees distinct categories, yet draws nothing extra. It costs
// a few bytes per repeat, not the i invisible characters the reference
// appends to label i.
void append_repeat_marker(std::string& out, std::size_t repeat) {
    if (repeat == 0) return;
    out += "<span style=\"--repeat:";
    out += std::to_string(repeat);
    out += "\"></span>";
}

void write_categories(JsonWriter& writer, const TextArray<1>& labels) {
    std::unordered_map<std::string_view, std::size_t> seen;
    std::string category;
    writer.array(labels.size(), [&](std::size_t i) {
        const std::string_view label = labels.flat(i);
        category.clear();
        append_plotly_escaped(category, label);
        append_repeat_marker(category, seen[label]++);
        writer.valid_string(category);
    });
}

// A value as the hover box shows it: whole numbers (ranks) in full, others
// to four significant digits.
std::string hover_value_text(float value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "\u221E" : "\u2212\u221E";
    char buffer[32];
    const double exact = value;
    const auto [end, error] = std::trunc(exact) == exact && std::abs(exact) < 1e15
                                  ? std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(exact))
                                  : std::to_chars(buffer, buffer + sizeof buffer, exact, std::chars_format::general, 4);
    static_cast<void>(error);  // 32 bytes hold any of them
    return std::string(buffer, end);
}

static_assert(JsonWriter::read_slack <= text_array_read_slack,
              "plain strings are copied in words that may run past their end into the pool's slack");

void write_z_rows(JsonWriter& writer, const TrajectoryStatistic& statistic, bool log_scale, std::size_t first,
                  std::size_t last) {
    const auto& stats = statistic.stats();
    for (std::size_t layer = first; layer < last; ++layer) {
        if (layer) writer.raw(',');
        writer.array(statistic.seq_len(), [&](std::size_t position) {
            const float value = stats(layer, position);
            writer.number(log_scale ? log10_value(value) : value);
        });
    }
}

// Formatting the large arrays (z, cell text, hover tables) is most of an
// export, so above this many elements a second thread formats every other
// block of rows, up to one block ahead, while this one writes the others.
// Output stays streamed, with at most two blocks held.
constexpr std::size_t parallel_elements = std::size_t{1} << 16;
constexpr std::size_t block_elements = std::size_t{1} << 14;

// Writes rows [0, n_rows) of an array, each row elements_per_row elements,
// between the array's brackets. write_rows(writer, first, last) writes
// rows [first, last), each but row 0 preceded by a comma.
template <class WriteRows>
void write_rows_on_two_threads(JsonWriter& writer, std::size_t n_rows, std::size_t elements_per_row,
                               const WriteRows& write_rows) {
    writer.raw('[');
    const std::size_t block_rows = elements_per_row ? std::max<std::size_t>(1, block_elements / elements_per_row) : 1;
    const std::size_t n_blocks = (n_rows + block_rows - 1) / block_rows;
    if (n_rows * elements_per_row < parallel_elements || n_blocks < 2) {
        write_rows(writer, 0, n_rows);
        writer.raw(']');
        return;
    }
    const auto rows_of = [&](std::size_t block) {
        return std::pair{block * block_rows, std::min(n_rows, (block + 1) * block_rows)};
    };
    // The worker owns a slot's text while it is not ready, the writer while
    // it is; the flags change hands under the mutex.
    struct Slot {
        std::string text;
        bool ready = false;
    };
    std::array<Slot, 2> slots;
    std::mutex mutex;
    std::condition_variable changed;
    bool stopping = false;       // set by this thread: the worker returns
    bool worker_exited = false;  // set by the worker: no more slots come
    const bool html_safe = writer.html_safe();
    const auto notify = [&](bool& flag) noexcept {
        {
            std::lock_guard lock(mutex);
            flag = true;
        }
        changed.notify_all();
    };

    WorkerThread worker(
        [&] {
            for (std::size_t block = 1; block < n_blocks; block += 2) {
                Slot& slot = slots[(block / 2) % 2];
                {
                    std::unique_lock lock(mutex);
                    changed.wait(lock, [&] { return stopping || !slot.ready; });
                    if (stopping) return;
                }
                slot.text.clear();
                JsonWriter out(slot.text);
                out.set_html_safe(html_safe);
                const auto [first, last] = rows_of(block);
                write_rows(out, first, last);
                out.finish();
                notify(slot.ready);
            }
        },
        [&] { notify(worker_exited); });
    if (!worker.started()) {
        write_rows(writer, 0, n_rows);
        writer.raw(']');
        return;
    }
    // Declared after the worker, so that it runs first when this thread
    // unwinds: the worker stops waiting, and is then joined.
    struct StopOnExit {
        const decltype(notify)& set;
        bool& flag;
        ~StopOnExit() { set(flag); }
    } stop_on_exit{notify, stopping};

    for (std::size_t block = 0; block < n_blocks; ++block) {
        if (block % 2 == 0) {
            const auto [first, last] = rows_of(block);
            write_rows(writer, first, last);
            continue;
        }
        Slot& slot = slots[(block / 2) % 2];
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return slot.ready || worker_exited; });
            // Exited before this block was ready: join() rethrows why.
            if (!slot.ready) {
                lock.unlock();
                worker.join();
                throw std::logic_error("the export's second thread stopped before its block");
            }
        }
        writer.raw(slot.text);
        {
            std::lock_guard lock(mutex);
            slot.ready = false;
        }
        changed.notify_all();
    }
    writer.raw(']');
}

void write_z(JsonWriter& writer, const TrajectoryStatistic& statistic, bool log_scale) {
    write_rows_on_two_threads(writer, statistic.n_layers(), statistic.seq_len(),
                              [&statistic, log_scale](JsonWriter& out, std::size_t first, std::size_t last) {
                                  write_z_rows(out, statistic, log_scale, first, last);
                              });
}

void write_cell_text(JsonWriter& writer, const TextArray<2>& labels) {
    const std::size_t seq_len = labels.shape()[1];
    write_rows_on_two_threads(writer, labels.shape()[0], seq_len,
                              [&labels, seq_len](JsonWriter& out, std::size_t first, std::size_t last) {
                                  for (std::size_t layer = first; layer < last; ++layer) {
                                      if (layer) out.raw(',');
                                      out.array(seq_len, [&](std::size_t position) {
                                          const std::size_t flat = layer * seq_len + position;
                                          if (TextArrayInternals::is_plain(labels, flat)) {
                                              out.plain_plotly_string(labels.flat(flat), 0);
                                          } else {
                                              out.plotly_string(labels.flat(flat));
                                          }
                                      });
                                  }
                              });
}

// Each cell's customdata: the padded entries of template_and_customdata,
// escaped for Plotly after padding so that widths count the characters
// shown, then with hover_value the cell's value.
void write_customdata(JsonWriter& writer, const TrajectoryStatistic& statistic, const HeatmapPlan& plan) {
    const auto& labels = statistic.trajectory_labels();
    const TextArray<4>* entries = labels && labels->hover_over_entries() ? &*labels->hover_over_entries() : nullptr;
    const std::size_t cols = entries ? entries->shape()[3] : 0;
    const std::size_t cells_per_table = entries ? entries->shape()[2] * cols : 0;
    const std::size_t seq_len = statistic.seq_len();
    const auto& stats = statistic.stats();
    const std::size_t per_cell = cells_per_table + (plan.hover_value ? 1 : 0);
    const auto write_layers = [&](JsonWriter& out, std::size_t first, std::size_t last) {
        std::size_t flat = first * seq_len * cells_per_table;
        for (std::size_t layer = first; layer < last; ++layer) {
            if (layer) out.raw(',');
            out.array(seq_len, [&](std::size_t position) {
                out.array(per_cell, [&](std::size_t k) {
                    if (k == cells_per_table) {
                        out.valid_string(hover_value_text(stats(layer, position)));
                        return;
                    }
                    const FittedText fitted =
                        fit_to_width(entries->flat(flat), entries->flat_code_points(flat), plan.hover_widths[k % cols]);
                    // A fitted text is a suffix of the stored one: plain, and
                    // followed by the pool's slack, when that is.
                    if (TextArrayInternals::is_plain(*entries, flat)) {
                        out.plain_plotly_string(fitted.text, fitted.pad);
                    } else {
                        out.plotly_string(fitted.text, fitted.pad);
                    }
                    ++flat;
                });
            });
        }
    };
    write_rows_on_two_threads(writer, statistic.n_layers(), seq_len * per_cell, write_layers);
}

struct TraceSource {
    const TrajectoryStatistic& statistic;
    const HeatmapPlan& plan;
};

void write_placeholder(JsonWriter& out, std::uint8_t which, const void* context) {
    const auto& [statistic, plan] = *static_cast<const TraceSource*>(context);
    switch (static_cast<Placeholder>(which)) {
        case x_labels: write_categories(out, *plan.x_labels); break;
        case y_labels: write_categories(out, statistic.layer_labels()); break;
        case z_values: write_z(out, statistic, plan.log_scale); break;
        case cell_text: write_cell_text(out, statistic.trajectory_labels()->label_strings()); break;
        case hover_customdata: write_customdata(out, statistic, plan); break;
    }
}

}  // namespace

void write_trace(JsonWriter& writer, const TrajectoryStatistic& statistic, const HeatmapPlan& plan) {
    const TraceSource source{statistic, plan};
    plan.trace.write(writer, write_placeholder, &source);
}

void write_figure(JsonWriter& writer, const FigurePlan& plan) {
    writer.raw("{\"data\":[");
    for (std::size_t i = 0; i < plan.traces.size(); ++i) {
        if (i) writer.raw(',');
        write_trace(writer, *plan.traces[i].statistic, plan.traces[i].heatmap);
    }
    writer.raw("],\"layout\":");
    plan.layout.write(writer);
    writer.raw('}');
}

std::string customdata_json(const HoverTemplate& hover) {
    const auto& customdata = hover.customdata;
    const auto& shape = customdata.shape();
    return write_to_string([&](JsonWriter& writer) {
        writer.array(shape[0], [&](std::size_t layer) {
            writer.array(shape[1], [&](std::size_t position) {
                writer.array(shape[2],
                             [&](std::size_t entry) { writer.valid_string(customdata(layer, position, entry)); });
            });
        });
    });
}

}  // namespace trajplot
