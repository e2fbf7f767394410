# The body of the containerd-shim-tswasi-v1 wrapper that install-oci.sh
# writes (it puts `node=…` and `entry=…` above this text). containerd runs the
# shim binary twice for every container besides the shim itself: `start` (in
# the new container's bundle: print the address of the shim that will serve
# it) and, after its ttrpc connection to that shim closes, `delete` (clean up
# what a dead shim left). Both are a Node start-up (25–60 ms) in the Node
# entry; this file answers the two common cases in sh, with no Node:
#   - start: for a container of a pod whose shim is listening, print its
#     address; for a new pod, start its shim (which binds the socket itself)
#     and print the address once it listens;
#   - delete, for a container the shim has already deleted (nothing is left):
#     print the DeleteResponse (exit status 137) and exit.
# Every other case, and anything this file is unsure of, runs the Node entry,
# which handles all cases (oci/shim/start.ts, oci/shim/delete.ts: the rules
# below are theirs; test/shim/wrapper.test.mjs checks the two agree).

# containerd's flags (Go's flag package): -name value, -name=value, one or two dashes.
namespace='' id='' address='' bundle='' publish='' debug='' action=''
fast=1
i=0
n=$#
for a in "$@"; do
  i=$((i + 1))
  if [ -n "${want-}" ]; then
    eval "$want=\$a"
    unset want
    continue
  fi
  [ -n "$action" ] && { fast=0; break; } # operands after the action: not containerd's call
  case $a in
    -namespace|--namespace) want=namespace ;;
    -id|--id) want=id ;;
    -address|--address) want=address ;;
    -bundle|--bundle) want=bundle ;;
    -publish-binary|--publish-binary) want=publish ;;
    -socket|--socket) want=ignored ;;
    -namespace=*|--namespace=*) namespace=${a#*=} ;;
    -id=*|--id=*) id=${a#*=} ;;
    -address=*|--address=*) address=${a#*=} ;;
    -bundle=*|--bundle=*) bundle=${a#*=} ;;
    -publish-binary=*|--publish-binary=*) publish=${a#*=} ;;
    -debug|--debug|-debug=true|--debug=true|-debug=1|--debug=1) debug=-debug ;;
    -socket=*|--socket=*|-debug=false|--debug=false|-debug=0|--debug=0) ;;
    -*) fast=0; break ;;
    *) action=$a ;;
  esac
done
[ -n "${want-}" ] && fast=0
unset want ignored i n

# Names that go into paths: what checkName (oci/shim/paths.ts) and idProblem accept, and no more.
name_ok() {
  case $1 in
    ''|[!A-Za-z0-9]*|*[!A-Za-z0-9_.+-]*) return 1 ;;
  esac
  [ ${#1} -le 254 ]
}
# An absolute, clean path (path.join leaves it as it is) of characters /proc's tables print as they are.
path_ok() {
  case $1 in
    /*) ;;
    *) return 1 ;;
  esac
  case $1 in
    *//*|*/./*|*/../*|*/.|*/..|*/|*[!A-Za-z0-9_.+/-]*) return 1 ;;
  esac
}
# Spare shims wait under here (paths.ts SPARE_ROOT).
spare_root=/run/tswasi/shim-spare
# Is a socket listening at this path (in this network namespace)? /proc/net/unix: flags 00010000 (accepting), type 0001 (stream), state 01.
# It lists the path a socket was bound at: for a claimed spare's, renamed since, the path bound/ records (paths.ts boundRecord).
listening() {
  grep -q " 00010000 0001 01 [0-9]* $1\$" /proc/net/unix && return 0
  [ -r "$spare_root/bound/${1##*/}" ] || return 1
  read -r bound_at < "$spare_root/bound/${1##*/}" || return 1
  grep -q " 00010000 0001 01 [0-9]* $bound_at\$" /proc/net/unix
}
# Is a Wasm bundle copy of this id left (bundle-copies.ts: <id>.<root key>.<random>)? A function: `set --` stays local to it.
copies_left() {
  set -- /run/tswasi/bundles/"$1".*
  [ -e "$1" ]
}
# containerd's shim socket of a group: sha256 of address/namespace/group (paths.ts socketAddress).
sock_of() {
  set -- "$(printf '%s/%s/%s' "$address" "$namespace" "$1" | sha256sum)"
  printf '/run/containerd/s/%s' "${1%% *}"
}
# Spare shims (daemon.ts "A spare"): started ahead, one waiting at a time per
# node, entry, containerd, namespace and flags, so that a new pod claims a shim
# whose Node has started instead of waiting for one. TSWASI_SHIM_SPARE=0 in
# containerd's environment turns them off.
spare_dir() {
  set -- "$(printf '%s\n' "$node" "$entry" "$address" "$namespace" "$publish" "$debug" | sha256sum)"
  printf '%s/%s' "$spare_root" "${1%% *}"
}
# Start a spare if none waits: at a low priority (it renices itself when claimed), from /, in a session of its own.
start_spare() {
  [ "${TSWASI_SHIM_SPARE-1}" = 0 ] && return 0
  set -- "$spares"/socket-*
  [ -e "$1" ] && return 0
  (cd / && exec nice -n 10 setsid -f "$node" "$entry" -namespace "$namespace" -id spare -address "$address" ${publish:+-publish-binary "$publish"} $debug -spare "$spares" < /dev/null > /dev/null 2>&1) || true
}
# Claim a waiting spare for the pod at $sock: rename its socket to the pod's
# (only one claim can: the rename of one file), then tell it its bundle and
# address, write the bundle's shim.pid and address. Prints its pid.
claim_spare() {
  [ "${TSWASI_SHIM_SPARE-1}" = 0 ] && return 1
  here=$(pwd -P)
  path_ok "$here" || return 1 # it goes into the claim's JSON as it is
  for s in "$spares"/socket-*; do
    pid=${s##*/socket-}
    case $pid in ''|*[!0-9]*) continue ;; esac
    if ! listening "$s"; then
      rm -f "$s" # its shim is gone
      continue
    fi
    [ -d "$spare_root/bound" ] || mkdir -p "$spare_root/bound" || return 1
    mv "$s" "$sock" 2> /dev/null || continue
    printf '%s\n' "$s" > "$spare_root/bound/.${sock##*/}" && mv -f "$spare_root/bound/.${sock##*/}" "$spare_root/bound/${sock##*/}" \
      && printf '{"bundle":"%s","address":"unix://%s"}' "$here" "$sock" > "$spares/.claim-$pid" && mv -f "$spares/.claim-$pid" "$spares/claim-$pid" \
      && printf '%s' "$pid" > .shim.pid && mv -f .shim.pid shim.pid \
      && printf 'unix://%s' "$sock" > .address && mv -f .address address && { printf '%s' "$pid"; return 0; }
    # Claimed but not told: it is nobody's shim; containerd must not get its address.
    kill -9 "$pid" 2> /dev/null
    rm -f "$sock" "$spares/claim-$pid" "$spare_root/bound/${sock##*/}"
    return 1
  done
  return 1
}

