#!/usr/bin/env bash
# Runs every test of Portolan: installs the real clients the tests drive when they are missing
# (Debian packages; needs root, or install them yourself first), then `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# awscli: Debian's aws v2 at /usr/bin/aws, the client of the API tests.
# dnsutils: dig and nslookup. libnss-myhostname: resolves *.localhost (the data- host prefix recipe).
packages=()
[ -x /usr/bin/aws ] || packages+=(awscli)
command -v dig >/dev/null || packages+=(dnsutils)
[ -e /usr/share/doc/libnss-myhostname ] || packages+=(libnss-myhostname)
# chromium: the browser the console's Playwright tests drive (Playwright's own browser download is not used).
[ -x /usr/bin/chromium ] || packages+=(chromium)
# etcd-server, etcd-client: the real etcd cluster the etcd store and cluster tests start on loopback.
[ -x /usr/bin/etcd ] || packages+=(etcd-server)
command -v etcdctl >/dev/null || packages+=(etcd-client)
# curl: the ECS echo example's container health check.
command -v curl >/dev/null || packages+=(curl)
# procps: the ECS walkthrough finds a task's process with ps.
command -v ps >/dev/null || packages+=(procps)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${packages[*]} — run: sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# The AWS SDK for JavaScript v3, a second real client (for operations newer than Debian's CLI).
if [ -f tests/js-sdk/package-lock.json ]; then
  (cd tests/js-sdk && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
status=0
dotnet test Portolan.slnx "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over all test projects.
awk '/(Passed|Failed)! +- +Failed: /{
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
