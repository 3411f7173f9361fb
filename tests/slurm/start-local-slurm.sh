#!/usr/bin/env bash
# Brings up a single-node Slurm cluster for the tests, from Debian packages, without systemd:
# munged, slurmctld and slurmd run as root from a private directory, with 4 fake GPUs (character
# devices) exposed as gres. Idempotent: if the daemons it started are still up, it only prints
# the environment again. tests/slurm/stop-local-slurm.sh stops them by the pids recorded here.
#   eval "$(tests/slurm/start-local-slurm.sh [DIR])"     # exports SLURM_CONF
# Exit 77 (and the reason on stderr) where Slurm cannot run: not root, packages not installable.
# Addresses are 127.0.0.1, so the host name need not resolve.
set -euo pipefail
dir=${1:-/tmp/asha-slurm}
gpus=${ASHA_SLURM_GPUS:-4}
cpus=${ASHA_SLURM_CPUS:-16}
skip() { echo "start-local-slurm: $*" >&2; exit 77; }
alive() { [[ -f $1 ]] && local pid; pid=$(cat "$1" 2>/dev/null) && [[ -n $pid ]] &&
          [[ -r /proc/$pid/stat ]] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat"; }

[[ $(id -u) == 0 ]] || skip "needs root (runs slurmd and munged as root)"
pkgs=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "start-local-slurm: installing ${missing[*]}" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; } >&2 ||
    skip "cannot install ${missing[*]}"
fi

conf=$dir/etc/slurm.conf
if alive "$dir/run/munged.pid" && alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid"; then
  echo "export SLURM_CONF=$conf"
  exit 0
fi
"$(dirname "$0")/stop-local-slurm.sh" "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir"/{etc,munge,spool/ctld,spool/d,log,run,dev}
chmod 700 "$dir/munge"
host=$(hostname -s)

# munge: its own key and socket; --force because it runs as root here.
mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/munge.seed" || skip "munged does not start: $(tail -3 "$dir/log/munged.log" 2>/dev/null)"

# Fake GPUs: slurmd needs device files (a regular file gives no CUDA_VISIBLE_DEVICES).
for ((i = 0; i < gpus; i++)); do mknod "$dir/dev/gpu$i" c 1 3; done
cat > "$dir/etc/gres.conf" <<GRES
AutoDetect=off
Name=gpu File=$dir/dev/gpu[0-$((gpus - 1))]
GRES
cat > "$conf" <<CONF
ClusterName=asha-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmctldPort=${ASHA_SLURM_PORT:-16817}
SlurmdPort=$(( ${ASHA_SLURM_PORT:-16817} + 1 ))
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
GresTypes=gpu
MpiDefault=none
ReturnToService=2
MinJobAge=120
KillWait=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus Gres=gpu:$gpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf
# -D keeps them in the foreground: their pids are ours to record and to stop.
setsid slurmctld -D -f "$conf" >"$dir/log/slurmctld.out" 2>&1 < /dev/null &
echo $! > "$dir/run/slurmctld.pid"
setsid slurmd -D -f "$conf" >"$dir/log/slurmd.out" 2>&1 < /dev/null &
echo $! > "$dir/run/slurmd.pid"

# Ready when the node is idle (bounded: 30 s).
for ((i = 0; i < 300; i++)); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [[ $state == idle ]] && { echo "export SLURM_CONF=$conf"; exit 0; }
  alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid" || break
  sleep 0.1
done
echo "start-local-slurm: the node did not become idle (state: ${state:-none})" >&2
tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir"/log/*.out >&2 2>/dev/null || true
"$(dirname "$0")/stop-local-slurm.sh" "$dir" >&2 || true
exit 77
