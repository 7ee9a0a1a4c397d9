//! `did-web` forces no TLS backend (issue 15): `DidWebResolver` uses the `reqwest::Client` the
//! caller passes in, so TLS is whatever the caller's own reqwest enables. Asked of Cargo itself:
//! with `did-web` alone, neither rustls nor native-tls is in humanos-vc's dependency graph.

use std::process::Command;

#[test]
fn did_web_enables_no_tls_backend() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    for tls in ["rustls", "native-tls"] {
        let out = Command::new(env!("CARGO"))
            .args(["tree", "--offline", "--manifest-path", manifest])
            .args([
                "-p",
                "humanos-vc",
                "--no-default-features",
                "--features",
                "did-web",
            ])
            .args(["-e", "normal", "-i", tls])
            .output()
            .expect("cargo tree runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // `-i` on a package outside the graph is an error naming it as unmatched.
        assert!(
            !out.status.success() && stderr.contains("did not match any packages"),
            "{tls} is in the did-web graph:\n{stdout}{stderr}"
        );
    }
}
