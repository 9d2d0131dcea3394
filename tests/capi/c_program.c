/*
 * The C API used from C: build a statistic with labels and hover tables,
 * stride, clip, export, provoke a few errors, free everything. Exits 0 only
 * when every check passed; prints each failed check.
 *
 * Usage: c_program <path of a JSON file to write> <path of an HTML file to write>
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trajplot.h"

static int failures = 0;

#define CHECK(condition)                                                         \
    do {                                                                         \
        if (!(condition)) {                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
                    #condition);                                                 \
            ++failures;                                                          \
        }                                                                        \
    } while (0)

#define CHECK_OK(call)                                                           \
    do {                                                                         \
        trajplot_status status_ = (call);                                        \
        if (status_ != TRAJPLOT_OK) {                                            \
            fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__,   \
                    #call, (int)status_, trajplot_error_last());                 \
            ++failures;                                                          \
        }                                                                        \
    } while (0)

#define N_LAYERS 5
#define SEQ_LEN 3
#define HOVER_ROWS 2
#define HOVER_COLS 2

static int contains(const char *text, const char *part) {
    return text != NULL && strstr(text, part) != NULL;
}

/* The number after the first "key": in a JSON text, or 0. */
static unsigned long json_number_after(const char *text, const char *key) {
    const char *at = text != NULL ? strstr(text, key) : NULL;
    if (at == NULL) return 0;
    at += strlen(key);
    while (*at == ' ' || *at == ':') ++at;
    return strtoul(at, NULL, 10);
}

/* Reads a whole file into a malloc'd, NUL-terminated buffer. */
static char *read_file(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    char *content = NULL;
    long length;
    if (file == NULL) return NULL;
    if (fseek(file, 0, SEEK_END) == 0 && (length = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
        content = (char *)malloc((size_t)length + 1);
        if (content != NULL) {
            *size = fread(content, 1, (size_t)length, file);
            content[*size] = '\0';
        }
    }
    fclose(file);
    return content;
}

static void check_errors(const trajplot_statistic *statistic) {
    trajplot_statistic *out = NULL;
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const float stats[2] = {1.0f, 2.0f};
    char *json = NULL;
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;

    CHECK(trajplot_statistic_stride(&out, statistic, 0) == TRAJPLOT_EINVAL);
    CHECK(out == NULL);
    CHECK(contains(trajplot_error_last(), "trajplot_statistic_stride: "));
    CHECK(contains(trajplot_error_last(), "stride"));

    CHECK(trajplot_statistic_clip(&out, statistic, 1.0f, 1.0f) == TRAJPLOT_EINVAL);
    CHECK(trajplot_statistic_clip(&out, statistic, (float)NAN, 1.0f) == TRAJPLOT_EINVAL);
    CHECK(out == NULL);

    CHECK(trajplot_statistic_create(&out, NULL, stats, 1, 2, NULL) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "name"));
    CHECK(trajplot_statistic_create(&out, "x", stats, (size_t)-1 / 2, 3, NULL) == TRAJPLOT_ERANGE);
    CHECK(trajplot_error_last_status() == TRAJPLOT_ERANGE);
    options.version = 99;
    CHECK(trajplot_statistic_create(&out, "x", stats, 1, 2, &options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "99"));
    CHECK(out == NULL);

    figure_options.colorscale = "no-such-scale";
    CHECK(trajplot_statistic_figure_json(&json, NULL, statistic, &figure_options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "no-such-scale"));
    CHECK(json == NULL);

    trajplot_error_clear();
    CHECK(strcmp(trajplot_error_last(), "") == 0);
    CHECK(trajplot_error_last_status() == TRAJPLOT_OK);
}

/* An HTML page for a page that loads plotly.js itself, to a string and to
 * a file. */
static void check_html(const trajplot_statistic *statistic, const trajplot_figure_options *figure_options,
                       const char *path) {
    trajplot_html_options html;
    char *page = NULL;
    size_t page_len = 0;
    char *written = NULL;
    size_t written_len = 0;

    CHECK_OK(trajplot_html_options_init(&html, TRAJPLOT_HTML_OPTIONS_VERSION));
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    html.div_id = "c-figure";
    CHECK_OK(trajplot_statistic_figure_html(&page, &page_len, statistic, figure_options, &html));
    CHECK(page != NULL && strlen(page) == page_len);
    CHECK(contains(page, "<div id=\"c-figure\""));
    CHECK(contains(page, "getElementById(\"c-figure\")"));
    CHECK(contains(page, "<title>Entropy from C</title>"));
    CHECK(!contains(page, "cdn.plot.ly"));
    CHECK(!contains(page, "<script src"));

    CHECK_OK(trajplot_statistic_write_figure_html(statistic, figure_options, &html, path));
    written = read_file(path, &written_len);
    CHECK(written != NULL);
    CHECK(written != NULL && page != NULL && written_len == page_len && memcmp(written, page, page_len) == 0);
    free(written);
    trajplot_string_free(page);

    html.plotlyjs = 4;
    page = NULL;
    CHECK(trajplot_statistic_figure_html(&page, NULL, statistic, figure_options, &html) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "html->plotlyjs"));
    CHECK(page == NULL);
}

