# Shared helpers for build.sh (host) and inner.sh (toolchain): progress lines,
# failure messages that name the step and its log, and cache-key hashing.
# shellcheck shell=bash

CB_CACHE="${COLDBREW_CACHE:-$HOME/.cache/coldbrew}"
CB_STEPS=6
CB_T0="${CB_T0:-$(date +%s)}"
export CB_T0

cb_say() { printf '[coldbrew %4ss] %s\n' "$(( $(date +%s) - CB_T0 ))" "$*" >&2; }

cb_step() { cb_say "step $1/$CB_STEPS: $2"; }

# cb_die STEP LOG MESSAGE: print what failed, where its log is, and its last lines.
cb_die() {
    local step="$1" log="$2"; shift 2
    printf '\ncoldbrew build FAILED in step "%s": %s\n' "$step" "$*" >&2
    if [ -n "$log" ] && [ -f "$log" ]; then
        printf 'log file: %s (last lines follow)\n' "$log" >&2
        tail -n 25 "$log" | sed 's/^/  | /' >&2
    fi
    printf 'Fix the cause and run the build again; finished steps are kept.\n' >&2
    exit 1
}

# cb_hash: sha256 of stdin, first 16 hex digits.
cb_hash() { sha256sum | cut -c1-16; }

# cb_hash_files FILE...: hash of the names and contents of files (sorted).
cb_hash_files() {
    local f
    for f in "$@"; do
        printf '%s\n' "$f"
        cat "$f"
    done | cb_hash
}

# cb_run STEP LOG CMD...: run CMD with output to LOG; on failure die naming STEP and LOG.
cb_run() {
    local step="$1" log="$2"; shift 2
    "$@" >>"$log" 2>&1 || cb_die "$step" "$log" "command failed: $*"
}
