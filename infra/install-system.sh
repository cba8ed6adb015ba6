#!/usr/bin/env bash
# Install the system programs Parley needs, through apt-get when we may; otherwise say what is missing.
#   infra/install-system.sh run    ffmpeg, node/npm, tesseract (text on screen) with its English data
#   infra/install-system.sh test   also PostgreSQL, Redis, Chromium and real recorded speech (LibriVox clips) for the tests
#   infra/install-system.sh bench  also wrk, the load generator of the page-view benchmark
set -euo pipefail
want=(ffmpeg:ffmpeg npm:npm tesseract:tesseract-ocr /usr/share/tesseract-ocr/5/tessdata/eng.traineddata:tesseract-ocr-eng)
if [ "${1:-run}" = "test" ] || [ "${1:-run}" = "bench" ]; then
  want+=(redis-server:redis-server chromium:chromium initdb:postgresql
         /usr/share/pocketsphinx/test/data/librivox:pocketsphinx-testdata
         /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf:fonts-dejavu-core)
fi
if [ "${1:-run}" = "bench" ]; then
  want+=(wrk:wrk)
fi
missing=()
for pair in "${want[@]}"; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  if [ "${cmd:0:1}" = / ]; then
    [ -e "$cmd" ] || missing+=("$pkg")
  elif [ "$cmd" = initdb ]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=("$pkg")
  else
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "Parley needs: ${missing[*]}. Install them (for example: sudo apt-get install ${missing[*]}) and run make again." >&2
      exit 1
    fi
  fi
  echo "Installing ${missing[*]} with apt-get..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Parley needs: ${missing[*]}. Install them with your system's package manager and run make again." >&2
  exit 1
fi
