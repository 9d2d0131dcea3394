// HTML pages that draw a figure with plotly.js, as plotly.py's write_html
// writes them, and where they get plotly.js from.
#include "html_page.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <ios>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include "library_location.hpp"
#include "trajplot/error.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

// ASCII only, not <cctype>: that follows the caller's locale, in which
// bytes above 0x7F may be letters (Latin-1) and tolower('I') may not be 'i'
// (Turkish).
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
char ascii_lowercase(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_valid_div_id(std::string_view id) {
    if (id.empty() || !is_ascii_letter(id.front())) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return is_ascii_letter(c) || is_ascii_digit(c) || c == '-' || c == '_'; });
}

// Text for an HTML attribute value in double quotes, or element content.
std::string html_escaped(std::string_view text) {
    std::string out;
    for (const char c : sanitize_utf8(text)) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// Whether `code` holds `tag` in any letter case.
bool contains_tag(std::string_view code, std::string_view tag) {
    const auto found = std::search(code.begin(), code.end(), tag.begin(), tag.end(),
                                   [](char a, char b) { return ascii_lowercase(a) == b; });
    return found != code.end();
}

std::shared_ptr<const std::string> shared_tag(std::string tag) {
    return std::make_shared<const std::string>(std::move(tag));
}

std::shared_ptr<const std::string> cdn_tag() {
    return shared_tag("<script src=\"" + std::string(plotlyjs_cdn_url) + "\" charset=\"utf-8\"></script>\n");
}

// The contents of a plotly.js file in a <script> element; `source` says in
// messages where the path came from.
std::string read_inline_tag(const std::filesystem::path& path, const std::string& shown) {
    std::ifstream file(path, std::ios::binary);
    if (!file) fail(Errc::io, "cannot read plotly.js from " + shown);
    std::string code;
    try {
        code.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) {
        // libstdc++ throws from underflow() when a read fails, for
        // example on a directory, whatever the stream's exceptions().
        fail(Errc::io, "cannot read plotly.js from " + shown);
    }
    if (file.bad()) fail(Errc::io, "cannot read plotly.js from " + shown);
    if (code.empty()) fail(Errc::invalid_argument, "plotly.js file " + shown + " is empty");
    // "</script" would end the element early; "<script" after a
    // "<!--" would keep the page's own "</script>" from ending it.
    if (contains_tag(code, "</script") || contains_tag(code, "<script")) {
        fail(Errc::invalid_argument,
             "plotly.js file " + shown + " contains \"<script\" or \"</script\" and cannot be inlined");
    }
    return "<script type=\"text/javascript\">" + code + "</script>\n";
}

// Reading and checking megabytes of plotly.js costs more than exporting a
// small figure, so each file's tag is kept while the file stays the same
// (same size and modification time), shared by every page that inlines it.
std::shared_ptr<const std::string> inline_tag(const std::filesystem::path& path, std::string_view source) {
    // A path is any bytes; a message is UTF-8. Only a read needs it.
    const auto read = [&] { return read_inline_tag(path, sanitize_utf8(path.string()) + std::string(source)); };
    struct Cached {
        std::uintmax_t size;
        std::filesystem::file_time_type modified;
        std::shared_ptr<const std::string> tag;
    };
    static std::mutex mutex;
    static std::map<std::string, Cached> cache;
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    const std::filesystem::file_time_type modified =
        error ? std::filesystem::file_time_type{} : std::filesystem::last_write_time(path, error);
    if (error) return std::make_shared<const std::string>(read());
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto found = cache.find(path.string());
        if (found != cache.end() && found->second.size == size && found->second.modified == modified) {
            return found->second.tag;
        }
    }
    auto tag = std::make_shared<const std::string>(read());
    const std::lock_guard<std::mutex> lock(mutex);
    // A handful of files at most in practice; bounded all the same.
    if (cache.size() >= 8) cache.clear();
    cache[path.string()] = Cached{size, modified, tag};
    return tag;
}

// Where the environment variable names a file, or nullptr.
const char* plotlyjs_from_environment() {
    const char* named = std::getenv(plotlyjs_environment_variable);
    return named != nullptr && *named != '\0' ? named : nullptr;
}

