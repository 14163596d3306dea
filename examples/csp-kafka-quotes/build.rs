//! Lets the extension find csp's `_cspimpl.so` at run time: the extension is
//! installed as site-packages/<package>/_native*.so, csp's library lives in
//! site-packages/csp/lib/. (csp_api/build.rs compiles and links the bridge.)

fn main() {
    println!("cargo:rustc-link-arg-cdylib=-Wl,-rpath,$ORIGIN/../csp/lib");
}
