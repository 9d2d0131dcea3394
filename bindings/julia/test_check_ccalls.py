"""Tests of check_ccalls.py: it must pass a wrapper that matches its
header and name every way a wrapper can drift from it. The sample headers
below are described by scripts/describe_capi.py, as CMake describes the
real one, and the checker reads that description.

Run from this folder: /usr/bin/python3 -m unittest -v test_check_ccalls
(with TRAJPLOT_CAPI_DESCRIPTION set to the build's description, RealFiles
reads that one; CTest sets it).
"""

import contextlib
import io
import json
import os
import pathlib
import sys
import tempfile
import textwrap
import unittest

import check_ccalls

sys.path.insert(0, str(check_ccalls.DESCRIBE_SCRIPT.parent))
import describe_capi  # noqa: E402

HEADER = textwrap.dedent("""\
    #define TRAJPLOT_API __attribute__((visibility("default")))
    #define TRAJPLOT_THING_VERSION 2
    #define TRAJPLOT_THING_LOUD 4u  /* a flag */

    typedef enum trajplot_status {
        TRAJPLOT_OK = 0,
        TRAJPLOT_EINVAL = -2   /* bad argument */
    } trajplot_status;

    typedef enum trajplot_shade {
        TRAJPLOT_SHADE_LIGHT,  /* 0 */
        TRAJPLOT_SHADE_DARK,   /* 1 */
        TRAJPLOT_SHADE_NEON = 8,
        TRAJPLOT_SHADE_UV,     /* 9 */
    } trajplot_shade;

    typedef struct trajplot_thing trajplot_thing;

    typedef struct trajplot_thing_options {
        unsigned int version;
        const char *label;      /* NULL: none */
        const char *const *names;
        float scale;
        bool enabled;
    } trajplot_thing_options;

    /* Counts things. */
    TRAJPLOT_API int trajplot_count(void);

    TRAJPLOT_API trajplot_status trajplot_thing_create(
        trajplot_thing **out,
        const char *name, size_t n,
        const trajplot_thing_options *options);

    TRAJPLOT_API void trajplot_thing_free(trajplot_thing *thing);

    TRAJPLOT_API trajplot_status trajplot_thing_mark(
        trajplot_thing *thing, const int64_t *ids, size_t n_ids, int shade, unsigned int flags);
    """)

MODULE = textwrap.dedent('''\
    module Things

    const TRAJPLOT_THING_VERSION = Cuint(2)
    const TRAJPLOT_THING_LOUD = Cuint(4)
    const TRAJPLOT_OK = 0
    const TRAJPLOT_EINVAL = -2
    const TRAJPLOT_SHADE_LIGHT = 0
    const TRAJPLOT_SHADE_DARK = 1
    const TRAJPLOT_SHADE_NEON = 8
    const TRAJPLOT_SHADE_UV = 9

    struct trajplot_thing_options
        version::Cuint
        label::Ptr{UInt8}
        names::Ptr{Ptr{UInt8}}
        scale::Float32
        enabled::Bool
    end

    mutable struct Thing
        ptr::Ptr{Cvoid}
        Thing(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
    end

    """
    A docstring that mentions ccall((:trajplot_gone, libtrajplot), Cint, ()) and "quotes".
    """
    count() = ccall((:trajplot_count, libtrajplot), Cint, ())

    # ccall((:trajplot_commented_out, libtrajplot), Cint, (Cint,), 1)
    #= a block comment #= nested =# ccall((:trajplot_in_block, libtrajplot), Cint, ()) =#

    function create(name, n)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        options = Ref{trajplot_thing_options}()
        separator = ','
        transposed = [1 2]'
        status = ccall((:trajplot_thing_create, libtrajplot), Cint,
                       (Ptr{Ptr{Cvoid}},
                        Cstring, Csize_t,
                        Ref{trajplot_thing_options},),
                       out,
                       string("a,(b", "$(join(["x", "y"], ", "))"),
                       max(length(name), n),
                       options)
        return Thing(out[])
    end

    free(thing) = ccall((:trajplot_thing_free, libtrajplot), Cvoid, (Ptr{Cvoid},), thing.ptr)

    mark(thing, ids::Vector{Int64}) =
        ccall((:trajplot_thing_mark, libtrajplot), Cint,
              (Ptr{Cvoid}, Ptr{Int64}, Csize_t, Cint, Cuint),
              thing.ptr, ids, length(ids), TRAJPLOT_SHADE_UV, TRAJPLOT_THING_LOUD)

    end
    ''')


