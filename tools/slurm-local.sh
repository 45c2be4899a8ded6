#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for trying the SLURM profile (profiles/slurm/, docs/cluster.md)
# and for `pytest -m slurm` (tests/test_slurm.py) without a real cluster. Not for a real cluster: there, SLURM is
# already running and you only need the profile. Debian 12 (slurm-wlm 22.05, munge 0.5).
#
#   bash tools/slurm-local.sh           # install if needed, configure, start; prints sinfo
#   bash tools/slurm-local.sh status    # the daemons this script started, and sinfo
#   bash tools/slurm-local.sh stop      # stop the daemons this script started (and no others)
#
# Needs root: it installs Debian's slurm-wlm and munge (apt-get, waiting up to 5 minutes for a dpkg/apt lock that
# another process holds), writes /etc/slurm/slurm.conf and /etc/munge/munge.key, and runs munged, slurmctld and
# slurmd (slurmd must be root to run jobs as the user who submitted them). Run as root, it does all that itself;
# run as another user, it re-runs itself through sudo if sudo is installed, and otherwise says what it needs.
#
# What it sets up: munge (authentication; an already working munged is used as it is), slurmctld and slurmd on
# this host, one partition `main` with this node as `slurmd -C` describes it, ProctrackType=proctrack/linuxproc
# and TaskPlugin=task/none (no cgroups in a container), no accounting database (sacct does not work; the profile
# queries job status with squeue, and MinJobAge=3600 keeps finished jobs visible to it). The PIDs of the daemons
# it starts are kept in $STATE/daemons.pid; `stop` ends those processes only, after checking that each PID still
# belongs to the daemon it started.
set -euo pipefail
ACTION=${1:-start}
CONF=/etc/slurm/slurm.conf
MARK="# written by fittrial tools/slurm-local.sh"
STATE=/run/fittrial-slurm-local
PIDS=$STATE/daemons.pid

case "$ACTION" in
  start | stop | status) ;;
  *) echo "usage: bash tools/slurm-local.sh [start|status|stop]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    echo "slurm-local.sh: this needs root; re-running through sudo" >&2
    exec sudo -- bash "$0" "$ACTION"
  fi
  cat >&2 <<'EOF'
slurm-local.sh: this needs root, and you are not root and sudo is not installed.
It must, as root: install Debian's slurm-wlm and munge (apt-get), write /etc/slurm/slurm.conf and
/etc/munge/munge.key, and run munged, slurmctld and slurmd (slurmd runs each job as the user who submitted it).
Run it as root (e.g. `su -c 'bash tools/slurm-local.sh'`), or ask your administrator. On a real cluster you do
not need it: SLURM already runs there, and the profile is all you need (docs/cluster.md).
EOF
  exit 1
fi

# the daemons this script started: "name pid" lines; alive only if /proc/<pid>/comm still names the daemon
our_daemons() {
  [ -s "$PIDS" ] || return 0
  local name pid
  while read -r name pid; do
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      echo "$name $pid"
    fi
  done <"$PIDS"
  return 0
}

if [ "$ACTION" = "status" ]; then
  running=$(our_daemons)
  if [ -z "$running" ]; then echo "no daemons started by slurm-local.sh are running"; exit 0; fi
  echo "started by slurm-local.sh (name, PID):"
  echo "$running"
  sinfo 2>/dev/null || true
  exit 0
fi

if [ "$ACTION" = "stop" ]; then
  running=$(our_daemons)
  if [ -z "$running" ]; then
    echo "no daemons started by slurm-local.sh are running"
    rm -f "$PIDS"
    exit 0
  fi
  # slurmd first (it runs the jobs), munged last (the others authenticate through it)
  for name in slurmd slurmctld munged; do
    pid=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$running")
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 20); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
    if [ -d "/proc/$pid" ]; then echo "$name (PID $pid) did not stop; it is still running" >&2; else echo "stopped $name (PID $pid)"; fi
  done
  rm -f "$PIDS"
  exit 0
fi

# ---- start ----
if [ -n "$(our_daemons)" ]; then
  echo "already running (started by slurm-local.sh):"
  our_daemons
  sinfo
  exit 0
fi
# a SLURM set up by someone else on this machine is left alone: its config is not ours to overwrite
if [ -e "$CONF" ] && ! grep -qxF "$MARK" "$CONF"; then
  echo "slurm-local.sh: $CONF exists and was not written by this script; this machine has its own SLURM set-up," \
       "which this script leaves alone. Use it with the profile directly (docs/cluster.md)." >&2
  exit 1
fi
for daemon in slurmctld slurmd; do
  if pgrep -x "$daemon" >/dev/null 2>&1; then
    echo "slurm-local.sh: a $daemon that this script did not start is running; stop it first (this script does" \
         "not end processes it did not start)." >&2
    exit 1
  fi
done

# apt-get that waits for a dpkg/apt lock held by another process (an unattended upgrade, another install):
# DPkg::Lock::Timeout waits for dpkg's lock; the package lists' lock (apt-get update) is retried every 10 s
apt_get() {
  local tries=0 out
  until out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" 2>&1); do
    if grep -qi "lock" <<<"$out" && [ $((tries += 1)) -le 30 ]; then
      echo "waiting for the apt/dpkg lock another process holds ($tries/30) ..." >&2
      sleep 10
      continue
    fi
    printf '%s\n' "$out" >&2
    return 1
  done
}
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  if ! command -v apt-get >/dev/null; then
    echo "slurm-local.sh: slurmctld, slurmd and munged are not installed and there is no apt-get (this script" \
         "installs Debian's slurm-wlm and munge); install them with your system's package manager." >&2
    exit 1
  fi
  echo "installing slurm-wlm and munge (apt-get) ..."
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends slurm-wlm munge
fi

mkdir -p "$STATE"
: >"$PIDS"
# start a daemon in the foreground, detached from this shell (setsid), and record its PID
start_daemon() {
  local name=$1
  shift
  setsid "$@" >>"$STATE/$name.out" 2>&1 </dev/null &
  echo "$name $!" >>"$PIDS"
}

# munge: a key, its run directory, the daemon (a munged that already works is used, not replaced)
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || create-munge-key -f
  fi
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  start_daemon munged setpriv --reuid=munge --regid=munge --init-groups munged --foreground
  for _ in $(seq 20); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.5; done
fi

# slurm.conf for this one node
host=$(hostname -s)
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
node=$(slurmd -C | head -n1 | sed "s/^NodeName=[^ ]*/NodeName=$host/")
cat >"$CONF" <<CONFEOF
$MARK
ClusterName=fittrial
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONFEOF
start_daemon slurmctld slurmctld -D
start_daemon slurmd slurmd -D
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|allocated"; then
    sinfo
    echo "started (name, PID; stop them with: bash tools/slurm-local.sh stop):"
    our_daemons
    exit 0
  fi
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 1
done
echo "SLURM did not come up; see /var/log/slurm/*.log and $STATE/*.out" >&2
exit 1
