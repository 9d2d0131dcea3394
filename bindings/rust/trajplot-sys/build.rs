//! Tells rustc where libtrajplot.so is, in this order:
//! 1. the directory in the environment variable TRAJPLOT_LIB_DIR (a build
//!    tree such as `build/`, or an install prefix's `lib/`);
//! 2. the `-L` directories `pkg-config --libs trajplot` prints, when the
//!    pkg-config program and a trajplot.pc are installed;
//! 3. otherwise the linker's default search path (e.g. /usr/local/lib),
//!    which the C compiler (`$CC`, else `cc`) reports; when the library is
//!    in none of these places, the build stops with a message saying which
//!    variable to set, rather than leaving the linker to fail on
//!    `-ltrajplot`.
//!
//! pkg-config and the compiler are run as programs rather than through
//! crates so that the build needs nothing from crates.io.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const LIB_DIR_VARIABLE: &str = "TRAJPLOT_LIB_DIR";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={}", LIB_DIR_VARIABLE);
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=LIBRARY_PATH");

    let search_dirs = match env::var_os(LIB_DIR_VARIABLE).filter(|dir| !dir.is_empty()) {
        Some(dir) => vec![checked_lib_dir(PathBuf::from(dir))],
        None => pkg_config_lib_dirs().unwrap_or_default(),
    };
    if search_dirs.is_empty() {
        check_linker_finds_library();
    }
    for dir in &search_dirs {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    // Crates that depend on this one read it as DEP_TRAJPLOT_LIB_DIR, e.g. to
    // set an rpath for their own programs.
    if let Some(first) = search_dirs.first() {
        println!("cargo:lib_dir={}", first.display());
    }
    println!("cargo:rustc-link-lib=dylib=trajplot");
}

fn library_file_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libtrajplot.dylib"
    } else {
        "libtrajplot.so"
    }
}

fn checked_lib_dir(dir: PathBuf) -> PathBuf {
    let library = dir.join(library_file_name());
    if !library.exists() {
        panic!(
            "{}={} does not hold {}; point it at the directory of trajplot's shared \
             library (the CMake build tree, or the lib/ of an install prefix)",
            LIB_DIR_VARIABLE,
            dir.display(),
            file_name(&library)
        );
    }
    dir
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `-L` directories of `pkg-config --libs-only-L trajplot`, or None when
/// pkg-config is missing or does not know trajplot.
fn pkg_config_lib_dirs() -> Option<Vec<PathBuf>> {
    let program = env::var_os("PKG_CONFIG").unwrap_or_else(|| "pkg-config".into());
    let output = Command::new(program)
        .args(["--libs-only-L", "trajplot"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let flags = String::from_utf8(output.stdout).ok()?;
    Some(
        flags
            .split_whitespace()
            .filter_map(|flag| flag.strip_prefix("-L"))
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .collect(),
    )
}

/// Stops the build, naming the variable to set, when neither LIBRARY_PATH
/// nor the compiler's library search path holds the library. When the
/// compiler cannot say where it looks, the linker is left to try.
fn check_linker_finds_library() {
    let mut dirs: Vec<PathBuf> = env::var_os("LIBRARY_PATH")
        .map(|paths| env::split_paths(&paths).collect())
        .unwrap_or_default();
    match compiler_library_dirs() {
        Some(compiler_dirs) => dirs.extend(compiler_dirs),
        None => return,
    }
    if dirs.iter().any(|dir| dir.join(library_file_name()).exists()) {
        return;
    }
    panic!(
        "cannot find trajplot's shared library ({}): set {} to the directory that holds it \
         (the CMake build tree, e.g. {}=$PWD/build, or the lib/ of an install prefix), \
         or make pkg-config find trajplot.pc (PKG_CONFIG_PATH=<prefix>/lib/pkgconfig), \
         or install it in a directory the linker searches (cmake --install build)",
        library_file_name(),
        LIB_DIR_VARIABLE,
        LIB_DIR_VARIABLE
    );
}

/// The directories of the `libraries: =` line of `$CC -print-search-dirs`
/// (GCC and Clang), or None when the compiler cannot be run or says nothing.
fn compiler_library_dirs() -> Option<Vec<PathBuf>> {
    let compiler = env::var_os("CC")
        .filter(|cc| !cc.is_empty())
        .unwrap_or_else(|| "cc".into());
    let output = Command::new(compiler)
        .arg("-print-search-dirs")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("libraries: "))?;
    let paths = line.strip_prefix('=').unwrap_or(line);
    Some(env::split_paths(paths).collect())
}