int main(int argc, char **argv) {
    const char *labels_text[N_LAYERS * SEQ_LEN];
    char labels_storage[N_LAYERS * SEQ_LEN][16];
    const char *hover_text[N_LAYERS * SEQ_LEN * HOVER_ROWS * HOVER_COLS];
    char hover_storage[N_LAYERS * SEQ_LEN * HOVER_ROWS * HOVER_COLS][16];
    const char *tokens[SEQ_LEN] = {"<s>", "Hello", "Hello"};
    float stats[N_LAYERS * SEQ_LEN];
    trajplot_labels *labels = NULL;
    trajplot_labels *read_labels = NULL;
    trajplot_statistic *statistic = NULL;
    trajplot_statistic *strided = NULL;
    trajplot_statistic *clipped = NULL;
    trajplot_statistic_options options;
    trajplot_figure_options figure_options;
    char *figure = NULL;
    size_t figure_len = 0;
    size_t i;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <JSON output file> <HTML output file>\n", argv[0]);
        return 2;
    }
    CHECK(trajplot_abi_version() == TRAJPLOT_ABI_VERSION);

    for (i = 0; i < N_LAYERS * SEQ_LEN; ++i) {
        snprintf(labels_storage[i], sizeof labels_storage[i], "L%u", (unsigned)i);
        labels_text[i] = labels_storage[i];
        stats[i] = (float)i - 4.0f;
    }
    for (i = 0; i < N_LAYERS * SEQ_LEN * HOVER_ROWS * HOVER_COLS; ++i) {
        snprintf(hover_storage[i], sizeof hover_storage[i], i % 2 ? "%u%%" : "tok%u", (unsigned)i);
        hover_text[i] = hover_storage[i];
    }
    CHECK_OK(trajplot_labels_create(&labels, N_LAYERS, SEQ_LEN, labels_text, NULL, hover_text, NULL, HOVER_ROWS,
                                    HOVER_COLS));

    CHECK_OK(trajplot_statistic_options_init(&options, TRAJPLOT_STATISTIC_OPTIONS_VERSION));
    options.units = "nats";
    options.sequence_labels = tokens;
    options.trajectory_labels = labels;
    CHECK_OK(trajplot_statistic_create(&statistic, "Entropy", stats, N_LAYERS, SEQ_LEN, &options));
    /* The statistic keeps its own reference to the labels. */
    trajplot_labels_free(labels);
    labels = NULL;
    if (statistic == NULL) {
        fprintf(stderr, "cannot continue without a statistic\n");
        return 1;
    }

    /* Stride 2 of 5 layers keeps 0, 2 and the output layer. */
    CHECK_OK(trajplot_statistic_stride(&strided, statistic, 2));
    if (strided != NULL) {
        size_t n_layers = 0;
        const char *label = NULL;
        float values[3 * SEQ_LEN];
        CHECK_OK(trajplot_statistic_shape(&n_layers, NULL, strided));
        CHECK(n_layers == 3);
        CHECK_OK(trajplot_statistic_layer_label(&label, NULL, strided, 1));
        CHECK(label != NULL && strcmp(label, "2") == 0);
        CHECK_OK(trajplot_statistic_layer_label(&label, NULL, strided, 2));
        CHECK(label != NULL && strcmp(label, "output") == 0);
        CHECK_OK(trajplot_statistic_stats(values, 3 * SEQ_LEN, strided));
        CHECK(values[SEQ_LEN] == stats[2 * SEQ_LEN]);
        CHECK(values[2 * SEQ_LEN + 2] == stats[4 * SEQ_LEN + 2]);
        CHECK_OK(trajplot_statistic_trajectory_labels(&read_labels, strided));
        CHECK(read_labels != NULL);
        if (read_labels != NULL) {
            CHECK_OK(trajplot_labels_label(&label, NULL, read_labels, 1, 0));
            CHECK(label != NULL && strcmp(label, "L6") == 0);
        }
        trajplot_labels_free(read_labels);
    }

    /* Clip into [-1, 1]. */
    CHECK_OK(trajplot_statistic_clip(&clipped, statistic, -1.0f, 1.0f));
    if (clipped != NULL) {
        float values[N_LAYERS * SEQ_LEN];
        bool has_min = false, has_max = false;
        float min = 0, max = 0;
        CHECK_OK(trajplot_statistic_stats(values, N_LAYERS * SEQ_LEN, clipped));
        CHECK(values[0] == -1.0f);
        CHECK(values[4] == 0.0f);
        CHECK(values[N_LAYERS * SEQ_LEN - 1] == 1.0f);
        CHECK_OK(trajplot_statistic_range(&has_min, &min, &has_max, &max, clipped));
        CHECK(has_min && has_max && min == -1.0f && max == 1.0f);
    }

    /* Export the figure, to a string and to a file. */
    figure_options = (trajplot_figure_options)TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure_options.title = "Entropy from C";
    figure_options.colorscale = "Viridis";
    CHECK_OK(trajplot_statistic_figure_json(&figure, &figure_len, strided, &figure_options));
    CHECK(figure != NULL && strlen(figure) == figure_len);
    CHECK(contains(figure, "\"heatmap\""));
    CHECK(contains(figure, "Entropy from C"));
    CHECK(contains(figure, "Entropy (nats)"));
    CHECK(contains(figure, "&lt;s&gt;"));
    CHECK(json_number_after(figure, "\"width\"") == 200 + 80 * SEQ_LEN);
    CHECK(contains(figure, "%{customdata[3]}"));
    CHECK_OK(trajplot_statistic_write_figure_json(strided, &figure_options, argv[1]));
    {
        size_t size = 0;
        char *written = read_file(argv[1], &size);
        CHECK(written != NULL);
        CHECK(written != NULL && figure != NULL && size == figure_len && memcmp(written, figure, size) == 0);
        free(written);
    }
    trajplot_string_free(figure);

    check_html(strided, &figure_options, argv[2]);
    check_errors(statistic);

    trajplot_statistic_free(clipped);
    trajplot_statistic_free(strided);
    trajplot_statistic_free(statistic);
    trajplot_statistic_free(NULL);
    trajplot_labels_free(NULL);
    trajplot_string_free(NULL);

    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
