// The ticks of a log-scale colour bar. plotly.js's colour bars have no log
// axis: trajplot colours by log10 of the values and labels the bar itself.
#pragma once

#include <string>
#include <vector>

namespace trajplot {

struct ColorbarTicks {
    std::vector<double> values;      // tickvals: log10 of the values labelled
    std::vector<std::string> texts;  // ticktext, Plotly markup
};

// Ticks for a colour bar from 10^log_min to 10^log_max: the powers of ten
// inside the range when there are three or more (every second, fifth,
// tenth, ... one beyond ten of them); else 1-2-5 steps (1, 2, 5, 10, 20,
// ...), else every digit (1, 2, 3, ..., 9, 10, 20, ...), else evenly spaced
// values in 1-2-5 steps, whichever first gives three. Powers of ten read
// 10<sup>k</sup>; other values as plain decimals between 0.001 and 9999,
// beyond as 2×10<sup>k</sup>. One tick when the range is a single value;
// none when a bound is not finite. The bounds may come in either order; a
// tick within 1e-7 (two float32 steps) outside them counts as inside, and
// the colour range is widened onto it.
ColorbarTicks log_colorbar_ticks(double log_min, double log_max);

}  // namespace trajplot
