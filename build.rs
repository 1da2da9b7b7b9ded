// The exercises, solutions and Python runtime are embedded with include_dir, which cannot
// tell cargo about the files it reads: rebuild when any of them changes.
fn main() {
    for dir in [
        "exercises",
        "solutions",
        "src/runtime/py",
        "src/judge/host.py",
        "src/i18n",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
