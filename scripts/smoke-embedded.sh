#!/usr/bin/env bash
# `make run` with no servers configured: it must serve a tenant's /readyz and sign-in
# page, and after Ctrl-C leave nothing running (no postgres, worker, beat or web).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SMOKE_PORT:-8765}
state=$(mktemp -d)
log="$state/run.log"
cleanup() { rm -rf "$state"; }
trap cleanup EXIT

set -m  # the run gets its own process group, as a terminal would give it
env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL EPURSE_LOCAL_DIR="$state/local" \
  make run PORT="$port" >"$log" 2>&1 &
run_pid=$!
set +m

ready=""
for _ in $(seq 1 180); do
  if curl -fsS "http://kingsmere.localhost:$port/readyz" >"$state/readyz" 2>/dev/null; then
    ready=yes
    break
  fi
  if ! kill -0 "$run_pid" 2>/dev/null; then break; fi
  sleep 1
done
if [ -z "$ready" ]; then
  echo "FAIL: http://kingsmere.localhost:$port/readyz did not answer 200. Output:"
  cat "$log"
  kill -INT -- "-$run_pid" 2>/dev/null || true
  exit 1
fi
echo "readyz: $(cat "$state/readyz")"
curl -fsS "http://kingsmere.localhost:$port/account/sign-in/" | grep -q "Sign in to Kingsmere Borough Council ePurse"
echo "sign-in page: ok"

kill -INT -- "-$run_pid"  # Ctrl-C
wait "$run_pid" || true

leftovers=$(grep -ls "EPURSE_LOCAL_DIR=$state/local" /proc/[0-9]*/environ 2>/dev/null || true)
postgres=$(pgrep -f "$state/local/pgdata" || true)
if [ -n "$leftovers$postgres" ]; then
  echo "FAIL: processes left running after Ctrl-C:"
  for pid in $postgres $(echo "$leftovers" | cut -d/ -f3); do ps -o pid=,args= -p "$pid" || true; done
  exit 1
fi
echo "stopped cleanly: no postgres, web, worker or beat left"
