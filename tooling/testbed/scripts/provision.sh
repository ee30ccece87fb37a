#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, non-interactively:
#   openssh-server (sshd), openssh-client (ssh, ssh-keygen), iproute2 (ip, bridges,
#   veths, network namespaces), util-linux (unshare, nsenter) for @hostgrid/testbed, and
#   chromium for the demo's browser tests. `npm test` runs it first.
# Idempotent: when everything is there it only checks and returns (well under a second).
# Installing never starts a daemon (apt-lib.sh's testbed_apt_install).
set -euo pipefail
. "$(dirname "$0")/apt-lib.sh"

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
{ command -v ssh && command -v ssh-keygen; } >/dev/null 2>&1 || missing+=(openssh-client)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
{ command -v unshare && command -v nsenter; } >/dev/null 2>&1 || missing+=(util-linux)
command -v hostname >/dev/null 2>&1 || missing+=(hostname)
# The demo's report and live view are tested in Debian's chromium (driven by playwright-core).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  testbed_apt_install "testbed provision" "${missing[@]}"
fi

# sshd refuses to start without its privilege-separation directory; /run is a tmpfs,
# so this is needed after every boot, not only after installing.
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p /run/sshd
  chmod 755 /run/sshd
fi
bash "$(dirname "$0")/provision-slurm.sh"
bash "$(dirname "$0")/provision-sge.sh"
