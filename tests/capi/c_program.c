/*
 * The C API used from C: build a statistic with labels and hover tables,
 * stride, clip, make figures of it (alone and stacked) and export them to a
 * string, a file and a write function of our own, provoke a few errors;
 * compute entropy from a small streamed trajectory of logits and export its
 * figure; create labels from string arrays laid out as numpy and a joined
 * buffer hold them; free everything. Exits 0 only when every check passed;
 * prints each failed check.
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

/* A growing buffer that a write function appends to; it stops the export
 * (returning 7) once it holds `limit` bytes or more, when `limit` is not 0. */
struct buffer {
    char *data;
    size_t size;
    size_t capacity;
    size_t calls;
    size_t limit;
};

static int append_to_buffer(void *user, const char *data, size_t len) {
    struct buffer *buffer = (struct buffer *)user;
    ++buffer->calls;
    if (buffer->size + len + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        char *grown;
        while (capacity < buffer->size + len + 1) capacity *= 2;
        grown = (char *)realloc(buffer->data, capacity);
        if (grown == NULL) return 1;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, data, len);
    buffer->size += len;
    buffer->data[buffer->size] = '\0';
    return buffer->limit != 0 && buffer->size >= buffer->limit ? 7 : 0;
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
    const char *tokens[2] = {"a", "b"};
    trajplot_figure *figure = NULL;
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    trajplot_export_options export_options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    const trajplot_statistic *two[2];
    char *json = NULL;

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

    /* Sequence labels come with their count, which must be seq_len. */
    options = (trajplot_statistic_options)TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    CHECK(trajplot_statistic_create(&out, "x", stats, 1, 2, &options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "options->sequence_label_count"));
    options.sequence_label_count = 1;
    CHECK(trajplot_statistic_create(&out, "x", stats, 1, 2, &options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "has 1 labels"));
    CHECK(contains(trajplot_error_last(), "has 2 (seq_len)"));
    CHECK(out == NULL);

    /* Panel options are checked when the figure is made. */
    panel.colorscale = "no-such-scale";
    CHECK(trajplot_figure_create(&figure, statistic, &panel, NULL) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "no-such-scale"));
    CHECK(figure == NULL);
    figure_options.token_width = 0;
    CHECK(trajplot_figure_create(&figure, statistic, NULL, &figure_options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "token_width"));
    CHECK(figure == NULL);

    /* A stacked figure has no single trace; export options are checked by
     * each export. */
    two[0] = statistic;
    two[1] = statistic;
    CHECK_OK(trajplot_figure_create_stacked(&figure, two, NULL, 2, NULL));
    export_options.format = TRAJPLOT_FORMAT_TRACE_JSON;
    CHECK(trajplot_figure_export(&json, NULL, figure, &export_options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "stacked"));
    export_options.format = 6;
    CHECK(trajplot_figure_export(&json, NULL, figure, &export_options) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "options->format"));
    CHECK(json == NULL);
    trajplot_figure_free(figure);

    trajplot_error_clear();
    CHECK(strcmp(trajplot_error_last(), "") == 0);
    CHECK(trajplot_error_last_status() == TRAJPLOT_OK);
}

/* An HTML page for a page that loads plotly.js itself, to a string, to a
 * file and through a write function: the same bytes. */
/* String arrays as other languages hold them: a numpy-style fixed-width
 * UTF-32 array for the cells and one UTF-8 buffer with offsets for the
 * hover tables give the labels pointer arrays give. */
