#!/bin/sh
# tests/mpi_netns.sh — two "machines" on one: network namespaces A and B joined by a veth
# pair (private addresses), mpirun in A starting rank 0 there and rank 1 in B through a
# launch agent that enters B (in place of ssh), MPI restricted to TCP over the veth.  Runs
#   tests/mpi_netns.sh DIR VERS_BIN TRAIN_ARGS...    (in DIR; exit 3 = no capability)
# and prints the launcher's output.  Needs root (ip netns); cleans up whatever happens.
set -u
DIR=$1; BIN=$2; shift 2
id=$$
A=vers$id-a; B=vers$id-b; VA=vv$id-a; VB=vv$id-b
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -f "$DIR/agent.sh"; }
trap cleanup EXIT INT TERM
ip netns add "$A" 2>/dev/null || { echo "mpi_netns: cannot create network namespaces (ip netns add: needs root and CAP_SYS_ADMIN)"; exit 3; }
ip netns add "$B" && ip link add "$VA" type veth peer name "$VB" && ip link set "$VA" netns "$A" && ip link set "$VB" netns "$B" &&
ip -n "$A" addr add 10.77.0.1/24 dev "$VA" && ip -n "$B" addr add 10.77.0.2/24 dev "$VB" &&
ip -n "$A" link set lo up && ip -n "$B" link set lo up && ip -n "$A" link set "$VA" up && ip -n "$B" link set "$VB" up ||
  { echo "mpi_netns: cannot set up the veth pair"; exit 3; }
cat >"$DIR/agent.sh" <<AGENT
#!/bin/sh
host=\$1; shift
case \$host in 10.77.0.1) ns=$A ;; 10.77.0.2) ns=$B ;; *) echo "agent: unknown host \$host" >&2; exit 1 ;; esac
exec ip netns exec \$ns sh -c "\$*"
AGENT
chmod +x "$DIR/agent.sh"
cd "$DIR" && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 ip netns exec "$A" \
  mpirun --mca plm_rsh_agent "$DIR/agent.sh" --host 10.77.0.1:1,10.77.0.2:1 -np 2 \
    --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM "$BIN" train "$@"
