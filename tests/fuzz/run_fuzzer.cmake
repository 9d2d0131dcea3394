# Runs a libFuzzer harness for ctest (see tests/fuzz/CMakeLists.txt):
#   cmake -DMODE=regression -DHARNESS=... -DCORPUS=... -DWORK_DIR=... -P run_fuzzer.cmake
#     runs the harness once on every file of CORPUS;
#   cmake -DMODE=fuzz -DHARNESS=... -DCORPUS=... -DWORK_DIR=... -DSECONDS=... -P run_fuzzer.cmake
#     fuzzes for SECONDS from WORK_DIR/corpus (CORPUS's files are copied in
#     first) and saves what it finds in WORK_DIR/findings/.
# DICTIONARY, a libFuzzer dictionary, is used when the file exists; LOCPATH,
# a directory of locales, is passed on. CORPUS, in the source tree, is only
# ever read.
foreach(variable IN ITEMS MODE HARNESS CORPUS WORK_DIR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_fuzzer.cmake needs -D${variable}=...")
  endif()
endforeach()

# UndefinedBehaviorSanitizer reports come with a stack trace too.
if(DEFINED ENV{UBSAN_OPTIONS})
  set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:$ENV{UBSAN_OPTIONS}")
else()
  set(ENV{UBSAN_OPTIONS} "print_stacktrace=1")
endif()

if(DEFINED LOCPATH)
  set(ENV{LOCPATH} "${LOCPATH}")
endif()

# The harnesses make their scratch directories under TMPDIR and remove them
# at exit, which a crash skips: keep those in the build tree, emptied here.
set(scratch "${WORK_DIR}/scratch-${MODE}")
file(REMOVE_RECURSE "${scratch}")
file(MAKE_DIRECTORY "${scratch}")
set(ENV{TMPDIR} "${scratch}")

# An input that takes 30 s, or a process above 2 GiB, is a finding too.
set(options -timeout=30 -rss_limit_mb=2048)
if(DEFINED DICTIONARY AND EXISTS "${DICTIONARY}")
  list(APPEND options -dict=${DICTIONARY})
endif()

file(GLOB seeds LIST_DIRECTORIES false "${CORPUS}/*")
list(SORT seeds)
if(NOT seeds)
  message(FATAL_ERROR "${CORPUS} holds no inputs")
endif()
get_filename_component(harness_name "${HARNESS}" NAME)

if(MODE STREQUAL "regression")
  # Given files rather than a directory, libFuzzer runs each once and stops.
  execute_process(COMMAND "${HARNESS}" ${options} ${seeds} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${harness_name} failed (${result}) on an input of ${CORPUS}: the last \"Running:\" line above names it")
  endif()
elseif(MODE STREQUAL "fuzz")
  foreach(variable IN ITEMS SECONDS)
    if(NOT DEFINED ${variable})
      message(FATAL_ERROR "run_fuzzer.cmake -DMODE=fuzz needs -D${variable}=...")
    endif()
  endforeach()
  set(working_corpus "${WORK_DIR}/corpus")
  set(findings "${WORK_DIR}/findings")
  file(MAKE_DIRECTORY "${working_corpus}" "${findings}")
  file(COPY ${seeds} DESTINATION "${working_corpus}")
  execute_process(
    COMMAND "${HARNESS}" ${options} -max_total_time=${SECONDS} -print_final_stats=1
            "-artifact_prefix=${findings}/" "${working_corpus}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${harness_name} found a failing input (${result}), saved in ${findings}/ (the output "
                        "above names the file). Reproduce it with: ${HARNESS} FILE; once understood, copy it "
                        "into ${CORPUS}/ (tests/fuzz/README.md)")
  endif()
else()
  message(FATAL_ERROR "MODE must be regression or fuzz, got '${MODE}'")
endif()