static void check_string_layouts(void) {
    /* ["a", "\u0394x", "\U0001F642"] as numpy's U2: U+0000 pads each string. */
    static const uint32_t cells[3 * 2] = {'a', 0, 0x394, 'x', 0x1F642, 0};
    static const char hover_bytes[] = "tok\xCE\x94" "12%" "<s>" "" "\xF0\x9F\x99\x82" "9%";
    static const uint64_t hover_offsets[3 * 2 + 1] = {0, 5, 8, 11, 11, 15, 17};
    static const char *const cell_pointers[3] = {"a", "\xCE\x94x", "\xF0\x9F\x99\x82"};
    static const char *const hover_pointers[3 * 2] = {"tok\xCE\x94", "12%", "<s>", "", "\xF0\x9F\x99\x82", "9%"};
    uint64_t bad_offsets[3 * 2 + 1];
    trajplot_strings cell_strings = TRAJPLOT_STRINGS_INIT;
    trajplot_strings hover_strings;
    trajplot_labels *from_layouts = NULL;
    trajplot_labels *from_pointers = NULL;
    trajplot_labels *refused = NULL;
    char *template_text[2] = {NULL, NULL};
    char *customdata[2] = {NULL, NULL};
    const char *text = NULL;
    size_t len = 0;

    cell_strings.layout = TRAJPLOT_STRINGS_UTF32;
    cell_strings.count = 3;
    cell_strings.data = cells;
    cell_strings.width = 2;
    CHECK_OK(trajplot_strings_init(&hover_strings, TRAJPLOT_STRINGS_VERSION));
    hover_strings.layout = TRAJPLOT_STRINGS_UTF8_OFFSETS;
    hover_strings.count = 3 * 2;
    hover_strings.data = hover_bytes;
    hover_strings.offsets = hover_offsets;
    hover_strings.data_len = sizeof hover_bytes - 1;
    CHECK_OK(trajplot_labels_create_from_strings(&from_layouts, 1, 3, &cell_strings, &hover_strings, 1, 2));
    CHECK_OK(trajplot_labels_create(&from_pointers, 1, 3, cell_pointers, NULL, hover_pointers, NULL, 1, 2));
    if (from_layouts != NULL && from_pointers != NULL) {
        CHECK_OK(trajplot_labels_label(&text, &len, from_layouts, 0, 2));
        CHECK(len == 4 && strcmp(text, "\xF0\x9F\x99\x82") == 0);
        CHECK_OK(trajplot_labels_hover_entry(&text, &len, from_layouts, 0, 1, 0, 1));
        CHECK(len == 0 && strcmp(text, "") == 0);
        CHECK_OK(trajplot_labels_template_and_customdata(&template_text[0], NULL, &customdata[0], NULL,
                                                          from_layouts, 10));
        CHECK_OK(trajplot_labels_template_and_customdata(&template_text[1], NULL, &customdata[1], NULL,
                                                          from_pointers, 10));
        CHECK(template_text[0] != NULL && template_text[1] != NULL &&
              strcmp(template_text[0], template_text[1]) == 0);
        CHECK(customdata[0] != NULL && customdata[1] != NULL && strcmp(customdata[0], customdata[1]) == 0);
        CHECK(contains(customdata[0], "\"  <s>\""));
    }
    /* Offsets that go back are refused, naming the descriptor's field. */
    memcpy(bad_offsets, hover_offsets, sizeof bad_offsets);
    bad_offsets[3] = 1;
    hover_strings.offsets = bad_offsets;
    CHECK(trajplot_labels_create_from_strings(&refused, 1, 3, &cell_strings, &hover_strings, 1, 2) ==
          TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "hover_entries->offsets[3] is 1"));
    CHECK(refused == NULL);

    trajplot_string_free(template_text[0]);
    trajplot_string_free(template_text[1]);
    trajplot_string_free(customdata[0]);
    trajplot_string_free(customdata[1]);
    trajplot_labels_free(from_layouts);
    trajplot_labels_free(from_pointers);
}

static void check_html(const trajplot_figure *figure, const char *path) {
    trajplot_export_options html;
    char *page = NULL;
    size_t page_len = 0;
    char *written = NULL;
    size_t written_len = 0;
    struct buffer streamed = {NULL, 0, 0, 0, 0};

    CHECK_OK(trajplot_export_options_init(&html, TRAJPLOT_EXPORT_OPTIONS_VERSION));
    CHECK(html.format == TRAJPLOT_FORMAT_FIGURE_JSON);
    CHECK(html.plotlyjs == TRAJPLOT_PLOTLYJS_LOCAL);
    html.format = TRAJPLOT_FORMAT_HTML;
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    html.div_id = "c-figure";
    CHECK_OK(trajplot_figure_export(&page, &page_len, figure, &html));
    CHECK(page != NULL && strlen(page) == page_len);
    CHECK(contains(page, "<div id=\"c-figure\""));
    CHECK(contains(page, "getElementById(\"c-figure\")"));
    CHECK(contains(page, "<title>Entropy from C</title>"));
    CHECK(!contains(page, "cdn.plot.ly"));
    CHECK(!contains(page, "<script src"));

    CHECK_OK(trajplot_figure_save(figure, &html, path));
    written = read_file(path, &written_len);
    CHECK(written != NULL);
    CHECK(written != NULL && page != NULL && written_len == page_len && memcmp(written, page, page_len) == 0);
    free(written);

    CHECK_OK(trajplot_figure_stream(figure, &html, append_to_buffer, &streamed));
    CHECK(streamed.calls >= 1);
    CHECK(page != NULL && streamed.size == page_len && memcmp(streamed.data, page, page_len) == 0);
    free(streamed.data);
    trajplot_string_free(page);

    html.plotlyjs = 5;
    page = NULL;
    CHECK(trajplot_figure_export(&page, NULL, figure, &html) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "options->plotlyjs"));
    CHECK(page == NULL);
}

