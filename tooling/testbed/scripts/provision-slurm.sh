#!/usr/bin/env bash
# Installs SLURM 22.05 (slurmctld, slurmd, the client commands) and munge on a Debian
# machine, non-interactively, for @hostgrid/testbed's SLURM test bed (`startSlurm`).
# provision.sh runs it; it can also run on its own.
# Idempotent and fast: when everything is there it only checks and returns (a few ms).
# Installing never starts a daemon (apt-lib.sh's testbed_apt_install). The test bed
# starts its own munged, slurmctld and slurmds, with their own keys and config.
set -euo pipefail
. "$(dirname "$0")/apt-lib.sh"

missing=()
[ -x /usr/sbin/slurmctld ] || missing+=(slurmctld)
[ -x /usr/sbin/slurmd ] || missing+=(slurmd)
{ command -v srun && command -v sbatch && command -v scontrol && command -v squeue && command -v scancel; } >/dev/null 2>&1 || missing+=(slurm-client)
{ [ -x /usr/sbin/munged ] && command -v mungekey; } >/dev/null 2>&1 || missing+=(munge)
# slurmd runs in each host's network namespace through nsenter (util-linux).
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)

if [ "${#missing[@]}" -gt 0 ]; then
  testbed_apt_install "testbed provision-slurm" "${missing[@]}"
fi
