// An HTML page of a planned figure: planned (the div id checked, plotly.js
// read) before anything is written.
#pragma once

#include <memory>
#include <string>

#include "figure_plan.hpp"
#include "json_writer.hpp"
#include "trajplot/html.hpp"

namespace trajplot {

// What the page needs besides the figure, read and checked before writing.
struct PagePlan {
    FigurePlan figure;
    // Shared: the inlined plotly.js is megabytes, read once per file.
    std::shared_ptr<const std::string> plotlyjs_tag;
    std::string title;
};

// Throws Error for a bad div id or a plotly.js that cannot be read or
// inlined.
PagePlan plan_page(const FigurePlan& figure, const HtmlOptions& html);
void write_page(JsonWriter& writer, const HtmlOptions& html, const PagePlan& plan);

}  // namespace trajplot