#define LENS_LAYERS 3
#define LENS_SEQ_LEN 2
#define LENS_VOCAB 4

/* The entropy of softmax(logits) in nats, computed in double:
 * log(sum e) - sum(e * (x - max)) / sum e, with e = exp(x - max). */
static double softmax_entropy(const float *logits, size_t n) {
    double max = logits[0], sum = 0.0, weighted = 0.0;
    size_t i;
    for (i = 1; i < n; ++i) {
        if (logits[i] > max) max = logits[i];
    }
    for (i = 0; i < n; ++i) {
        const double e = exp(logits[i] - max);
        sum += e;
        weighted += e * (logits[i] - max);
    }
    return log(sum) - weighted / sum;
}

static double softmax_probability(const float *logits, size_t n, size_t id) {
    double max = logits[0], sum = 0.0;
    size_t i;
    for (i = 1; i < n; ++i) {
        if (logits[i] > max) max = logits[i];
    }
    for (i = 0; i < n; ++i) sum += exp(logits[i] - max);
    return exp(logits[id] - max) / sum;
}

static int same_text(const char *text, const char *expected) {
    return text != NULL && strcmp(text, expected) == 0;
}

/* A lens's logits for 3 layers (the last the model's output) of 2 positions
 * over 4 tokens, streamed one layer at a time, output layer first; the
 * entropy statistic checked against softmax_entropy, then drawn. */
