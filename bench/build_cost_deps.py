"""The crates.io dependencies of the named workspace crates (with their default features), as
`[dependencies]` lines with the workspace's versions and features: bench/build_cost.sh's
`core-deps` project, the floor of a build that depends on those crates."""

import sys
import tomllib

root = tomllib.load(open("Cargo.toml", "rb"))["workspace"]["dependencies"]
chosen = {}
for crate in sys.argv[1:]:
    manifest = tomllib.load(open(f"crates/{crate}/Cargo.toml", "rb"))
    features = manifest.get("features", {})
    enabled = {f for d in features.get("default", []) for f in features.get(d, [])}
    for name, spec in manifest["dependencies"].items():
        if name.startswith("humanos"):
            continue
        if isinstance(spec, dict) and spec.get("optional") and f"dep:{name}" not in enabled:
            continue
        chosen[name] = root[name]


def value(v):
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"


for name, spec in sorted(chosen.items()):
    print(f"{name} = {value(spec)}")