def header_of(text):
    return check_ccalls.header_from_description(describe_capi.describe(text, "trajplot.h"))


def problems_for(header=HEADER, module=MODULE):
    return check_ccalls.compare(header_of(header), check_ccalls.parse_module(module))


def replace_once(text, old, new):
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


class MatchingWrapper(unittest.TestCase):
    def test_matching_snippets_have_no_problems(self):
        self.assertEqual(problems_for(), [])

    def test_reads_each_ccall_once_with_its_counts(self):
        module = check_ccalls.parse_module(MODULE)
        calls = {call.name: (len(call.arg_types), call.n_args) for call in module.ccalls}
        # Only the three real calls: none from the docstring or the comments.
        self.assertEqual(calls, {"trajplot_count": (0, 0),
                                 "trajplot_thing_create": (4, 4),
                                 "trajplot_thing_free": (1, 1),
                                 "trajplot_thing_mark": (5, 5)})

    def test_reads_the_description_of_multi_line_prototypes(self):
        header = header_of(HEADER)
        self.assertEqual(header.functions["trajplot_count"].params, [])
        self.assertEqual(header.functions["trajplot_thing_create"].params,
                         [("trajplot_thing **", "out"), ("char *", "name"), ("size_t", "n"),
                          ("trajplot_thing_options *", "options")])
        self.assertEqual(header.functions["trajplot_thing_create"].return_type, "trajplot_status")
        self.assertEqual(header.constants, {"TRAJPLOT_THING_VERSION": 2, "TRAJPLOT_THING_LOUD": 4,
                                            "TRAJPLOT_OK": 0, "TRAJPLOT_EINVAL": -2,
                                            "TRAJPLOT_SHADE_LIGHT": 0, "TRAJPLOT_SHADE_DARK": 1,
                                            "TRAJPLOT_SHADE_NEON": 8, "TRAJPLOT_SHADE_UV": 9})
        self.assertEqual(header.enums, {"trajplot_status", "trajplot_shade"})
        self.assertEqual(sorted(header.enum_members), sorted(name for name in header.constants
                                                             if not name.startswith("TRAJPLOT_THING_")))
        self.assertEqual(header.problems, [])
        self.assertEqual(header.functions["trajplot_thing_mark"].params,
                         [("trajplot_thing *", "thing"), ("int64_t *", "ids"), ("size_t", "n_ids"),
                          ("int", "shade"), ("unsigned int", "flags")])
        self.assertEqual(header.opaque, {"trajplot_thing"})
        self.assertEqual([name for _, name in header.structs["trajplot_thing_options"]],
                         ["version", "label", "names", "scale", "enabled"])


