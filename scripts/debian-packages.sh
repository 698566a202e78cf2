#!/usr/bin/env bash
# Install the Debian packages wijkvitaliteit needs that are missing (as root, or through sudo).
#   chromium                         browser tests (Playwright drives /usr/bin/chromium)
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core   WeasyPrint (PDF reports)
#   poppler-utils                    pdftoppm/pdftotext: the tests look at the rendered PDF
#   wrk, hey                         load generators of `make bench` (only with --bench): wrk for
#                                    latency under many clients, hey for a fixed request rate
set -euo pipefail
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils)
[ "${1:-}" = "--bench" ] && packages+=(wrk hey)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
