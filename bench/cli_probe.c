/*
 * Preloaded into the trajplot CLI by trajplot_bench (op cli_file), this
 * wraps trajplot_statistic_write_figure_json to measure how much memory the
 * CLI's file export itself takes: the resident size when the export starts
 * and the peak during it. From outside the process only the peak of the
 * whole run is visible, and that is usually set by parsing the spec.
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

typedef trajplot_status (*write_figure_json_fn)(const trajplot_statistic *, const trajplot_figure_options *,
                                                const char *);

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

__attribute__((visibility("default"))) trajplot_status trajplot_statistic_write_figure_json(
    const trajplot_statistic *statistic, const trajplot_figure_options *options, const char *path) {
    write_figure_json_fn real = NULL;
    const char *report_path = getenv("TRAJPLOT_BENCH_PROBE_OUT");
    long before_kb;
    long peak_kb;
    trajplot_status status;
    FILE *report;
    /* POSIX's way to turn dlsym's void * into a function pointer. */
    *(void **)&real = dlsym(RTLD_NEXT, "trajplot_statistic_write_figure_json");
    if (real == NULL) {
        fprintf(stderr, "cli_probe: trajplot_statistic_write_figure_json not found: %s\n", dlerror());
        abort();
    }
    /* Memory the parser freed but malloc kept would otherwise hide the
     * export's own allocations. */
    malloc_trim(0);
    if (!reset_peak()) {
        fprintf(stderr, "cli_probe: cannot reset the peak resident size (/proc/self/clear_refs)\n");
        abort();
    }
    before_kb = status_kb("VmRSS");
    status = real(statistic, options, path);
    peak_kb = status_kb("VmHWM");
    if (report_path != NULL && (report = fopen(report_path, "a")) != NULL) {
        fprintf(report, "%ld %ld\n", before_kb, peak_kb);
        fclose(report);
    }
    return status;
}
