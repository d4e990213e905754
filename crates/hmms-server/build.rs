//! Builds the web app into `web/dist` when its sources changed, so that `cargo build` on a
//! fresh clone gives a binary that serves it (the files are embedded by `src/web.rs`). Needs
//! Node.js 20.19+ with npm; packages come from the npm registry (`npm ci`, pinned by
//! `web/package-lock.json`). A stamp of the inputs skips the build when nothing changed.

// A build script fails by panicking: that is how cargo shows its message.
#![allow(clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const INPUTS: &[&str] = &[
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "postcss.config.cjs",
];

/// FNV-1a over every input file's path and bytes, in a stable order.
fn fingerprint(web: &Path) -> String {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            let mut entries: Vec<_> = fs::read_dir(p)
                .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else if p.is_file() {
            out.push(p.to_path_buf());
        }
    }
    let mut files = Vec::new();
    for i in INPUTS {
        walk(&web.join(i), &mut files);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let rel = f
            .strip_prefix(web)
            .unwrap_or(&f)
            .to_string_lossy()
            .into_owned();
        for b in rel.bytes().chain(fs::read(&f).unwrap_or_default()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn npm(web: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(web)
        .status()
        .unwrap_or_else(|e| {
            panic!("building the web app needs Node.js 20.19+ and npm on PATH ({e})")
        });
    assert!(
        status.success(),
        "`npm {}` in web/ failed; see its output above",
        args.join(" ")
    );
}

fn main() {
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web");
    for i in INPUTS {
        println!("cargo:rerun-if-changed={}", web.join(i).display());
    }
    let stamp = fingerprint(&web);
    let dist = web.join("dist");
    let stamp_file = web.join("node_modules/.hmms-dist");
    if dist.join("index.html").is_file()
        && fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp)
    {
        return;
    }
    let lock = fs::read(web.join("package-lock.json")).unwrap_or_default();
    let lock_stamp = web.join("node_modules/.hmms-lock");
    if fs::read(&lock_stamp).ok().as_deref() != Some(lock.as_slice()) {
        npm(&web, &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
        fs::write(&lock_stamp, &lock).expect("write node_modules stamp");
    }
    npm(&web, &["run", "build:dist", "--silent"]);
    fs::write(&stamp_file, stamp).expect("write web/dist stamp");
}
