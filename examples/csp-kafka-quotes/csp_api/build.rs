//! Compiles the bundled C++ bridge (`cpp/`) against the installed csp and
//! links it to csp's `_cspimpl.so` (the extension crate's build.rs adds the
//! rpath that finds it at run time).
//!
//! The Python interpreter whose csp is used comes from `PYO3_PYTHON`, then
//! `PYTHON_SYS_EXECUTABLE`, then `python3` on `PATH`. Cargo runs this script
//! again when that csp changes (another path or a reinstall: its
//! `_cspimpl.so` is watched) or when `PYTHONPATH` does: pip's isolated builds
//! point it at a temporary environment with a csp of its own, which pip
//! deletes after the build.

use std::env;
use std::process::Command;

const PROBE: &str = "\
import csp, numpy, sysconfig
print(csp.__version__)
print(csp.get_include_path())
print(csp.get_lib_path())
print(numpy.get_include())
print(sysconfig.get_paths()['include'])
";

struct CspInstall {
    version: String,
    include: String,
    lib: String,
    numpy_include: String,
    python_include: String,
}

fn python() -> String {
    ["PYO3_PYTHON", "PYTHON_SYS_EXECUTABLE"]
        .iter()
        .find_map(|name| env::var(name).ok())
        .unwrap_or_else(|| "python3".to_owned())
}

fn probe_csp(python: &str) -> CspInstall {
    let output = Command::new(python)
        .args(["-c", PROBE])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} to find csp: {e}"));
    if !output.status.success() {
        panic!(
            "{python} cannot import csp and numpy (install csp first, or set PYO3_PYTHON):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8(output.stdout).expect("csp paths are UTF-8");
    let mut lines = text.lines().map(str::to_owned);
    let mut next = || lines.next().expect("the csp probe printed every line");
    CspInstall {
        version: next(),
        include: next(),
        lib: next(),
        numpy_include: next(),
        python_include: next(),
    }
}

fn main() {
    let python = python();
    let csp = probe_csp(&python);

    cc::Build::new()
        .cpp(true)
        .std("c++20")
        .file("cpp/csp_c_api_bridge.cpp")
        .include("cpp")
        // System includes: csp's own headers are not warning-clean.
        .flag(format!("-isystem{}", csp.include))
        .flag(format!("-isystem{}", csp.numpy_include))
        .flag(format!("-isystem{}", csp.python_include))
        .warnings(true)
        .extra_warnings(true)
        .compile("csp_c_api_bridge");

    println!("cargo:rustc-link-search=native={}", csp.lib);
    println!("cargo:rustc-link-lib=dylib:+verbatim=_cspimpl.so");
    println!("cargo:rustc-env=CSP_BUILD_VERSION={}", csp.version);

    // The Python build backend runs cargo without features of our choosing:
    // CSP_ADAPTER_TESTING=1 turns the `testing` feature on (the test harness).
    println!("cargo:rerun-if-env-changed=CSP_ADAPTER_TESTING");
    if env::var("CSP_ADAPTER_TESTING").is_ok_and(|value| value == "1") {
        println!("cargo:rustc-cfg=feature=\"testing\"");
    }

    println!("cargo:rerun-if-changed=cpp");
    println!("cargo:rerun-if-changed={}/_cspimpl.so", csp.lib);
    for name in [
        "PYO3_PYTHON",
        "PYTHON_SYS_EXECUTABLE",
        "VIRTUAL_ENV",
        "PYTHONPATH",
    ] {
        println!("cargo:rerun-if-env-changed={name}");
    }
    if python == "python3" {
        // Which python3 that is depends on PATH.
        println!("cargo:rerun-if-env-changed=PATH");
    }
}
