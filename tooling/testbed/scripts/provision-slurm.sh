#!/usr/bin/env bash
# Installs SLURM 22.05 (slurmctld, slurmd, the client commands) and munge on a Debian
# machine, non-interactively, for @hostgrid/testbed's SLURM test bed (`startSlurm`).
# provision.sh runs it; it can also run on its own.
# Idempotent and fast: when everything is there it only checks and returns (a few ms).
# Installing never starts a daemon: a policy-rc.d that exits 101 is in place while apt
# runs, and whatever policy-rc.d was there before is put back afterwards. The test bed
# starts its own munged, slurmctld and slurmds, with their own keys and config.
set -euo pipefail

missing=()
[ -x /usr/sbin/slurmctld ] || missing+=(slurmctld)
[ -x /usr/sbin/slurmd ] || missing+=(slurmd)
{ command -v srun && command -v sbatch && command -v scontrol && command -v squeue && command -v scancel; } >/dev/null 2>&1 || missing+=(slurm-client)
{ [ -x /usr/sbin/munged ] && command -v mungekey; } >/dev/null 2>&1 || missing+=(munge)
# slurmd runs in each host's network namespace through nsenter (util-linux).
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "testbed provision-slurm: missing ${missing[*]}; run as root (apt-get install -y ${missing[*]})" >&2
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
  printf '#!/bin/sh\n# testbed provision-slurm: no daemon starts while packages install\nexit 101\n' >"$policy"
  chmod 755 "$policy"

  echo "testbed provision-slurm: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Other provisioning (SGE, say) may hold the dpkg lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