class DriftIsReported(unittest.TestCase):
    def assert_one_problem(self, problems, *fragments):
        self.assertEqual(len(problems), 1, problems)
        for fragment in fragments:
            self.assertIn(fragment, problems[0])

    def test_function_not_in_header(self):
        module = replace_once(MODULE, "(:trajplot_count, libtrajplot)", "(:trajplot_cuont, libtrajplot)")
        problems = problems_for(module=module)
        self.assertTrue(any("trajplot_cuont" in p and "does not declare" in p for p in problems), problems)
        # trajplot_count is now called nowhere, which is its own problem.
        self.assertTrue(any("trajplot_count is declared but" in p for p in problems), problems)

    def test_fewer_argument_types_than_header_parameters(self):
        module = replace_once(MODULE, "Cstring, Csize_t,\n", "Cstring,\n")
        module = replace_once(module, "max(length(name), n),\n", "")
        problems = problems_for(module=module)
        create_line = HEADER.splitlines().index("TRAJPLOT_API trajplot_status trajplot_thing_create(") + 1
        self.assertIn(f"trajplot_thing_create takes 4 parameters in trajplot.h (line {create_line}), "
                      "but the ccall lists 3 argument types", problems[0])

    def test_more_argument_types_than_header_parameters(self):
        module = replace_once(MODULE, "(Ptr{Cvoid},), thing.ptr)", "(Ptr{Cvoid}, Cint), thing.ptr, 0)")
        self.assert_one_problem(problems_for(module=module), "trajplot_thing_free takes 1 parameters",
                                "lists 2 argument types")

    def test_header_gains_a_parameter(self):
        header = replace_once(HEADER, "trajplot_thing_free(trajplot_thing *thing)",
                              "trajplot_thing_free(trajplot_thing *thing, int flags)")
        self.assert_one_problem(problems_for(header=header), "trajplot_thing_free takes 2 parameters")

    def test_passed_arguments_differ_from_argument_types(self):
        module = replace_once(MODULE, "max(length(name), n),\n", "max(length(name), n))\n")
        module = replace_once(module, "options)\n    return Thing", "\n    return Thing")
        self.assert_one_problem(problems_for(module=module), "lists 4 argument types but passes 3 arguments")

    def test_empty_tuple_with_an_argument(self):
        module = replace_once(MODULE, "Cint, ())\n", "Cint, (), 1)\n")
        self.assert_one_problem(problems_for(module=module), "lists 0 argument types but passes 1 arguments")

    def test_single_type_without_trailing_comma_is_not_a_tuple(self):
        module = replace_once(MODULE, "(Ptr{Cvoid},), thing.ptr)", "(Ptr{Cvoid}), thing.ptr)")
        problems = problems_for(module=module)
        self.assertTrue(any("(Ptr{Cvoid}) is not a tuple; write (Ptr{Cvoid},)" in p for p in problems), problems)

    def test_argument_type_differs_from_header(self):
        module = replace_once(MODULE, "Cstring, Csize_t,", "Cstring, Cint,")
        self.assert_one_problem(problems_for(module=module), "parameter 3 (`size_t n`)", "Csize_t",
                                "the ccall says Cint")

    def test_return_type_differs_from_header(self):
        module = replace_once(MODULE, "count() = ccall((:trajplot_count, libtrajplot), Cint, ())",
                              "count() = ccall((:trajplot_count, libtrajplot), Csize_t, ())")
        self.assert_one_problem(problems_for(module=module), "trajplot_count returns `int`", "says Csize_t")

    def test_handle_passed_by_value_is_reported(self):
        module = replace_once(MODULE, "(Ptr{Ptr{Cvoid}},\n", "(Ptr{Cvoid},\n")
        self.assert_one_problem(problems_for(module=module), "parameter 1 (`trajplot_thing ** out`)",
                                "Ptr{Ptr{Cvoid}}")

    def test_struct_missing_a_field(self):
        module = replace_once(MODULE, "    scale::Float32\n", "")
        problems = problems_for(module=module)
        self.assertIn("struct trajplot_thing_options has 4 fields, but the C struct has 5", problems[0])

    def test_struct_with_an_extra_field(self):
        module = replace_once(MODULE, "    enabled::Bool\n", "    enabled::Bool\n    spare::Cint\n")
        self.assert_one_problem(problems_for(module=module), "has 6 fields, but the C struct has 5")

    def test_header_struct_gains_a_field(self):
        header = replace_once(HEADER, "    bool enabled;\n", "    bool enabled;\n    size_t limit;\n")
        self.assert_one_problem(problems_for(header=header), "has 5 fields, but the C struct has 6")

    def test_struct_field_of_the_wrong_type(self):
        module = replace_once(MODULE, "scale::Float32", "scale::Float64")
        self.assert_one_problem(problems_for(module=module), "field `scale` is C `float`", "declared Float64")

    def test_struct_fields_out_of_order(self):
        module = replace_once(MODULE, "    scale::Float32\n    enabled::Bool\n",
                              "    enabled::Bool\n    scale::Float32\n")
        problems = problems_for(module=module)
        self.assertTrue(any("field 4 is `enabled`, but the C struct's is `scale`" in p for p in problems), problems)

    def test_julia_struct_mirroring_nothing(self):
        module = replace_once(MODULE, "mutable struct Thing\n", "struct trajplot_gadget end\n\nmutable struct Thing\n")
        self.assert_one_problem(problems_for(module=module), "struct trajplot_gadget mirrors no struct")

    def test_header_function_never_called(self):
        header = HEADER + "TRAJPLOT_API void trajplot_thing_reset(trajplot_thing *thing);\n"
        self.assert_one_problem(problems_for(header=header), "trajplot_thing_reset is declared but")

    def test_constant_with_another_value(self):
        module = replace_once(MODULE, "Cuint(2)", "Cuint(3)")
        self.assert_one_problem(problems_for(module=module), "TRAJPLOT_THING_VERSION is 3, but 2")

    def test_constant_unknown_to_header(self):
        module = replace_once(MODULE, "const TRAJPLOT_EINVAL = -2\n", "const TRAJPLOT_EINVAL = -2\nconst TRAJPLOT_EBUSY = -9\n")
        self.assert_one_problem(problems_for(module=module), "TRAJPLOT_EBUSY is not a constant")

    def test_int64_pointer_needs_int64(self):
        # Int is Int32 on 32-bit Julia: only Int64 is int64_t everywhere.
        module = replace_once(MODULE, "(Ptr{Cvoid}, Ptr{Int64}, Csize_t, Cint, Cuint)",
                              "(Ptr{Cvoid}, Ptr{Int}, Csize_t, Cint, Cuint)")
        self.assert_one_problem(problems_for(module=module), "parameter 2 (`int64_t * ids`) needs Ptr{Int64}",
                                "the ccall says Ptr{Int}")

    def test_header_gains_a_define(self):
        module = replace_once(MODULE, "const TRAJPLOT_OK = 0\n", "const TRAJPLOT_OK = 0\nconst TRAJPLOT_LIMIT = 64\n")
        self.assert_one_problem(problems_for(module=module), "TRAJPLOT_LIMIT is not a constant of trajplot.h")
        header = HEADER + "#define TRAJPLOT_LIMIT 32\n"
        self.assert_one_problem(problems_for(header=header, module=module), "TRAJPLOT_LIMIT is 64, but 32")
        header = HEADER + "#define TRAJPLOT_LIMIT (1 << 6)\n"
        self.assertEqual(problems_for(header=header, module=module), [])

    def test_function_pointer_parameter(self):
        header = HEADER + textwrap.dedent("""\
            typedef int (*trajplot_write_fn)(void *user, const char *data, size_t len);
            TRAJPLOT_API trajplot_status trajplot_thing_stream(const trajplot_thing *thing,
                                                               trajplot_write_fn write, void *user);
            """)
        call = ("stream(thing, write, user) = ccall((:trajplot_thing_stream, libtrajplot), Cint, "
                "(Ptr{Cvoid}, %s, Ptr{Cvoid}), thing.ptr, write, user)\n\nend\n")
        module = MODULE[:MODULE.rindex("end\n")] + call % "Ptr{Cvoid}"
        self.assertEqual(problems_for(header=header, module=module), [])
        module = MODULE[:MODULE.rindex("end\n")] + call % "Cint"
        self.assert_one_problem(problems_for(header=header, module=module),
                                "trajplot_thing_stream parameter 2 (`trajplot_write_fn write`) needs Ptr{Cvoid}")

    def test_type_alias_is_resolved(self):
        header = HEADER + textwrap.dedent("""\
            typedef unsigned int trajplot_flags;
            TRAJPLOT_API void trajplot_thing_flag(trajplot_thing *thing, trajplot_flags flags);
            """)
        call = ("flag(thing, flags) = ccall((:trajplot_thing_flag, libtrajplot), Cvoid, "
                "(Ptr{Cvoid}, %s), thing.ptr, flags)\n\nend\n")
        module = MODULE[:MODULE.rindex("end\n")] + call % "Cuint"
        self.assertEqual(problems_for(header=header, module=module), [])
        module = MODULE[:MODULE.rindex("end\n")] + call % "Csize_t"
        self.assert_one_problem(problems_for(header=header, module=module),
                                "trajplot_thing_flag parameter 2 (`trajplot_flags flags`) needs Cuint or UInt32")

    def test_enum_member_without_a_const(self):
        module = replace_once(MODULE, "const TRAJPLOT_SHADE_NEON = 8\n", "")
        enum_line = HEADER.splitlines().index("typedef enum trajplot_shade {") + 1
        self.assert_one_problem(problems_for(module=module),
                                f"trajplot.h:{enum_line}: member TRAJPLOT_SHADE_NEON of enum trajplot_shade",
                                "has no `const TRAJPLOT_SHADE_NEON = 8`")

    def test_header_gains_an_enum_member(self):
        header = replace_once(HEADER, "    TRAJPLOT_SHADE_UV,     /* 9 */\n",
                              "    TRAJPLOT_SHADE_UV,     /* 9 */\n    TRAJPLOT_SHADE_IR\n")
        self.assert_one_problem(problems_for(header=header), "member TRAJPLOT_SHADE_IR of enum trajplot_shade "
                                                             "has no `const TRAJPLOT_SHADE_IR = 10`")

    def test_header_gains_an_enum(self):
        header = HEADER + "typedef enum trajplot_side { TRAJPLOT_SIDE_LEFT = 1 } trajplot_side;\n"
        self.assert_one_problem(problems_for(header=header), "member TRAJPLOT_SIDE_LEFT of enum trajplot_side "
                                                             "has no `const TRAJPLOT_SIDE_LEFT = 1`")

    def test_implicit_enum_value_differs(self):
        # Inserting a member shifts the implicit values after it.
        header = replace_once(HEADER, "    TRAJPLOT_SHADE_LIGHT,  /* 0 */\n",
                              "    TRAJPLOT_SHADE_NONE,\n    TRAJPLOT_SHADE_LIGHT,  /* 0 */\n")
        problems = problems_for(header=header)
        self.assertTrue(any("TRAJPLOT_SHADE_LIGHT is 0, but 1" in p for p in problems), problems)
        self.assertTrue(any("TRAJPLOT_SHADE_DARK is 1, but 2" in p for p in problems), problems)
        self.assertTrue(any("member TRAJPLOT_SHADE_NONE of enum trajplot_shade has no" in p for p in problems), problems)

    def test_enum_member_given_as_an_expression(self):
        header = replace_once(HEADER, "TRAJPLOT_SHADE_NEON = 8,", "TRAJPLOT_SHADE_NEON = 1 << 3,")
        self.assertEqual(problems_for(header=header), [])
        header = replace_once(HEADER, "TRAJPLOT_SHADE_NEON = 8,", "TRAJPLOT_SHADE_NEON = 1 << 4,")
        problems = problems_for(header=header)
        self.assertTrue(any("TRAJPLOT_SHADE_NEON is 8, but 16" in p for p in problems), problems)
        self.assertTrue(any("TRAJPLOT_SHADE_UV is 9, but 17" in p for p in problems), problems)

    def test_define_with_an_integer_suffix_is_compared(self):
        module = replace_once(MODULE, "Cuint(4)", "Cuint(2)")
        self.assert_one_problem(problems_for(module=module), "TRAJPLOT_THING_LOUD is 2, but 4")

    def test_splatted_arguments(self):
        module = replace_once(MODULE, "(Ptr{Cvoid},), thing.ptr)", "(Ptr{Cvoid},), args...)")
        self.assert_one_problem(problems_for(module=module), "splats its arguments")

    def test_at_ccall_is_not_trusted(self):
        module = replace_once(MODULE, "count() = ccall((:trajplot_count, libtrajplot), Cint, ())",
                              "count() = @ccall libtrajplot.trajplot_count()::Cint")
        problems = problems_for(module=module)
        self.assertTrue(any("@ccall is not checked" in p for p in problems), problems)

    def test_unreadable_function_spec(self):
        module = replace_once(MODULE, "(:trajplot_count, libtrajplot)", "function_spec")
        problems = problems_for(module=module)
        self.assertTrue(any("cannot read the C function" in p for p in problems), problems)


