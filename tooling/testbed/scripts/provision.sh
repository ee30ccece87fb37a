#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, non-interactively:
#   openssh-server (sshd), openssh-client (ssh, ssh-keygen), iproute2 (ip, bridges,
#   veths, network namespaces), util-linux (unshare, nsenter) for @hostgrid/testbed, and
#   chromium for the demo's browser tests. `npm test` runs it first.
# Idempotent: when everything is there it only checks and returns (well under a second).
# Installing never starts a daemon: a policy-rc.d that exits 101 is in place while apt
# runs, and whatever policy-rc.d was there before is put back afterwards.
set -euo pipefail

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
{ command -v ssh && command -v ssh-keygen; } >/dev/null 2>&1 || missing+=(openssh-client)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
{ command -v unshare && command -v nsenter; } >/dev/null 2>&1 || missing+=(util-linux)
command -v hostname >/dev/null 2>&1 || missing+=(hostname)
# The demo's report and live view are tested in Debian's chromium (driven by playwright-core).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "testbed provision: missing ${missing[*]}; run as root (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  policy=/usr/sbin/policy-rc.d
  saved=""
  if [ -e "$policy" ]; then
    saved=$(mktemp)
    cp -p "$policy" "$saved"
  fi
  restore() {
    if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
  }
  trap restore EXIT
  printf '#!/bin/sh\n# testbed provision: no daemon starts while packages install\nexit 101\n' >"$policy"
  chmod 755 "$policy"

  echo "testbed provision: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# sshd refuses to start without its privilege-separation directory; /run is a tmpfs,
# so this is needed after every boot, not only after installing.
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p /run/sshd
  chmod 755 /run/sshd
fi
bash "$(dirname "$0")/provision-slurm.sh"
bash "$(dirname "$0")/provision-sge.sh"
