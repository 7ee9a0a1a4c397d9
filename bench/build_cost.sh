#!/usr/bin/env bash
# Build cost for users (issue 22): a fresh `cargo build --release` of a project outside the
# workspace that depends on the *packaged* crates (scripts/consumer --unpack-only: `cargo
# package`, the `.crate` files unpacked, a `[patch.crates-io]` onto them), as a crates.io user
# gets them. Two projects:
#   client  `humanos` with its default features, and tokio (a `main` that builds a client)
#   core    `humanos-webhooks` with its default features only (a `main` that processes stdin)
#   core-deps  the crates.io dependencies of `humanos-webhooks`, `humanos-models` and
#           `humanos-signing` (default features), with the workspace's features, and none of our
#           code: the floor under `core` that no change in our crates can go below
# Each is built in an empty target directory after `cargo fetch` (the registry warm, nothing
# compiled), with `--timings`. Prints per project: crates compiled, wall, CPU (user + sys), and
# the critical path read from cargo's timings (the chain of units, each waiting for the one
# before it, that ends with the last unit to finish).
#
# Usage: bench/build_cost.sh [client|core|core-deps ...]   (default: client core)
# Env:   BUILD_COST_DIR (where the projects go; default target/build-cost), BUILD_COST_FEATURES_client /
#        BUILD_COST_FEATURES_core (a dependency spec override, e.g. '{ version = "0.1", default-features = false, features = ["rustls-aws-lc"] }')
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(client core)
dir="${BUILD_COST_DIR:-$root/target/build-cost}"

scripts/consumer --unpack-only >/dev/null
patch=$(sed -n '/^\[patch.crates-io\]/,$p' target/consumer/Cargo.toml)

write_project() { # name dependency-lines main.rs
  local p="$dir/$1"
  rm -rf "$p" && mkdir -p "$p/src"
  printf '[package]\nname = "build-cost-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s\n\n%s\n' \
    "$1" "$2" "$patch" >"$p/Cargo.toml"
  printf '%s\n' "$3" >"$p/src/main.rs"
  cp Cargo.lock "$p/Cargo.lock"
}

for name in "${projects[@]}"; do
  case "$name" in
    client)
      spec="${BUILD_COST_FEATURES_client:-\"0.1\"}"
      write_project client "humanos = $spec
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }" '#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = humanos::HumanosClient::builder()
        .api_key(std::env::var("HUMANOS_API_KEY")?)
        .signature_secret(std::env::var("HUMANOS_SIGNATURE_SECRET")?)
        .build()?;
    println!("{client:?}");
    Ok(())
}' ;;
    core)
      spec="${BUILD_COST_FEATURES_core:-\"0.1\"}"
      write_project core "humanos-webhooks = $spec" 'use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = humanos_webhooks::WebhookConfig::from_env()?;
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let headers: [(&str, &str); 0] = [];
    println!("{:?}", config.process(&headers, &body));
    Ok(())
}' ;;
    core-deps)
      write_project core-deps "$(python3 bench/build_cost_deps.py humanos-webhooks humanos-models humanos-signing)" 'fn main() {}' ;;
    *) echo "unknown project: $name (client, core, core-deps)" >&2; exit 2 ;;
  esac
  p="$dir/$name"
  (cd "$p" && cargo fetch --quiet)
  echo "==> $name: cargo build --release --timings (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  log="$p/build.log"
  (cd "$p" && CARGO_TARGET_DIR="$p/target" /usr/bin/time -f 'TIME %e %U %S' cargo build --release --timings) >"$log" 2>&1 || {
    cat "$log" >&2
    exit 1
  }
  read -r _ wall user sys < <(grep '^TIME ' "$log")
  crates=$(grep -c '^ *Compiling ' "$log" || true)
  python3 - "$name" "$crates" "$wall" "$user" "$sys" "$p/target/cargo-timings/cargo-timing.html" <<'EOF'
import json, re, sys
name, crates, wall, user, sys_, html = sys.argv[1:]
cpu = float(user) + float(sys_)
print(f"{name}: {crates} crates, wall {float(wall):.1f} s, CPU {cpu:.1f} s (user {user} + sys {sys_}), CPU / 2 cores {cpu / 2:.1f} s")
text = open(html).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S).group(1))
by_index = {u["i"]: u for u in units}
unlocked_by = {}
for u in units:
    for j in u.get("unblocked_units", []) + u.get("unblocked_rmeta_units", []):
        unlocked_by.setdefault(j, []).append(u)
end = lambda u: u["start"] + u["duration"]
chain, u = [], max(units, key=end)
while u is not None:
    chain.append(u)
    before = unlocked_by.get(u["i"], [])
    u = max(before, key=end) if before else None
print("  critical path (start -> end, seconds of wall):")
for u in reversed(chain):
    target = u.get("target", "").strip()
    print(f"    {u['start']:7.1f} -> {end(u):7.1f}  {u['name']} {u['version']}{(' ' + target) if target else ''}")
EOF
  echo "  timings: $p/target/cargo-timings/cargo-timing.html (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
done
