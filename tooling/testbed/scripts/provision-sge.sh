#!/usr/bin/env bash
# Installs Sun Grid Engine 8.1.9 (gridengine-master, gridengine-exec, gridengine-client)
# on a Debian machine, non-interactively, for @hostgrid/testbed's SGE test bed
# (`startSge`). provision.sh runs it; it can also run on its own.
# Idempotent and fast: when everything is there it only checks and returns (a few ms).
# debconf is preseeded (configure a cluster, cell "default", this machine as master), so
# the packages install without a question. Installing never starts a daemon
# (apt-lib.sh's testbed_apt_install). The test bed does not use the
# packages' "default" cell: it makes a private cell of its own for each start and removes
# it afterwards, and starts its own sge_qmaster and sge_execd.
set -euo pipefail
. "$(dirname "$0")/apt-lib.sh"

missing=()
[ -x /usr/sbin/sge_qmaster ] || missing+=(gridengine-master)
[ -x /usr/sbin/sge_execd ] || missing+=(gridengine-exec)
{ command -v qsub && command -v qrsh && command -v qconf && command -v qstat && command -v qdel; } >/dev/null 2>&1 || missing+=(gridengine-client)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    master=$(hostname)
    debconf-set-selections <<EOF
gridengine-common shared/gridengineconfig boolean true
gridengine-common shared/gridenginecell string default
gridengine-common shared/gridenginemaster string ${master}
EOF
  fi
  testbed_apt_install "testbed provision-sge" "${missing[@]}"
fi
