/* A library that claims another trajplot ABI, for the test that the Python
 * package refuses to use it. */
#if defined(__GNUC__)
#  define EXPORTED __attribute__((visibility("default")))
#else
#  define EXPORTED
#endif

EXPORTED int trajplot_abi_version(void) { return 1; }
