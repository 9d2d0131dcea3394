"""Tests of scripts/describe_capi.py, the description of the C API that the
bindings' checks read: a sample header with every construct the script
must read, declarations it must refuse (naming the line), and the real
header, every function of which it must describe.

Run: /usr/bin/python3 -m unittest -v test_describe_capi (from tests/capi),
with TRAJPLOT_CAPI_DESCRIPTION set to the build's description to check that
it is up to date (CTest sets it).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
SCRIPT = os.path.join(SOURCE, "scripts", "describe_capi.py")
REAL_HEADER = os.path.join(SOURCE, "capi", "trajplot.h")
sys.path.insert(0, os.path.dirname(SCRIPT))

import describe_capi  # noqa: E402

SAMPLE = textwrap.dedent("""\
    /* sample.h - every construct of trajplot.h's style.
     * TRAJPLOT_API int not_a_function(void);   (in a comment) */
    #ifndef SAMPLE_H
    #define SAMPLE_H

    #include <stdbool.h>
    #include <stddef.h>

    #if defined(_WIN32) && defined(TRAJPLOT_SHARED)
    #  if defined(TRAJPLOT_BUILD)
    #    define TRAJPLOT_API __declspec(dllexport)
    #  else
    #    define TRAJPLOT_API __declspec(dllimport)
    #  endif
    #elif defined(__GNUC__) && defined(TRAJPLOT_BUILD)
    #  define TRAJPLOT_API __attribute__((visibility("default")))
    #else
    #  define TRAJPLOT_API
    #endif
    #define TRAJPLOT_DEPRECATED(message) __attribute__((deprecated(message)))

    #ifdef __cplusplus
    extern "C" {
    #endif

    #define TRAJPLOT_VERSION_MAJOR 1   /* release */
    #define TRAJPLOT_ABI_VERSION 3
    #define TRAJPLOT_FLAG_LOUD 4u      // a flag
    #define TRAJPLOT_FLAG_MASK (0x10 | TRAJPLOT_FLAG_LOUD)
    #define TRAJPLOT_NAME "thing\\u2026" "s"
    #define TRAJPLOT_SCALE 0.5f
    #define TRAJPLOT_LABEL_MAX 16

    typedef struct trajplot_thing trajplot_thing;
    typedef unsigned int trajplot_flags;

    typedef enum trajplot_shade {
        TRAJPLOT_SHADE_LIGHT,            /* 0 */
        TRAJPLOT_SHADE_DARK,             /* 1 */
        TRAJPLOT_SHADE_NEON = 1 << 3,
        TRAJPLOT_SHADE_UV,               /* 9 */
        TRAJPLOT_SHADE_DEEP = -TRAJPLOT_FLAG_LOUD,
        TRAJPLOT_SHADE_NEXT,             /* -3 */
    } trajplot_shade;

    /* Options: */
    typedef struct trajplot_thing_options {
        unsigned int version;            /* TRAJPLOT_ABI_VERSION */
        const char *const *names;        /* const pointers */
        char const *title;               /* the same as const char * */
        float min, *max;
        char label[TRAJPLOT_LABEL_MAX];
        int (*callback)(void *user, size_t n);
        const struct trajplot_thing *parent;
        bool enabled;
    } trajplot_thing_options;

    #define TRAJPLOT_THING_OPTIONS_INIT \\
        { TRAJPLOT_ABI_VERSION, NULL, NULL, 0.0f, NULL, \\
          "", NULL, /* parent */ NULL, (bool)1 }

    typedef int (*trajplot_write_fn)(void *user, const char *data, size_t len);

    /* A multi-line prototype
     * with comments. */
    TRAJPLOT_API int trajplot_count(void);

    TRAJPLOT_API trajplot_shade trajplot_thing_create(
        trajplot_thing **out,     /* out first */
        const char *const *names, const size_t *lengths,
        const float values[], size_t
        count);

    TRAJPLOT_API TRAJPLOT_DEPRECATED("use trajplot_count") const char *
    trajplot_thing_name(const trajplot_thing *thing);

    TRAJPLOT_API void trajplot_thing_stream(trajplot_thing *thing, trajplot_write_fn write, void *user,
                                            void (*done)(void *));
    extern TRAJPLOT_API unsigned long long trajplot_thing_size(const trajplot_thing *, unsigned int);

    #ifdef __cplusplus
    }
    #endif

    #endif /* SAMPLE_H */
    """)


def line_of(text, fragment):
    index = text.index(fragment)
    return text.count("\n", 0, index) + 1


def by_name(items):
    return {item["name"]: item for item in items}


class Sample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.description = describe_capi.describe(SAMPLE, "sample.h")

    def test_top_level_keys_in_a_fixed_order(self):
        self.assertEqual(list(self.description), ["format", "header", "constants", "initializers",
                                                  "opaque_types", "aliases", "function_pointers", "enums",
                                                  "structs", "functions"])
        self.assertEqual(self.description["header"], "sample.h")

    def test_constants(self):
        constants = [(item["name"], item["value"]) for item in self.description["constants"]]
        self.assertEqual(constants, [("TRAJPLOT_VERSION_MAJOR", 1), ("TRAJPLOT_ABI_VERSION", 3),
                                     ("TRAJPLOT_FLAG_LOUD", 4), ("TRAJPLOT_FLAG_MASK", 0x14),
                                     ("TRAJPLOT_NAME", "thing\u2026s"), ("TRAJPLOT_SCALE", 0.5),
                                     ("TRAJPLOT_LABEL_MAX", 16)])
        self.assertEqual(by_name(self.description["constants"])["TRAJPLOT_ABI_VERSION"]["line"],
                         line_of(SAMPLE, "#define TRAJPLOT_ABI_VERSION"))

    def test_export_and_attribute_macros_are_not_constants(self):
        names = {item["name"] for item in self.description["constants"]}
        self.assertNotIn("TRAJPLOT_API", names)
        self.assertNotIn("SAMPLE_H", names)
        self.assertNotIn("TRAJPLOT_DEPRECATED", names)

    def test_initializer_values_as_written(self):
        initializer = by_name(self.description["initializers"])["TRAJPLOT_THING_OPTIONS_INIT"]
        self.assertEqual(initializer["values"], ["TRAJPLOT_ABI_VERSION", "NULL", "NULL", "0.0f", "NULL", '""', "NULL",
                                                 "NULL", "(bool)1"])
        self.assertEqual(initializer["line"], line_of(SAMPLE, "#define TRAJPLOT_THING_OPTIONS_INIT"))

    def test_opaque_types_and_aliases(self):
        self.assertEqual([item["name"] for item in self.description["opaque_types"]], ["trajplot_thing"])
        self.assertEqual([(item["name"], item["type"]) for item in self.description["aliases"]],
                         [("trajplot_flags", "unsigned int")])

    def test_enum_members_with_explicit_and_implied_values(self):
        enum = by_name(self.description["enums"])["trajplot_shade"]
        self.assertEqual(enum["members"], [["TRAJPLOT_SHADE_LIGHT", 0], ["TRAJPLOT_SHADE_DARK", 1],
                                           ["TRAJPLOT_SHADE_NEON", 8], ["TRAJPLOT_SHADE_UV", 9],
                                           ["TRAJPLOT_SHADE_DEEP", -4], ["TRAJPLOT_SHADE_NEXT", -3]])
        self.assertEqual(enum["line"], line_of(SAMPLE, "typedef enum trajplot_shade"))

    def test_struct_fields_in_order(self):
        struct = by_name(self.description["structs"])["trajplot_thing_options"]
        self.assertEqual(struct["fields"], [
            ["version", "unsigned int"],
            ["names", "const char *const *"],
            ["title", "const char *"],
            ["min", "float"],
            ["max", "float *"],
            ["label", "char [16]"],
            ["callback", "int (*)(void *, size_t)"],
            ["parent", "const struct trajplot_thing *"],
            ["enabled", "bool"],
        ])

    def test_function_pointer_typedef(self):
        self.assertEqual(self.description["function_pointers"], [{
            "name": "trajplot_write_fn", "return_type": "int",
            "parameters": [["user", "void *"], ["data", "const char *"], ["len", "size_t"]],
            "line": line_of(SAMPLE, "typedef int (*trajplot_write_fn)")}])

    def test_functions(self):
        functions = self.description["functions"]
        self.assertEqual([function["name"] for function in functions],
                         ["trajplot_count", "trajplot_thing_create", "trajplot_thing_name",
                          "trajplot_thing_stream", "trajplot_thing_size"])
        functions = by_name(functions)
        self.assertEqual(functions["trajplot_count"]["parameters"], [])
        self.assertEqual(functions["trajplot_count"]["return_type"], "int")
        create = functions["trajplot_thing_create"]
        self.assertEqual(create["return_type"], "trajplot_shade")
        self.assertEqual(create["parameters"], [["out", "trajplot_thing **"], ["names", "const char *const *"],
                                                ["lengths", "const size_t *"], ["values", "const float *"],
                                                ["count", "size_t"]])
        self.assertEqual(create["line"], line_of(SAMPLE, "TRAJPLOT_API trajplot_shade trajplot_thing_create("))
        self.assertEqual(functions["trajplot_thing_name"]["return_type"], "const char *")
        self.assertEqual(functions["trajplot_thing_name"]["parameters"], [["thing", "const trajplot_thing *"]])
        self.assertEqual(functions["trajplot_thing_stream"]["parameters"],
                         [["thing", "trajplot_thing *"], ["write", "trajplot_write_fn"], ["user", "void *"],
                          ["done", "void (*)(void *)"]])
        self.assertEqual(functions["trajplot_thing_size"]["return_type"], "unsigned long long")
        self.assertEqual(functions["trajplot_thing_size"]["parameters"],
                         [["", "const trajplot_thing *"], ["", "unsigned int"]])

    def test_json_round_trip_and_determinism(self):
        text = describe_capi.dumps(self.description)
        self.assertEqual(json.loads(text), self.description)
        self.assertEqual(describe_capi.dumps(describe_capi.describe(SAMPLE, "sample.h")), text)


class Refused(unittest.TestCase):
    """What the script cannot read stops it, naming the line."""

    def assert_refused(self, addition, *fragments, at=None):
        """`addition`, placed before the end of the sample, stops the script
        at its line holding `at` (default: its first line)."""
        header = SAMPLE.replace("#ifdef __cplusplus\n}", addition + "\n#ifdef __cplusplus\n}")
        with self.assertRaises(describe_capi.DescribeError) as caught:
            describe_capi.describe(header)
        inserted = header.index(addition + "\n#ifdef __cplusplus\n}")
        where = header.index(at or addition.splitlines()[0], inserted)
        self.assertEqual(caught.exception.line, header.count("\n", 0, where) + 1, caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, caught.exception.message)

    def test_union(self):
        self.assert_refused("typedef union trajplot_u { int a; float b; } trajplot_u;", "unions")

    def test_bit_field(self):
        self.assert_refused("typedef struct trajplot_b {\n    unsigned int a : 3;\n} trajplot_b;", "bit-fields",
                            at="unsigned int a : 3;")

    def test_variadic_function(self):
        self.assert_refused("TRAJPLOT_API int trajplot_log(const char *format, ...);", "variadic")

    def test_empty_parameter_list(self):
        self.assert_refused("TRAJPLOT_API int trajplot_old();", "(void)")

    def test_function_like_macro(self):
        self.assert_refused("#define TRAJPLOT_MAX(a, b) ((a) > (b) ? (a) : (b))", "TRAJPLOT_MAX")

    def test_define_that_is_no_constant(self):
        self.assert_refused("#define TRAJPLOT_SIZE_MAX ((size_t)-1)", "TRAJPLOT_SIZE_MAX")

    def test_enum_value_that_cannot_be_evaluated(self):
        self.assert_refused("typedef enum trajplot_e {\n    TRAJPLOT_E_A = sizeof(int)\n} trajplot_e;",
                            "TRAJPLOT_E_A", at="TRAJPLOT_E_A = sizeof")

    def test_enum_value_naming_an_unknown_constant(self):
        self.assert_refused("typedef enum trajplot_e { TRAJPLOT_E_A = TRAJPLOT_NOWHERE } trajplot_e;",
                            "TRAJPLOT_NOWHERE")

    def test_global_variable(self):
        self.assert_refused("TRAJPLOT_API extern const int trajplot_answer;", "trajplot_answer")

    def test_function_definition(self):
        self.assert_refused("static inline int trajplot_inline(void) { return 1; }", "definitions")

    def test_declared_twice(self):
        self.assert_refused("TRAJPLOT_API int trajplot_count(void);", "trajplot_count is declared twice")

    def test_constant_defined_differently_in_two_branches(self):
        self.assert_refused("#define TRAJPLOT_ABI_VERSION 4", "TRAJPLOT_ABI_VERSION")

    def test_nested_struct(self):
        self.assert_refused("typedef struct trajplot_n {\n    struct { int a; } inner;\n} trajplot_n;", "nested",
                            at="struct { int a; } inner;")

    def test_struct_typedef_with_two_names(self):
        self.assert_refused("typedef struct trajplot_t { int a; } trajplot_t, *trajplot_t_ptr;", "trajplot_t")

    def test_unterminated_declaration(self):
        header = SAMPLE.replace("TRAJPLOT_API int trajplot_count(void);", "TRAJPLOT_API int trajplot_count(void)")
        with self.assertRaises(describe_capi.DescribeError) as caught:
            describe_capi.describe(header)
        self.assertIn("trajplot_count", caught.exception.message)

    def test_unclosed_conditional(self):
        header = SAMPLE.replace("#endif /* SAMPLE_H */", "")
        with self.assertRaises(describe_capi.DescribeError) as caught:
            describe_capi.describe(header)
        self.assertEqual(caught.exception.line, line_of(header, "#ifndef SAMPLE_H"))


class CommandLine(unittest.TestCase):
    def run_script(self, header_text, *extra):
        with tempfile.TemporaryDirectory() as folder:
            header = os.path.join(folder, "sample.h")
            with open(header, "w", encoding="utf-8") as file:
                file.write(header_text)
            out = os.path.join(folder, "out", "description.json")
            result = subprocess.run([sys.executable, SCRIPT, "--header", header, "--out", out] + list(extra),
                                    capture_output=True, text=True, check=False)
            written = None
            if os.path.exists(out):
                with open(out, encoding="utf-8") as file:
                    written = file.read()
            return result, written, header

    def test_writes_the_description(self):
        result, written, _ = self.run_script(SAMPLE)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(written), describe_capi.describe(SAMPLE, "sample.h"))
        self.assertTrue(written.endswith("}\n"))

    def test_fails_loudly_naming_the_line(self):
        header_text = SAMPLE.replace("bool enabled;", "bool enabled : 1;")
        result, written, header = self.run_script(header_text)
        self.assertEqual(result.returncode, 1)
        self.assertIsNone(written)
        self.assertIn("%s:%d: error: " % (header, line_of(header_text, "bool enabled : 1;")), result.stderr)
        self.assertIn("bit-fields", result.stderr)

    def test_standard_output_without_out(self):
        result = subprocess.run([sys.executable, SCRIPT, "--header", REAL_HEADER],
                                capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["header"], "trajplot.h")


class RealHeader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(REAL_HEADER, encoding="utf-8") as file:
            cls.text = file.read()
        cls.description = describe_capi.describe(cls.text)
        # Naive views of the header, independent of the script's parser.
        cls.code = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), cls.text, flags=re.S)

    def test_every_function_of_the_header_is_described(self):
        exported = re.findall(r"(?m)^[ \t]*TRAJPLOT_API\b", self.code)
        self.assertGreater(len(exported), 30)
        self.assertEqual(len(self.description["functions"]), len(exported))
        names = re.findall(r"TRAJPLOT_API\s[^;(]*?\b(trajplot_\w+)\s*\(", self.code)
        self.assertEqual([function["name"] for function in self.description["functions"]], names)

    def test_parameter_counts_match_a_naive_reading(self):
        for match in re.finditer(r"TRAJPLOT_API\s[^;(]*?\b(trajplot_\w+)\s*\(([^;]*)\)\s*;", self.code):
            parameters = " ".join(match.group(2).split())
            expected = 0 if parameters == "void" else parameters.count(",") + 1
            function = by_name(self.description["functions"])[match.group(1)]
            self.assertEqual(len(function["parameters"]), expected, match.group(1))
            self.assertTrue(all(name for name, _ in function["parameters"]), match.group(1))

    def test_integer_defines_enums_and_structs(self):
        constants = {item["name"]: item["value"] for item in self.description["constants"]}
        for name, value in re.findall(r"(?m)^#define (TRAJPLOT_\w+) (\d+)u?\b", self.code):
            self.assertEqual(constants[name], int(value), name)
        for name in ("TRAJPLOT_ABI_VERSION", "TRAJPLOT_VERSION_MAJOR", "TRAJPLOT_VERSION_MINOR",
                     "TRAJPLOT_VERSION_PATCH"):
            self.assertIsInstance(constants[name], int, name)
        self.assertEqual(sorted(enum["name"] for enum in self.description["enums"]),
                         sorted(re.findall(r"typedef enum \w+ \{[^}]*\} (\w+);", self.code)))
        self.assertEqual(sorted(struct["name"] for struct in self.description["structs"]),
                         sorted(re.findall(r"typedef struct \w+ \{[^}]*\} (\w+);", self.code)))
        self.assertEqual(sorted(item["name"] for item in self.description["opaque_types"]),
                         sorted(re.findall(r"typedef struct (\w+) \1;", self.code)))
        self.assertEqual(sorted(item["name"] for item in self.description["initializers"]),
                         sorted(re.findall(r"(?m)^#define (\w+_INIT)\b", self.code)))
        enum_members = {member for enum in self.description["enums"] for member, _ in enum["members"]}
        self.assertIn("TRAJPLOT_OK", enum_members)
        self.assertIn("trajplot_status", {enum["name"] for enum in self.description["enums"]})

    def test_the_builds_description_is_up_to_date(self):
        path = os.environ.get("TRAJPLOT_CAPI_DESCRIPTION")
        if not path:
            self.skipTest("TRAJPLOT_CAPI_DESCRIPTION is not set (CTest sets it)")
        with open(path, encoding="utf-8") as file:
            built = json.load(file)
        self.assertEqual(built, self.description,
                         "%s is not what scripts/describe_capi.py makes of %s now: rebuild "
                         "(cmake --build) to regenerate it" % (path, REAL_HEADER))


if __name__ == "__main__":
    unittest.main()