static void check_lens(void) {
    /* "\u0120Hello" and "\u010A", the byte-level BPE markers of a space and
     * a newline, shown as "_Hello" and "\\n". */
    const char *tokens[LENS_VOCAB] = {"\xC4\xA0Hello", "\xC4\x8A", "world", "!"};
    const int64_t input_ids[LENS_SEQ_LEN] = {0, 2};
    const float logits[LENS_LAYERS][LENS_SEQ_LEN][LENS_VOCAB] = {
        {{2.0f, 0.5f, 0.1f, -1.0f}, {0.0f, 0.3f, 1.0f, 0.2f}},
        {{1.0f, 1.5f, 0.0f, 0.2f}, {0.1f, 0.0f, 3.0f, -0.5f}},
        {{0.0f, 4.0f, 0.5f, 0.1f}, {-1.0f, 0.2f, 0.4f, 2.5f}},
    };
    /* The most likely token of each cell, formatted. */
    const char *top_tokens[LENS_LAYERS][LENS_SEQ_LEN] = {{"_Hello", "world"}, {"\\n", "world"}, {"\\n", "!"}};
    const char *layer_names[LENS_LAYERS] = {"0", "1", "output"};
    const size_t order[LENS_LAYERS] = {2, 0, 1};
    trajplot_vocabulary *vocabulary = NULL;
    trajplot_trajectory_options options;
    trajplot_trajectory *trajectory = NULL;
    trajplot_statistic *entropy = NULL;
    trajplot_statistic *cross_entropy = NULL;
    trajplot_labels *labels = NULL;
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    trajplot_figure *entropy_figure = NULL;
    char *figure = NULL;
    int measure = -1;
    bool complete = true;
    size_t i, layer, position;

    CHECK_OK(trajplot_measure_from_name(&measure, "entropy"));
    CHECK(measure == TRAJPLOT_MEASURE_ENTROPY);
    CHECK(same_text(trajplot_measure_name(TRAJPLOT_MEASURE_FORWARD_KL), "forward_kl"));
    CHECK(trajplot_measure_from_name(&measure, "Entropy") == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "max_probability"));
    CHECK(trajplot_measure_is_comparison(TRAJPLOT_MEASURE_JS_DIVERGENCE));
    CHECK(!trajplot_measure_is_comparison(TRAJPLOT_MEASURE_RANK));

    CHECK_OK(trajplot_vocabulary_create(&vocabulary, tokens, NULL, LENS_VOCAB));
    CHECK_OK(trajplot_trajectory_options_init(&options, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION));
    options.values = TRAJPLOT_VALUES_LOGITS;
    options.vocabulary = vocabulary;
    CHECK_OK(trajplot_trajectory_create(&trajectory, 1, LENS_LAYERS, LENS_SEQ_LEN, LENS_VOCAB, input_ids, NULL, NULL,
                                        &options));
    /* The trajectory keeps its own reference to the vocabulary. */
    trajplot_vocabulary_free(vocabulary);
    if (trajectory == NULL) {
        fprintf(stderr, "cannot continue without a trajectory\n");
        ++failures;
        return;
    }

    /* With forward KL (the default) a layer before the output is refused. */
    CHECK(trajplot_trajectory_add(trajectory, 0, 0, &logits[0][0][0], LENS_SEQ_LEN * LENS_VOCAB) == TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "output layer"));
    for (i = 0; i < LENS_LAYERS; ++i) {
        CHECK_OK(trajplot_trajectory_complete(&complete, trajectory));
        CHECK(!complete);
        CHECK_OK(trajplot_trajectory_add(trajectory, 0, order[i], &logits[order[i]][0][0], LENS_SEQ_LEN * LENS_VOCAB));
    }
    CHECK_OK(trajplot_trajectory_complete(&complete, trajectory));
    CHECK(complete);

    /* Cross entropy needs targets, which were not given. */
    CHECK(trajplot_trajectory_statistic(&cross_entropy, trajectory, TRAJPLOT_MEASURE_CROSS_ENTROPY, 0) ==
          TRAJPLOT_EINVAL);
    CHECK(contains(trajplot_error_last(), "targets"));
    CHECK(cross_entropy == NULL);

    CHECK_OK(trajplot_trajectory_statistic(&entropy, trajectory, TRAJPLOT_MEASURE_ENTROPY, 0));
    /* The statistic outlives its trajectory. */
    trajplot_trajectory_free(trajectory);
    if (entropy == NULL) {
        fprintf(stderr, "cannot continue without the entropy statistic\n");
        ++failures;
        return;
    }
    {
        float values[LENS_LAYERS * LENS_SEQ_LEN];
        const char *text = NULL;
        size_t n_layers = 0, seq_len = 0;
        CHECK_OK(trajplot_statistic_shape(&n_layers, &seq_len, entropy));
        CHECK(n_layers == LENS_LAYERS && seq_len == LENS_SEQ_LEN);
        CHECK_OK(trajplot_statistic_stats(values, LENS_LAYERS * LENS_SEQ_LEN, entropy));
        for (layer = 0; layer < LENS_LAYERS; ++layer) {
            for (position = 0; position < LENS_SEQ_LEN; ++position) {
                const double expected = softmax_entropy(logits[layer][position], LENS_VOCAB);
                CHECK(fabs(values[layer * LENS_SEQ_LEN + position] - expected) <= 1e-5 * expected);
            }
            CHECK_OK(trajplot_statistic_layer_label(&text, NULL, entropy, layer));
            CHECK(same_text(text, layer_names[layer]));
        }
        CHECK_OK(trajplot_statistic_name(&text, entropy));
        CHECK(same_text(text, "Entropy"));
        CHECK_OK(trajplot_statistic_units(&text, entropy));
        CHECK(same_text(text, "nats"));
        CHECK_OK(trajplot_statistic_sequence_label(&text, NULL, entropy, 0));
        CHECK(same_text(text, "_Hello"));
        CHECK_OK(trajplot_statistic_sequence_label(&text, NULL, entropy, 1));
        CHECK(same_text(text, "world"));
    }

    /* Each cell's label is its most likely token, with a hover table of the
     * tokens and their probabilities, "xx.xx%". */
    CHECK_OK(trajplot_statistic_trajectory_labels(&labels, entropy));
    CHECK(labels != NULL);
    if (labels != NULL) {
        const char *text = NULL;
        size_t rows = 0, cols = 0;
        CHECK_OK(trajplot_labels_shape(NULL, NULL, &rows, &cols, labels));
        CHECK(rows == LENS_VOCAB && cols == 2);
        for (layer = 0; layer < LENS_LAYERS; ++layer) {
            for (position = 0; position < LENS_SEQ_LEN; ++position) {
                CHECK_OK(trajplot_labels_label(&text, NULL, labels, layer, position));
                CHECK(same_text(text, top_tokens[layer][position]));
                CHECK_OK(trajplot_labels_hover_entry(&text, NULL, labels, layer, position, 0, 0));
                CHECK(same_text(text, top_tokens[layer][position]));
            }
        }
        /* Layer 2, position 0: token 1 at softmax probability p. */
        CHECK_OK(trajplot_labels_hover_entry(&text, NULL, labels, 2, 0, 0, 1));
        CHECK(text != NULL && text[strlen(text) - 1] == '%' && strchr(text, '.') != NULL &&
              strlen(strchr(text, '.')) == 4);
        CHECK(text != NULL &&
              fabs(strtod(text, NULL) - 100.0 * softmax_probability(logits[2][0], LENS_VOCAB, 1)) <= 0.0051);
    }
    trajplot_labels_free(labels);

    figure_options.title = "Entropy of a lens";
    CHECK_OK(trajplot_figure_create(&entropy_figure, entropy, NULL, &figure_options));
    /* The figure keeps its own reference to the statistic. */
    trajplot_statistic_free(entropy);
    entropy = NULL;
    CHECK_OK(trajplot_figure_export(&figure, NULL, entropy_figure, NULL));
    trajplot_figure_free(entropy_figure);
    CHECK(contains(figure, "\"heatmap\""));
    CHECK(contains(figure, "Entropy (nats)"));
    CHECK(contains(figure, "\"y\":[\"0\",\"1\",\"output\"]"));
    CHECK(contains(figure, "\"x\":[\"_Hello\",\"world\"]"));
    CHECK(contains(figure, "\"text\":[[\"_Hello\",\"world\"],[\"\\\\n\",\"world\"],[\"\\\\n\",\"!\"]]"));
    trajplot_string_free(figure);
    trajplot_statistic_free(entropy);
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
    trajplot_panel_options panel;
    trajplot_figure_options figure_options;
    trajplot_export_options export_options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    trajplot_figure *strided_figure = NULL;
    trajplot_figure *stacked_figure = NULL;
    char *figure = NULL;
    size_t figure_len = 0;
    char *trace = NULL;
    char *truncated = NULL;
    size_t truncated_len = 0;
    size_t i;

    if (argc != 3) {
        fprintf(stderr, "usage: %s <JSON output file> <HTML output file>\n", argv[0]);
        return 2;
    }
    CHECK(trajplot_abi_version() == TRAJPLOT_ABI_VERSION);
    CHECK(trajplot_abi_version() == 2);
    CHECK(trajplot_default_threads() >= 1);

    /* A byte length: the string may hold NUL bytes. */
    CHECK_OK(trajplot_trunc_string_left(&truncated, &truncated_len, "ab\0cd", 5, 4));
    CHECK(truncated != NULL && truncated_len == 4 && memcmp(truncated, "b\0cd", 5) == 0);
    trajplot_string_free(truncated);
    CHECK_OK(trajplot_trunc_string_left(&truncated, &truncated_len, "xyz", 2, 4));
    CHECK(truncated != NULL && truncated_len == 4 && strcmp(truncated, "  xy") == 0);
    trajplot_string_free(truncated);

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
    options.sequence_label_count = SEQ_LEN;
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

    /* The figure of the strided statistic, exported to a string, a file and
     * a write function. */
    CHECK_OK(trajplot_panel_options_init(&panel, TRAJPLOT_PANEL_OPTIONS_VERSION));
    panel.colorscale = "Viridis";
    CHECK_OK(trajplot_figure_options_init(&figure_options, TRAJPLOT_FIGURE_OPTIONS_VERSION));
    figure_options.title = "Entropy from C";
    CHECK_OK(trajplot_figure_create(&strided_figure, strided, &panel, &figure_options));
    if (strided_figure == NULL) {
        fprintf(stderr, "cannot continue without a figure\n");
        return 1;
    }
    {
        bool stacked = true;
        size_t panels = 0;
        CHECK_OK(trajplot_figure_shape(&stacked, &panels, strided_figure));
        CHECK(!stacked && panels == 1);
    }
    CHECK_OK(trajplot_figure_export(&figure, &figure_len, strided_figure, NULL));
    CHECK(figure != NULL && strlen(figure) == figure_len);
    CHECK(contains(figure, "\"heatmap\""));
    CHECK(contains(figure, "Entropy from C"));
    CHECK(contains(figure, "Entropy (nats)"));
    CHECK(contains(figure, "&lt;s&gt;"));
    CHECK(contains(figure, "#440154"));
    CHECK(json_number_after(figure, "\"width\"") == 200 + 80 * SEQ_LEN);
    CHECK(contains(figure, "%{customdata[3]}"));
    CHECK_OK(trajplot_figure_save(strided_figure, NULL, argv[1]));
    {
        size_t size = 0;
        char *written = read_file(argv[1], &size);
        CHECK(written != NULL);
        CHECK(written != NULL && figure != NULL && size == figure_len && memcmp(written, figure, size) == 0);
        free(written);
    }
    {
        struct buffer streamed = {NULL, 0, 0, 0, 0};
        struct buffer stopped = {NULL, 0, 0, 0, 1};
        CHECK_OK(trajplot_figure_stream(strided_figure, NULL, append_to_buffer, &streamed));
        CHECK(figure != NULL && streamed.size == figure_len && memcmp(streamed.data, figure, figure_len) == 0);
        /* A nonzero return stops the export. */
        CHECK(trajplot_figure_stream(strided_figure, NULL, append_to_buffer, &stopped) == TRAJPLOT_EIO);
        CHECK(contains(trajplot_error_last(), "returned 7"));
        CHECK(stopped.calls == 1);
        free(streamed.data);
        free(stopped.data);
    }
    /* The trace alone is the figure's only trace. */
    export_options.format = TRAJPLOT_FORMAT_TRACE_JSON;
    CHECK_OK(trajplot_figure_export(&trace, NULL, strided_figure, &export_options));
    CHECK(trace != NULL && figure != NULL && contains(figure, trace));
    trajplot_string_free(trace);
    trajplot_string_free(figure);
    figure = NULL;

    check_html(strided_figure, argv[2]);
    trajplot_figure_free(strided_figure);

    /* Stacked: the statistic, then the clipped one with its panel options;
     * a NULL entry is the defaults. The figure outlives the statistics. */
    {
        const trajplot_statistic *panels_statistics[2];
        const trajplot_panel_options *panels[2];
        trajplot_panel_options clipped_panel = TRAJPLOT_PANEL_OPTIONS_INIT;
        bool stacked = false;
        size_t count = 0;
        trajplot_statistic *doomed = NULL;
        clipped_panel.title = "Clipped";
        clipped_panel.version = 9;
        panels_statistics[0] = statistic;
        panels_statistics[1] = clipped;
        panels[0] = NULL;
        panels[1] = &clipped_panel;
        CHECK(trajplot_figure_create_stacked(&stacked_figure, panels_statistics, panels, 2, NULL) ==
              TRAJPLOT_EINVAL);
        CHECK(contains(trajplot_error_last(), "panels[1]->version is 9"));
        CHECK(stacked_figure == NULL);
        clipped_panel.version = TRAJPLOT_PANEL_OPTIONS_VERSION;
        CHECK_OK(trajplot_statistic_clip(&doomed, statistic, -2.0f, 2.0f));
        panels_statistics[1] = doomed;
        CHECK_OK(trajplot_figure_create_stacked(&stacked_figure, panels_statistics, panels, 2, NULL));
        trajplot_statistic_free(doomed);
        CHECK_OK(trajplot_figure_shape(&stacked, &count, stacked_figure));
        CHECK(stacked && count == 2);
        CHECK_OK(trajplot_figure_export(&figure, NULL, stacked_figure, NULL));
        CHECK(contains(figure, "\"yaxis2\""));
        CHECK(contains(figure, "\"text\":\"Entropy\""));
        CHECK(contains(figure, "\"text\":\"Clipped\""));
        trajplot_string_free(figure);
        trajplot_figure_free(stacked_figure);
    }

    check_errors(statistic);
    check_string_layouts();
    check_lens();

    trajplot_statistic_free(clipped);
    trajplot_statistic_free(strided);
    trajplot_statistic_free(statistic);
    trajplot_statistic_free(NULL);
    trajplot_figure_free(NULL);
    trajplot_labels_free(NULL);
    trajplot_vocabulary_free(NULL);
    trajplot_trajectory_free(NULL);
    trajplot_comparison_free(NULL);
    trajplot_string_free(NULL);

    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