std::optional<std::filesystem::path> installed_plotlyjs() {
    // An installed tree (lib/ -> ../share, as configured), a build tree,
    // which keeps the copy in share/ beside the library, then the prefix
    // configured at build time, where a program linking the static core
    // finds it wherever the program itself is.
    std::vector<std::filesystem::path> candidates;
    if (const std::optional<std::filesystem::path> directory = own_directory()) {
        candidates.push_back(*directory / TRAJPLOT_RELATIVE_DATADIR / "trajplot" / "plotly.min.js");
        candidates.push_back(*directory / "share" / "trajplot" / "plotly.min.js");
    }
    candidates.push_back(std::filesystem::path(TRAJPLOT_INSTALL_DATADIR) / "trajplot" / "plotly.min.js");
    for (const std::filesystem::path& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate.lexically_normal();
    }
    return std::nullopt;
}

std::shared_ptr<const std::string> plotlyjs_tag(const HtmlOptions& html) {
    switch (html.plotlyjs) {
        case PlotlyJs::local: {
            if (const char* named = plotlyjs_from_environment()) {
                return inline_tag(named, std::string(" (named by ") + plotlyjs_environment_variable + ")");
            }
            const std::optional<std::filesystem::path> installed = installed_plotlyjs();
            return installed ? inline_tag(*installed, " (the copy installed with trajplot)") : cdn_tag();
        }
        case PlotlyJs::cdn: return cdn_tag();
        case PlotlyJs::src:
            if (html.location.empty()) fail(Errc::invalid_argument, "plotlyjs src needs a URL or path, got none");
            return shared_tag("<script src=\"" + html_escaped(html.location) + "\" charset=\"utf-8\"></script>\n");
        case PlotlyJs::inline_file:
            if (html.location.empty()) fail(Errc::invalid_argument, "plotlyjs inline needs a file, got none");
            return inline_tag(html.location, "");
        case PlotlyJs::none: return shared_tag("");
    }
    fail(Errc::invalid_argument, "unknown plotlyjs option");
}

}  // namespace

std::optional<std::filesystem::path> local_plotlyjs() {
    if (const char* named = plotlyjs_from_environment()) return std::filesystem::path(named);
    return installed_plotlyjs();
}

PagePlan plan_page(const FigurePlan& figure, const HtmlOptions& html) {
    if (!is_valid_div_id(html.div_id)) {
        fail(Errc::invalid_argument, "div_id \"" + html_escaped(html.div_id) +
                                         "\" must start with a letter and hold only letters, digits, '-' and '_'");
    }
    PagePlan plan;
    plan.figure = figure;
    if (html.responsive) {
        // A fixed width would defeat Plotly's resizing.
        plan.figure.layout.merge_patch(JsonValue::object({{"width", nullptr}, {"autosize", true}}));
    }
    plan.plotlyjs_tag = plotlyjs_tag(html);
    plan.title = html_escaped(plan.figure.page_title);
    return plan;
}

void write_page(JsonWriter& writer, const HtmlOptions& html, const PagePlan& plan) {
    if (html.full_html) {
        writer.raw("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
        writer.raw(plan.title);
        writer.raw("</title>\n</head>\n<body>\n");
    }
    writer.raw("<div>\n");
    writer.raw(*plan.plotlyjs_tag);
    const std::string style = html.responsive ? "width:100%;height:100%;" : "";
    writer.raw("<div id=\"" + html.div_id + "\" class=\"plotly-graph-div\"" +
               (style.empty() ? "" : " style=\"" + style + "\"") + "></div>\n");
    writer.raw("<script type=\"text/javascript\">\n(function () {\n  var figure = ");
    // Inside <script>, strings must not hold "</script>" or "<!--": the
    // writer escapes <, > and & in every string of the figure.
    writer.set_html_safe(true);
    write_figure(writer, plan.figure);
    writer.set_html_safe(false);
    writer.raw(";\n  Plotly.newPlot(document.getElementById(\"" + html.div_id +
               "\"), figure.data, figure.layout, {\"responsive\": " + (html.responsive ? "true" : "false") +
               "});\n})();\n</script>\n</div>\n");
    if (html.full_html) writer.raw("</body>\n</html>\n");
}

}  // namespace trajplot
