/*
 * Preloaded into the trajplot CLI by trajplot_bench (op cli_file), this
 * wraps trajplot_figure_create and trajplot_figure_save to measure how much
 * memory the CLI's file export itself takes, planning the figure included:
 * the resident size when the figure is made and the peak from then until
 * the file is written. From outside the process only the peak of the whole
 * run is visible, and that is usually set by parsing the spec.
 *
 * It appends "<rss_before_kb> <peak_during_kb>\n" to the file named by
 * TRAJPLOT_BENCH_PROBE_OUT.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <trajplot.h>

typedef trajplot_status (*figure_create_fn)(trajplot_figure **, const trajplot_statistic *,
                                            const trajplot_panel_options *, const trajplot_figure_options *);
typedef trajplot_status (*figure_save_fn)(const trajplot_figure *, const trajplot_export_options *, const char *);

/* The resident size when the export began, -1 before. */
static long export_start_kb = -1;

static long status_kb(const char *field) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t field_len = strlen(field);
    if (status == NULL) return -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, field, field_len) == 0 && line[field_len] == ':') {
            kb = strtol(line + field_len + 1, NULL, 10);
            break;
        }
    }
    fclose(status);
    return kb;
}

/* Lowers the peak resident size (VmHWM) to the current one (Linux 4.0+). */
static int reset_peak(void) {
    FILE *clear_refs = fopen("/proc/self/clear_refs", "w");
    int ok;
    if (clear_refs == NULL) return 0;
    ok = fputs("5", clear_refs) >= 0;
    return fclose(clear_refs) == 0 && ok;
}

static void *next_symbol(const char *name) {
    void *symbol = dlsym(RTLD_NEXT, name);
    if (symbol == NULL) {
        fprintf(stderr, "cli_probe: %s not found: %s\n", name, dlerror());
        abort();
    }
    return symbol;
}

static void start_export(void) {
    /* Memory the parser freed but malloc kept would otherwise hide the
     * export's own allocations. */
    malloc_trim(0);
    if (!reset_peak()) {
        fprintf(stderr, "cli_probe: cannot reset the peak resident size (/proc/self/clear_refs)\n");
        abort();
    }
    export_start_kb = status_kb("VmRSS");
}

__attribute__((visibility("default"))) trajplot_status trajplot_figure_create(
    trajplot_figure **out, const trajplot_statistic *statistic, const trajplot_panel_options *panel,
    const trajplot_figure_options *options) {
    figure_create_fn real = NULL;
    /* POSIX's way to turn dlsym's void * into a function pointer. */
    *(void **)&real = next_symbol("trajplot_figure_create");
    start_export();
    return real(out, statistic, panel, options);
}

__attribute__((visibility("default"))) trajplot_status trajplot_figure_save(
    const trajplot_figure *figure, const trajplot_export_options *options, const char *path) {
    figure_save_fn real = NULL;
    const char *report_path = getenv("TRAJPLOT_BENCH_PROBE_OUT");
    long peak_kb;
    trajplot_status status;
    FILE *report;
    *(void **)&real = next_symbol("trajplot_figure_save");
    /* A figure made otherwise (stacked): the save alone. */
    if (export_start_kb < 0) start_export();
    status = real(figure, options, path);
    peak_kb = status_kb("VmHWM");
    if (report_path != NULL && (report = fopen(report_path, "a")) != NULL) {
        fprintf(report, "%ld %ld\n", export_start_kb, peak_kb);
        fclose(report);
    }
    export_start_kb = -1;
    return status;
}
