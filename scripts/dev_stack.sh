#!/usr/bin/env bash
# `make up`: the service mode on one machine. Redis (AOF on, data in .liftlab/dev), an S3-compatible
# server (moto; production runs MinIO), the pipeline worker (local Ray + the CPU pose app) and the API.
# Creates an admin user once and prints its API key; publishes the demo session in the background.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
REDIS_PORT=${REDIS_PORT:-6380}
S3_PORT=${S3_PORT:-9000}
API_PORT=${API_PORT:-8000}
DATA=.liftlab/dev
mkdir -p "$DATA"

export LIFTLAB_REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
export LIFTLAB_S3_ENDPOINT="127.0.0.1:${S3_PORT}"
export LIFTLAB_S3_ACCESS_KEY=dev LIFTLAB_S3_SECRET_KEY=dev-secret
export LIFTLAB_API_PORT="$API_PORT" LIFTLAB_METRICS_PORT="${METRICS_PORT:-9100}"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$PWD/$DATA" --appendonly yes --save '' \
  --logfile "$PWD/$DATA/redis.log" &
pids+=($!)
"$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$DATA/s3.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  "$BIN/python" -c "import redis,sys; redis.Redis.from_url('$LIFTLAB_REDIS_URL').ping()" 2>/dev/null && break
  sleep 0.2
done

if [ ! -s "$DATA/admin.key" ]; then
  "$BIN/liftlab" admin create-user --name "Dev Admin" --role admin --plan pro | tee "$DATA/admin.key"
fi
echo "admin $(grep '^api_key:' "$DATA/admin.key")  (also in $DATA/admin.key)"

# The demo session (?demo=true) is produced by the pipeline itself, once (about a minute on 2 cores).
if [ ! -s "$DATA/demo/report.json" ]; then
  echo "building the demo session..."
  "$BIN/liftlab" demo --out "$DATA/demo" --publish >"$DATA/demo.log" 2>&1 || echo "demo failed: see $DATA/demo.log"
fi
"$BIN/liftlab" worker >"$DATA/worker.log" 2>&1 &
pids+=($!)
echo "API on http://127.0.0.1:${API_PORT}  (docs: /docs/)  logs in $DATA/"
"$BIN/liftlab" serve --port "$API_PORT"
