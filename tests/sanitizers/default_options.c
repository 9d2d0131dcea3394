/* The sanitizer runtimes' options for every program built with
 * TRAJPLOT_SANITIZE: the top-level CMakeLists.txt links this file into each
 * executable. ASAN_OPTIONS, UBSAN_OPTIONS and TSAN_OPTIONS in the
 * environment still override any of them.
 *
 * exitcode=99 everywhere: a report ends the program with a status that no
 * trajplot program uses (the CLI's errors exit with 1 and 2), so that a
 * report on a path expected to fail cannot pass for that failure. UBSan
 * keeps a copy of the flag of its own, hence its separate string. */

#define TRAJPLOT_RUNTIME_OPTIONS __attribute__((visibility("default"), used))

TRAJPLOT_RUNTIME_OPTIONS const char *__asan_default_options(void);
TRAJPLOT_RUNTIME_OPTIONS const char *__ubsan_default_options(void);
TRAJPLOT_RUNTIME_OPTIONS const char *__tsan_default_options(void);
TRAJPLOT_RUNTIME_OPTIONS const char *__lsan_default_options(void);
TRAJPLOT_RUNTIME_OPTIONS const char *__lsan_default_suppressions(void);
TRAJPLOT_RUNTIME_OPTIONS const char *__tsan_default_suppressions(void);

const char *__asan_default_options(void) {
    return "exitcode=99"
           /* A local used after its function returned, too. */
           ":detect_stack_use_after_return=1"
           /* A static initialiser reading a global of another file that is
              not initialised yet. */
           ":check_initialization_order=1:strict_init_order=1";
}

const char *__ubsan_default_options(void) {
    return "exitcode=99:print_stacktrace=1";
}

const char *__tsan_default_options(void) {
    /* Stop at the first race, as the other sanitizers do. */
    return "exitcode=99:halt_on_error=1:second_deadlock_stack=1";
}

/* fontconfig (under Pango, which draws PNG and PDF text) links the values
 * of its patterns by offsets rather than pointers, so LeakSanitizer cannot
 * see that the caches it keeps for the process still reach them. The same
 * list is lsan_suppressions.txt, for programs built elsewhere. */
/* A program whose leaks were all suppressed would otherwise print the
 * suppressions' statistics on standard error at exit, which the CLI tests
 * read as the program's own output. */
const char *__lsan_default_options(void) {
    return "print_suppressions=0";
}

const char *__lsan_default_suppressions(void) {
    return "leak:libfontconfig.so\n";
}

/* Pango starts threads of its own (fontconfig's initialisation, font
 * matching) and GLib orders them with futexes the thread sanitizer does
 * not intercept, so it reports races inside those uninstrumented libraries
 * that their locks in fact prevent. trajplot itself draws text under one
 * mutex (src/figures/image_cairo.cpp). */
const char *__tsan_default_suppressions(void) {
    return "race:libfontconfig.so\n"
           "race:libpango-1.0.so\n"
           "race:libpangoft2-1.0.so\n"
           "race:libglib-2.0.so\n";
}
