# Shared by provision.sh, provision-slurm.sh and provision-sge.sh (sourced, not run).
# testbed_apt_install NAME PACKAGE... installs the packages non-interactively without
# starting a daemon, or exits 1 naming them when not root. NAME ("testbed provision-sge",
# say) starts every message.
#
# Installing never starts a daemon: a policy-rc.d that exits 101 is in place while apt
# runs, and whatever policy-rc.d was there before is put back when the script exits.
# Another provisioning script may be installing at the same time with its own
# policy-rc.d: one that already refuses (exit 101) is left exactly as it is, so that
# neither script puts back a file the other one made. Another script may also hold the
# dpkg lock: apt waits for it (up to 300 s) rather than fail.

testbed_apt_policy=/usr/sbin/policy-rc.d
testbed_apt_saved=""
testbed_apt_ours=""

# Puts back the policy-rc.d that was there before testbed_apt_install (EXIT trap).
testbed_apt_restore() {
  if [ -z "$testbed_apt_ours" ]; then return; fi
  if [ -n "$testbed_apt_saved" ]; then
    mv -f "$testbed_apt_saved" "$testbed_apt_policy"
  else
    rm -f "$testbed_apt_policy"
  fi
}

testbed_apt_install() {
  local name=$1
  shift
  if [ "$(id -u)" -ne 0 ]; then
    echo "${name}: missing $*; run as root (apt-get install -y $*)" >&2
    exit 1
  fi
  if ! { [ -x "$testbed_apt_policy" ] && grep -q '^exit 101' "$testbed_apt_policy"; }; then
    if [ -e "$testbed_apt_policy" ]; then
      testbed_apt_saved=$(mktemp)
      cp -p "$testbed_apt_policy" "$testbed_apt_saved"
    fi
    testbed_apt_ours=yes
  fi
  trap testbed_apt_restore EXIT
  if [ -n "$testbed_apt_ours" ]; then
    printf '#!/bin/sh\n# %s: no daemon starts while packages install\nexit 101\n' "$name" >"$testbed_apt_policy"
    chmod 755 "$testbed_apt_policy"
  fi

  echo "${name}: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}