class Masking(unittest.TestCase):
    def mask(self, source):
        masked = check_ccalls.JuliaMasker(source).run()
        self.assertEqual(len(masked), len(source))
        self.assertEqual(masked.count("\n"), source.count("\n"))
        return masked

    def test_strings_and_comments_are_blanked(self):
        masked = self.mask('x = "a(b" # c)\ny = """q " ) """ #= ( =# z')
        self.assertEqual(masked.count("("), 0)
        self.assertEqual(masked.count(")"), 0)
        self.assertIn("z", masked)

    def test_escaped_quote_does_not_end_a_string(self):
        masked = self.mask('s = "a\\"(" ; t = (1)')
        self.assertEqual(masked.count("("), 1)

    def test_interpolation_with_nested_strings(self):
        masked = self.mask('s = "$(f("(", x))" ; t = (1)')
        self.assertEqual(masked.count("("), 1)
        self.assertEqual(masked.count(")"), 1)

    def test_char_literal_and_adjoint(self):
        masked = self.mask("c = '(' ; d = x' * y' ; e = (1)")
        self.assertEqual(masked.count("("), 1)
        self.assertIn("x'", masked)


class CommandLine(unittest.TestCase):
    def run_main(self, header, module, use_description=True, broken_description=None):
        with tempfile.TemporaryDirectory() as folder:
            header_path = pathlib.Path(folder, "trajplot.h")
            module_path = pathlib.Path(folder, "Things.jl")
            description_path = pathlib.Path(folder, "trajplot_capi.json")
            header_path.write_text(header, encoding="utf-8")
            module_path.write_text(module, encoding="utf-8")
            if broken_description is not None:
                description_path.write_text(broken_description, encoding="utf-8")
            elif use_description:
                description_path.write_text(json.dumps(describe_capi.describe(header, "trajplot.h")),
                                            encoding="utf-8")
            source = ["--description", str(description_path)] if use_description else ["--header", str(header_path)]
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                status = check_ccalls.main(source + ["--module", str(module_path)])
        return status, output.getvalue()

    def test_exit_status_zero_when_matching(self):
        for use_description in (True, False):
            status, output = self.run_main(HEADER, MODULE, use_description)
            self.assertEqual(status, 0, output)
            self.assertIn("OK: 4 ccalls cover the 4 functions", output)

    def test_exit_status_one_listing_each_problem_with_its_line(self):
        module = replace_once(MODULE, "Cstring, Csize_t,", "Cstring, Cint,")
        module = replace_once(module, "    scale::Float32\n", "")
        for use_description in (True, False):
            status, output = self.run_main(HEADER, module, use_description)
            self.assertEqual(status, 1)
            lines = output.splitlines()
            create_line = module.splitlines().index(
                "    status = ccall((:trajplot_thing_create, libtrajplot), Cint,") + 1
            self.assertTrue(any(line.startswith(f"Things.jl:{create_line}: ") and "the ccall says Cint" in line
                                for line in lines), output)
            struct_line = module.splitlines().index("struct trajplot_thing_options") + 1
            self.assertTrue(any(line.startswith(f"Things.jl:{struct_line}: ") and "has 4 fields" in line
                                for line in lines), output)
            self.assertIn("problem(s)", lines[-1])

    def test_a_header_the_description_cannot_read_is_an_error(self):
        header = replace_once(HEADER, "    bool enabled;\n", "    bool enabled : 1;\n")
        status, output = self.run_main(header, MODULE, use_description=False)
        self.assertEqual(status, 1)
        line = header.splitlines().index("    bool enabled : 1;") + 1
        self.assertIn(f"trajplot.h:{line}: describe_capi.py cannot read it: ", output)
        self.assertIn("bit-fields", output)

    def test_a_missing_or_broken_description_is_an_error(self):
        with tempfile.TemporaryDirectory() as folder:
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                status = check_ccalls.main(["--description", str(pathlib.Path(folder, "none.json"))])
        self.assertEqual(status, 1)
        self.assertIn("cannot read the description of the C API", output.getvalue())
        status, output = self.run_main(HEADER, MODULE, broken_description='{"format": 1, "functions": []}')
        self.assertEqual(status, 1)
        self.assertIn("not a description of the C API", output)
        status, output = self.run_main(HEADER, MODULE, broken_description="not json")
        self.assertEqual(status, 1)
        self.assertIn("is not JSON", output)