if [ "$fast" = 1 ] && [ "$action" = start ] && name_ok "$namespace" && name_ok "$id" && path_ok "$address" && [ -r config.json ]; then
  # The group is CRI's sandbox id, or the container's own id when it has no grouping label; our own label (start.ts GROUP_LABELS), or a key twice: Node decides.
  group=$(grep -o '"io\.\(kubernetes\.cri\.sandbox-id\|containerd\.tswasi\.v1\.group\)":"[^"]*"' config.json)
  case $group in
    '') group=$id ;;
    '"io.kubernetes.cri.sandbox-id":"'*)
      group=${group#*:\"}
      group=${group%\"}
      case $group in
        ''|*[!0-9a-f]*) group='' ;;
      esac
      ;;
    *) group='' ;;
  esac
  if [ -n "$group" ]; then
    sock=$(sock_of "$group")
    if listening "$sock"; then
      # The pod's shim serves it. As start.ts: the bundle's `address`, whole or not at all (containerd reads it when it reconnects).
      printf 'unix://%s' "$sock" > .address && mv -f .address address && { printf 'unix://%s' "$sock"; exit 0; }
    elif [ ! -e "$sock" ]; then
      spares=$(spare_dir)
      if claim_spare > /dev/null; then
        start_spare
        printf 'unix://%s' "$sock"
        exit 0
      fi
      # A new shim, in a session of its own (setsid -f: this sh does not wait for it). It binds the socket,
      # writes shim.pid and address into the bundle, prints "ready" and closes its stdout (daemon.ts):
      # until then containerd must not connect. Anything else: Node's start path (a stale socket, a failure).
      ready=$(setsid -f "$node" "$entry" -namespace "$namespace" -id "$id" -address "$address" ${publish:+-publish-binary "$publish"} $debug -socket "unix://$sock" < /dev/null 2> /dev/null)
      if [ "$ready" = ready ]; then
        start_spare
        printf 'unix://%s' "$sock"
        exit 0
      fi
    fi
  fi
fi

# The effective uid, with no process started: root's run directory is /run/tswasi (oci/run-dir.ts).
euid=''
while read -r k _ e _; do
  [ "$k" = Uid: ] && { euid=$e; break; }
done < /proc/self/status

if [ "$fast" = 1 ] && [ "$action" = delete ] && name_ok "$namespace" && name_ok "$id" && [ "$euid" = 0 ] && [ -z "${TSWASI_OCI_RUN_DIR-}" ]; then
  [ -n "$bundle" ] || bundle=$(pwd -P)
  # Nothing left (delete.ts's steps, each with nothing to do): no state of ours, no runc container, no Wasm bundle copy, no rootfs mount, no dead socket.
  if path_ok "$bundle" && [ ! -e "$bundle/tswasi-shim" ] && [ ! -e "/run/containerd/tswasi/$namespace/$id" ] \
    && ! grep -qF " $bundle/rootfs " /proc/self/mountinfo; then
    if ! copies_left "$id"; then
      sock=''
      if [ -r "$bundle/address" ]; then
        read -r sock < "$bundle/address" || true
        sock=${sock#unix://}
      fi
      if [ -z "$sock" ] || [ ! -S "$sock" ] || listening "$sock"; then
        # DeleteResponse{pid: 0, exit_status: 137, exited_at: now} (messages.ts encodeDeleted): field 2 varint 137, field 3 a Timestamp{seconds, nanos}.
        now=$(date +%s.%N)
        secs=${now%.*}
        nanos=${now#*.}
        while case $nanos in 0?*) true ;; *) false ;; esac; do nanos=${nanos#0}; done
        ts='' len=0
        # Append field `$1` (varint) with value $2 to ts, as \ooo escapes.
        field() {
          ts="$ts\\$(printf %o "$1")" len=$((len + 1))
          v=$2
          while [ "$v" -ge 128 ]; do
            ts="$ts\\$(printf %o $(((v & 127) | 128)))" len=$((len + 1))
            v=$((v >> 7))
          done
          ts="$ts\\$(printf %o "$v")" len=$((len + 1))
        }
        field 8 "$secs"
        [ "$nanos" != 0 ] && field 16 "$nanos"
        printf "\\020\\211\\001\\032\\$(printf %o "$len")$ts"
        exit 0
      fi
    fi
  fi
fi

exec "$node" "$entry" "$@"
