// plotly.py's named colourscales, resolved to the explicit arrays plotly.js
// accepts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trajplot {

struct ColorStop {
    double position;    // 0 ... 1
    std::string color;  // as plotly.py writes it: "rgb(5,48,97)" or "#440154"
};

using Colorscale = std::vector<ColorStop>;

// The stops of a plotly.py colourscale name, case-insensitive; a "_r"
// suffix reverses it. Throws Error (listing some valid names) for an
// unknown name.
Colorscale resolve_colorscale(std::string_view name);

// The base names plotly.py knows (without "_r"), in its order.
const std::vector<std::string_view>& colorscale_names();

}  // namespace trajplot
