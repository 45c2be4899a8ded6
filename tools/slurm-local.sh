#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine, for `pytest -m slurm` (tests/test_slurm.py) and for trying
# the SLURM profile (profiles/slurm/) without a real cluster. Debian 12 (slurm-wlm 22.05); needs root.
#
#   sudo bash tools/slurm-local.sh          # install if needed, configure, start; prints sinfo
#   sudo bash tools/slurm-local.sh stop     # stop the daemons
#
# What it sets up: munge (authentication), slurmctld and slurmd on this host, one partition `main` with this
# node as `slurmd -C` describes it, ProctrackType=proctrack/linuxproc and TaskPlugin=task/none (no cgroups in a
# container), no accounting database: Snakemake's SLURM plugin is then run with --slurm-status-command squeue
# (MinJobAge=3600 keeps finished jobs visible to squeue) and --slurm-no-account (profiles/slurm/config.yaml).
set -euo pipefail
CONF=/etc/slurm/slurm.conf
if [ "${1:-start}" = "stop" ]; then
  pkill -x slurmd || true; pkill -x slurmctld || true; pkill -x munged || true
  exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
# munge: a key, its run directory, the daemon
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || create-munge-key -f
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
pgrep -x munged >/dev/null || runuser -u munge -- munged
# slurm.conf for this one node
host=$(hostname -s)
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
node=$(slurmd -C | head -n1 | sed "s/^NodeName=[^ ]*/NodeName=$host/")
cat > "$CONF" <<CONFEOF
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
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$node
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONFEOF
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|allocated"; then
    sinfo
    exit 0
  fi
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 1
done
echo "SLURM did not come up; see /var/log/slurm/*.log" >&2
exit 1