# MODULE split in two files: its last two functions (and the shades) in an
# included file.
SPLIT_AT = "free(thing) = "
MAIN_FILE = MODULE[:MODULE.index(SPLIT_AT)] + 'include("parts/handles.jl")\n\nend\n'
INCLUDED_FILE = ("# Things on handles.\n"
                 + MODULE[MODULE.index(SPLIT_AT):MODULE.rindex("end\n")].rstrip() + "\n")


class IncludedFiles(unittest.TestCase):
    """A module split in files: the checker follows include("...") and
    names each problem with its own file and line."""

    def check(self, main=MAIN_FILE, files=None):
        files = {"parts/handles.jl": INCLUDED_FILE} if files is None else files
        with tempfile.TemporaryDirectory() as folder:
            pathlib.Path(folder, "Things.jl").write_text(main, encoding="utf-8")
            for name, text in files.items():
                path = pathlib.Path(folder, name)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            module = check_ccalls.parse_module_files(pathlib.Path(folder, "Things.jl"))
        return module, check_ccalls.compare(header_of(HEADER), module, module_name="Things.jl")

    def test_a_split_module_matches_as_a_whole(self):
        module, problems = self.check()
        self.assertEqual(problems, [])
        self.assertEqual(module.files, ["Things.jl", "parts/handles.jl"])
        self.assertEqual({call.name: call.file for call in module.ccalls},
                         {"trajplot_count": "Things.jl", "trajplot_thing_create": "Things.jl",
                          "trajplot_thing_free": "parts/handles.jl", "trajplot_thing_mark": "parts/handles.jl"})

    def test_without_the_include_its_functions_are_called_nowhere(self):
        _, problems = self.check(main=replace_once(MAIN_FILE, 'include("parts/handles.jl")', ""))
        self.assertTrue(any("trajplot_thing_free is declared but" in p for p in problems), problems)
        self.assertTrue(any(p.startswith("parts/handles.jl:1: ") and "is not included by Things.jl" in p
                            for p in problems), problems)

    def test_a_problem_names_the_included_file_and_its_line(self):
        broken = replace_once(INCLUDED_FILE, "Csize_t, Cint, Cuint", "Cint, Cint, Cuint")
        _, problems = self.check(files={"parts/handles.jl": broken})
        line = broken.splitlines().index("    ccall((:trajplot_thing_mark, libtrajplot), Cint,") + 1
        self.assertEqual(len(problems), 1, problems)
        self.assertTrue(problems[0].startswith(f"parts/handles.jl:{line}: "), problems)
        self.assertIn("parameter 3 (`size_t n_ids`)", problems[0])

    def test_includes_are_followed_recursively_and_relative_to_their_file(self):
        files = {"parts/handles.jl": 'include("marks.jl")\n' + INCLUDED_FILE[:INCLUDED_FILE.index("mark(")],
                 "parts/marks.jl": INCLUDED_FILE[INCLUDED_FILE.index("mark("):]}
        module, problems = self.check(files=files)
        self.assertEqual(problems, [])
        self.assertEqual(module.files, ["Things.jl", "parts/handles.jl", "parts/marks.jl"])

    def test_a_missing_file_is_reported_where_it_is_included(self):
        main = replace_once(MAIN_FILE, 'include("parts/handles.jl")', 'include("parts/handles.jl")\ninclude("gone.jl")')
        _, problems = self.check(main=main)
        line = main.splitlines().index('include("gone.jl")') + 1
        self.assertEqual(len(problems), 1, problems)
        self.assertTrue(problems[0].startswith(f"Things.jl:{line}: cannot read the included file gone.jl"), problems)

    def test_an_include_that_is_not_a_literal_path_is_reported(self):
        main = replace_once(MAIN_FILE, 'include("parts/handles.jl")', 'include(joinpath("parts", "handles.jl"))')
        _, problems = self.check(main=main)
        self.assertTrue(any("cannot follow this include" in p for p in problems), problems)

    def test_a_file_included_twice_is_reported(self):
        main = replace_once(MAIN_FILE, 'include("parts/handles.jl")', 'include("parts/handles.jl")\ninclude("parts/handles.jl")')
        _, problems = self.check(main=main)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("parts/handles.jl is included more than once", problems[0])

    def test_a_constant_defined_in_two_files_is_reported(self):
        files = {"parts/handles.jl": "const TRAJPLOT_OK = 0\n" + INCLUDED_FILE}
        _, problems = self.check(files=files)
        self.assertEqual(len(problems), 1, problems)
        self.assertTrue(problems[0].startswith("parts/handles.jl:1: TRAJPLOT_OK is defined twice (first in Things.jl:"),
                        problems)

    def test_includes_in_comments_and_strings_are_not_followed(self):
        main = replace_once(MAIN_FILE, 'include("parts/handles.jl")',
                            '# include("gone.jl")\nnote = "include(\\"gone.jl\\")"\ninclude("parts/handles.jl")')
        _, problems = self.check(main=main)
        self.assertEqual(problems, [])

    def test_command_line_reads_every_file(self):
        with tempfile.TemporaryDirectory() as folder:
            pathlib.Path(folder, "parts").mkdir()
            pathlib.Path(folder, "Things.jl").write_text(MAIN_FILE, encoding="utf-8")
            pathlib.Path(folder, "parts", "handles.jl").write_text(INCLUDED_FILE, encoding="utf-8")
            header_path = pathlib.Path(folder, "trajplot.h")
            header_path.write_text(HEADER, encoding="utf-8")
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                status = check_ccalls.main(["--header", str(header_path), "--module", str(pathlib.Path(folder, "Things.jl"))])
        self.assertEqual(status, 0, output.getvalue())
        self.assertIn("OK: 4 ccalls cover the 4 functions", output.getvalue())
        self.assertIn("in 2 file(s)", output.getvalue())


