// The figure object: planned once when it is made, exported any number of
// times in any format to any destination.
#include "trajplot/figure.hpp"

#include <utility>

#include "figure_plan.hpp"
#include "html_page.hpp"
#include "output.hpp"
#include "trajplot/error.hpp"

namespace trajplot {

struct Figure::State {
    std::vector<Panel> panels;
    FigureOptions options;
    bool stacked = false;
    // Points into `panels`, whose statistics the state keeps alive.
    FigurePlan plan;
};

namespace {

std::shared_ptr<const TrajectoryStatistic> required(std::shared_ptr<const TrajectoryStatistic> statistic) {
    if (!statistic) fail(Errc::invalid_argument, "a figure needs a statistic, got none");
    return statistic;
}

// One export, checked before its first byte: the page's plan, or the trace
// that a figure of one statistic has.
class PreparedExport {
public:
    PreparedExport(const FigurePlan& plan, bool stacked, const ExportOptions& options)
        : plan_(plan), options_(options) {
        switch (options.format) {
            case Format::figure_json: break;
            case Format::trace_json:
                if (stacked) {
                    fail(Errc::invalid_argument, "a stacked figure of " + std::to_string(plan.traces.size()) +
                                                     " panels has no single trace; export it as figure JSON or HTML");
                }
                break;
            case Format::html: page_ = plan_page(plan, options.html); break;
            default: fail(Errc::invalid_argument, "unknown export format");
        }
    }

    void operator()(JsonWriter& writer) const {
        switch (options_.format) {
            case Format::figure_json: write_figure(writer, plan_); break;
            case Format::trace_json: write_trace(writer, *plan_.traces[0].statistic, plan_.traces[0].heatmap); break;
            case Format::html: write_page(writer, options_.html, page_); break;
        }
    }

private:
    const FigurePlan& plan_;
    const ExportOptions& options_;
    PagePlan page_;
};

}  // namespace

Figure::Figure(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Figure::Figure(std::shared_ptr<const TrajectoryStatistic> statistic, PanelOptions panel, FigureOptions options) {
    auto state = std::make_shared<State>();
    state->panels.push_back({required(std::move(statistic)), std::move(panel)});
    state->options = std::move(options);
    const Panel& only = state->panels.front();
    state->plan = plan_single_figure(*only.statistic, only.options, state->options);
    state_ = std::move(state);
}

Figure::Figure(TrajectoryStatistic statistic, PanelOptions panel, FigureOptions options)
    : Figure(std::make_shared<const TrajectoryStatistic>(std::move(statistic)), std::move(panel), std::move(options)) {}

Figure Figure::stacked(std::vector<Panel> panels, FigureOptions options) {
    auto state = std::make_shared<State>();
    state->panels = std::move(panels);
    state->options = std::move(options);
    state->stacked = true;
    state->plan = plan_stacked_figure(state->panels, state->options);
    return Figure(std::move(state));
}

bool Figure::is_stacked() const noexcept { return state_->stacked; }

std::span<const Panel> Figure::panels() const noexcept { return state_->panels; }

const FigureOptions& Figure::options() const noexcept { return state_->options; }

std::string Figure::to_string(const ExportOptions& options) const {
    const PreparedExport prepared(state_->plan, state_->stacked, options);
    return write_to_string(prepared);
}

void Figure::write(std::ostream& out, const ExportOptions& options) const {
    const PreparedExport prepared(state_->plan, state_->stacked, options);
    write_to_stream(out, prepared);
}

void Figure::write(const ExportSink& sink, const ExportOptions& options) const {
    if (!sink) fail(Errc::invalid_argument, "the export sink is empty");
    const PreparedExport prepared(state_->plan, state_->stacked, options);
    write_to_sink(sink, prepared);
}

void Figure::save(const std::filesystem::path& path, const ExportOptions& options) const {
    const PreparedExport prepared(state_->plan, state_->stacked, options);
    write_to_file(path, prepared);
}

}  // namespace trajplot
