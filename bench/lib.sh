# Shell helpers shared by bench/webhook_load.sh and bench/soak.sh (sourced, not run).
# Both expect $work (a scratch directory) and the three HUMANOS_WEBHOOK_* secrets in the
# environment.

# Waits until something listens on 127.0.0.1:$1 (10 s), else prints the servers' logs and exits.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; cat "$work"/*.log >&2; exit 1
}

# seal PYTHON REQUEST_ID MESSAGE: seals one `test` delivery timestamped now, the way the Humanos
# server does (interop/py_seal.py, with PYTHON that has `cryptography`), and exports
# WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP and WEBHOOK_BODY_FILE.
seal() {
  local plaintext ts
  ts="$(date +%s%3N)"
  plaintext="{\"eventType\":\"test\",\"requestId\":\"$2\",\"issuerDid\":\"did:web:humanos.id\",\"user\":{\"contact\":\"ana@example.com\",\"id\":\"usr_bench\"},\"api_version\":\"2026-09-01\",\"message\":\"$3\"}"
  "$1" - "$plaintext" "$ts" "$work" <<'PY'
import json, os, subprocess, sys
plaintext, ts, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
case = {"config": {"signature_secret": os.environ["HUMANOS_WEBHOOK_SIGNATURE_SECRET"],
                   "encryption_secret": os.environ["HUMANOS_WEBHOOK_ENCRYPTION_SECRET"],
                   "encryption_salt": os.environ["HUMANOS_WEBHOOK_ENCRYPTION_SALT"]},
        "plaintext": plaintext, "timestamp": ts}
out = subprocess.run([sys.executable, "interop/py_seal.py"], input=json.dumps(case) + "\n",
                     capture_output=True, text=True, check=True).stdout
sealed = json.loads(out)
open(os.path.join(work, "body.json"), "w").write(sealed["body"])
open(os.path.join(work, "headers.env"), "w").write(
    "WEBHOOK_SIGNATURE=%s\nWEBHOOK_TIMESTAMP=%s\n"
    % (sealed["headers"]["x-signature"], sealed["headers"]["x-timestamp"]))
PY
  set -a; . "$work/headers.env"; set +a
  export WEBHOOK_BODY_FILE="$work/body.json"
}