class RealFiles(unittest.TestCase):
    """The checker must actually see the real header and module: a parser
    that silently found nothing would let any drift through. Whether they
    agree is julia.ccalls_match_header's business, not this test's."""

    def test_real_description_and_module_are_read(self):
        description = os.environ.get("TRAJPLOT_CAPI_DESCRIPTION")
        header, module, _ = check_ccalls.check_files(check_ccalls.DEFAULT_MODULE, description_path=description)
        self.assertGreaterEqual(len(header.functions), 30)
        self.assertEqual(header.problems, [])
        self.assertGreaterEqual(len(header.structs), 3)
        self.assertLessEqual({"trajplot_status", "trajplot_measure"}, header.enums)
        self.assertIn("TRAJPLOT_ABI_VERSION", header.constants)
        self.assertEqual(header.constants["TRAJPLOT_OK"], 0)
        self.assertIn("trajplot_statistic", header.opaque)
        self.assertGreaterEqual(len(module.ccalls), 30)
        self.assertGreaterEqual(len([name for name in module.structs if name.startswith("trajplot_")]), 3)
        self.assertIn("TRAJPLOT_ABI_VERSION", module.constants)
        # Every .jl file of src/ is part of the module, reached through its includes.
        source_files = sorted(path.relative_to(check_ccalls.DEFAULT_MODULE.parent).as_posix()
                              for path in check_ccalls.DEFAULT_MODULE.parent.rglob("*.jl"))
        self.assertEqual(sorted(module.files), source_files)
        self.assertGreater(len(module.files), 1)


if __name__ == "__main__":
    unittest.main()
