#!/usr/bin/env bash
# Installs Sun Grid Engine 8.1.9 (gridengine-master, gridengine-exec, gridengine-client)
# on a Debian machine, non-interactively, for @hostgrid/testbed's SGE test bed
# (`startSge`). provision.sh runs it; it can also run on its own.
# Idempotent and fast: when everything is there it only checks and returns (a few ms).
# debconf is preseeded (configure a cluster, cell "default", this machine as master), so
# the packages install without a question. Installing never starts a daemon: a
# policy-rc.d that exits 101 is in place while apt runs. The test bed does not use the
# packages' "default" cell: it makes a private cell of its own for each start and removes
# it afterwards, and starts its own sge_qmaster and sge_execd.
set -euo pipefail

missing=()
[ -x /usr/sbin/sge_qmaster ] || missing+=(gridengine-master)
[ -x /usr/sbin/sge_execd ] || missing+=(gridengine-exec)
{ command -v qsub && command -v qrsh && command -v qconf && command -v qstat && command -v qdel; } >/dev/null 2>&1 || missing+=(gridengine-client)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "testbed provision-sge: missing ${missing[*]}; run as root (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  policy=/usr/sbin/policy-rc.d
  # Another provisioning script (SLURM's, say) may be installing at the same time with its
  # own policy-rc.d: one that already refuses (exit 101) is left exactly as it is, so that
  # neither script puts back a file the other one made.
  saved=""
  ours=""
  if ! { [ -x "$policy" ] && grep -q '^exit 101' "$policy"; }; then
    if [ -e "$policy" ]; then
      saved=$(mktemp)
      cp -p "$policy" "$saved"
    fi
    ours=yes
  fi
  restore() {
    if [ -z "$ours" ]; then return; fi
    if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
  }
  trap restore EXIT
  if [ -n "$ours" ]; then
    printf '#!/bin/sh\n# testbed provision-sge: no daemon starts while packages install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi

  master=$(hostname)
  debconf-set-selections <<EOF
gridengine-common shared/gridengineconfig boolean true
gridengine-common shared/gridenginecell string default
gridengine-common shared/gridenginemaster string ${master}
EOF

  echo "testbed provision-sge: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Other provisioning (SLURM, say) may hold the dpkg lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
