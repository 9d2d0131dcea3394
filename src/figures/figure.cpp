// The figure object: planned once when it is made, exported any number of
// times in any format to any destination.
#include "trajplot/figure.hpp"

#include <optional>
#include <utility>

#include "figure_plan.hpp"
#include "html_page.hpp"
#include "image_export.hpp"
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

// What a PNG too large for Cairo could change to fit.
image::SizeHint size_hint(const Figure& figure, const FigurePlan& plan);

// One export, checked before its first byte: the page's plan, the trace
// that a figure of one statistic has, or an image's layout.
class PreparedExport {
public:
    PreparedExport(const Figure& figure, const FigurePlan& plan, const ExportOptions& options);

    void operator()(JsonWriter& writer) const {
        switch (options_.format) {
            case Format::figure_json: write_figure(writer, plan_); break;
            case Format::trace_json: write_trace(writer, *plan_.traces[0].statistic, plan_.traces[0].heatmap); break;
            case Format::html: write_page(writer, options_.html, page_); break;
            case Format::svg: image::write_svg(writer, *scene_, options_.scale); break;
            case Format::png: image::write_png(writer, *scene_, options_.scale); break;
            case Format::pdf: image::write_pdf(writer, *scene_, options_.scale); break;
        }
    }

private:
    const FigurePlan& plan_;
    const ExportOptions& options_;
    PagePlan page_;
    std::optional<image::Scene> scene_;
};

image::SizeHint size_hint(const Figure& figure, const FigurePlan& plan) {
    const std::size_t seq_len = figure.panels().front().statistic->seq_len();
    const std::size_t token_width = figure.options().token_width;
    double width = 0;
    const JsonValue* planned = plan.layout.find("width");
    const bool from_tokens = planned != nullptr && planned->number_value(width) &&
                             width == 200.0 + static_cast<double>(token_width) * static_cast<double>(seq_len);
    return {token_width, seq_len, from_tokens};
}

PreparedExport::PreparedExport(const Figure& figure, const FigurePlan& plan, const ExportOptions& options)
    : plan_(plan), options_(options) {
    switch (options.format) {
        case Format::figure_json: break;
        case Format::trace_json:
            if (figure.is_stacked()) {
                fail(Errc::invalid_argument, "a stacked figure of " + std::to_string(plan_.traces.size()) +
                                                 " panels has no single trace; export it as figure JSON, HTML or an "
                                                 "image");
            }
            break;
        case Format::html: page_ = plan_page(plan_, options.html); break;
        case Format::svg:
        case Format::png:
        case Format::pdf:
            scene_ = image::layout_scene(plan_);
            image::check_image_export(options.format, options.scale, *scene_, size_hint(figure, plan_));
            break;
        default: fail(Errc::invalid_argument, "unknown export format");
    }
}

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
    const PreparedExport prepared(*this, state_->plan, options);
    return write_to_string(prepared);
}

void Figure::write(std::ostream& out, const ExportOptions& options) const {
    const PreparedExport prepared(*this, state_->plan, options);
    write_to_stream(out, prepared);
}

void Figure::write(const ExportSink& sink, const ExportOptions& options) const {
    if (!sink) fail(Errc::invalid_argument, "the export sink is empty");
    const PreparedExport prepared(*this, state_->plan, options);
    write_to_sink(sink, prepared);
}

void Figure::save(const std::filesystem::path& path, const ExportOptions& options) const {
    const PreparedExport prepared(*this, state_->plan, options);
    write_to_file(path, prepared);
}

}  // namespace trajplot
