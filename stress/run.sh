#!/usr/bin/env bash
# Runs the jcstress suite in stress/target/jcstress.jar and decides pass/fail from what jcstress
# printed: jcstress 0.16 exits 1 on a FORBIDDEN outcome or a hard error, but exits 0 when no test
# matched, when a test could not be scheduled, and on soft errors (a JDK too old for the tests).
#
#   stress/run.sh [jcstress options...]       e.g. stress/run.sh -t 'chan\.Select'
#   STRESS_BUDGET=sanity stress/run.sh        presets: ci (default), sanity, quick, default, tough
#
# Fails (exit 1) if: jcstress did not start or finish, no test matched, a listed test has no
# result or 0 samples (e.g. it needs more actors than this machine has CPUs), any FORBIDDEN
# outcome was observed, or any fork ended in an error (test error, timeout, VM error) or a soft
# error (API mismatch, e.g. a JDK too old for the test classes). See stress/README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=$here/target/jcstress.jar
out=${STRESS_OUT:-$here/target/jcstress-run}
budget=${STRESS_BUDGET:-ci}
# Wall-clock limits in seconds: for the whole jcstress run, and for a stretch without any fork
# finishing (a fork takes 5-20 s; the first one starts after ~10-40 s of JVM probing).
limit=${STRESS_TIMEOUT:-1200}
stall=${STRESS_STALL:-180}

usage() {
    sed -n '2,12s/^# \{0,1\}//p' "$0"
    cat <<'EOF'

Environment:
  STRESS_BUDGET   ci (default: each test 3 s in each of 4 JVM configurations, ~3-5 min),
                  sanity (each test once per configuration: a smoke test, not a stress run),
                  or a jcstress -m preset: quick (~1 min per test), default, tough, stress.
  STRESS_TIMEOUT  wall-clock limit in seconds for the jcstress run (default 1200).
  STRESS_STALL    fail (and dump the forks' threads) if no fork finishes for this many
                  seconds (default 180): a test that hangs.
  STRESS_OUT      output directory (default stress/target/jcstress-run).
  JAVA_HOME       used if it is a JDK >= 21; else `java` on PATH; else the newest /usr/lib/jvm/*.
Options after the script name go to jcstress and override the preset's: -t <regexp> selects
tests, -time <ms> and -iters <n> size the run, -v is implied. `java -jar stress/target/jcstress.jar -h`
lists them all.
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# ------------------------------------------------------------------------------------ JDK >= 21

# shellcheck source=../bin/find-java.sh
source "$here/../bin/find-java.sh"

# ------------------------------------------------------------------------------------ arguments

if [[ ${1:-} == --help || ${1:-} == -help ]]; then
    usage
    exit 0
fi
user_args=("$@")
for a in "${user_args[@]}"; do
    [[ $a == -tb ]] && die "jcstress 0.16 has no -tb (it would read it as '-t b', a test filter); use STRESS_BUDGET, -time or -iters"
done

user_sets() { # whether the user passed jcstress option $1
    local a
    for a in "${user_args[@]}"; do [[ $a == "$1" ]] && return 0; done
    return 1
}

# jcstress 0.16 has no time budget (-tb is parsed as "-t b", a test filter!). A run is sized by
# forks x JVM configurations x compilation modes x iterations x time per iteration.
case $budget in
    ci)
        # One fork in each of 4 JVM configurations (-Xint, C1 only, C2 only, C2 with its
        # randomized-scheduling stress flags), unified compilation instead of the 14 per-actor
        # interpreter/C1/C2 splits of -m quick: fork start-up and stride sizing dominate a fork.
        # Small strides (4 x 64 states) make the actors meet more often per sample and keep
        # stride sizing short; heap pre-touch is skipped. ~3 min on 2 idle CPUs for 12 tests.
        preset=(-m quick -sc false -iters 3 -time 1000 -strideCount 4 -strideSize 64 -pth false)
        ;;
    sanity | quick | default | tough | stress)
        preset=(-m "$budget")
        ;;
    *)
        die "unknown STRESS_BUDGET '$budget' (ci, sanity, quick, default, tough, stress)"
        ;;
esac
args=()
for ((i = 0; i < ${#preset[@]}; i += 2)); do
    user_sets "${preset[i]}" || args+=("${preset[i]}" "${preset[i + 1]}")
done
args+=("${user_args[@]}")
user_sets -v || args+=(-v) # -v makes the final report list every test with its sample counts
filter=.*
for ((i = 0; i < ${#args[@]} - 1; i++)); do
    [[ ${args[i]} == -t ]] && filter=${args[i + 1]}
done

# ------------------------------------------------------------------------------------ run

[[ -f $jar ]] || die "$jar not found; build it first: ./mvnw -q -B install -DskipTests -pl concurrent,stress -am"
sluice_find_java || die "no JDK >= 21 found; the tests are compiled for Java 21"
java=$SLUICE_JAVA
major=$(sluice_java_major "$java")

if [[ -d $out && -n $(ls -A "$out") && ! -f $out/list.log ]]; then
    die "STRESS_OUT=$out is a non-empty directory that run.sh did not create; refusing to clear it"
fi
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out" # jcstress writes its jcstress-results-*.bin.gz blob to the working directory
# The flag silences JNA's native-access warning (jcstress binds threads to CPUs through JNA);
# jcstress passes the host JVM's flags on to every fork.
jvm=("$java" --enable-native-access=ALL-UNNAMED -jar "$jar")
log=$out/console.log

# The tests that should run: jcstress skips a test it cannot schedule (more actors than CPUs)
# and says so only in passing, so compare its results against this list.
"${jvm[@]}" -l -t "$filter" >"$out/list.log" 2>&1 || die "listing tests failed: see $out/list.log"
mapfile -t expected < <(grep -E '^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$' "$out/list.log" | sort -u)
[[ ${#expected[@]} -gt 0 ]] || die "no test matches '$filter' (see $out/list.log); is META-INF/TestList in the jar?"

echo "run.sh: ${#expected[@]} tests, JDK $major ($java), STRESS_BUDGET=$budget: ${args[*]}"
echo "run.sh: full output in $log"
start=$SECONDS
"${jvm[@]}" -r "$out/results" "${args[@]}" >"$log" 2>&1 &
jpid=$!

# Watch the run: echo progress and failures, and kill it if it exceeds STRESS_TIMEOUT or if no
# fork has finished for STRESS_STALL seconds. jcstress 0.16 waits forever for an actor that
# never returns (a lost wake-up looks exactly like that), so a hang must be caught here; the
# forked JVMs' thread dumps then show which test hung and where.
killed=""
shown=0
forks=0
last_change=$SECONDS
while kill -0 "$jpid" 2>/dev/null; do
    sleep 2
    lines=$(wc -l <"$log")
    if ((lines > shown)); then
        sed -n "$((shown + 1)),${lines}p" "$log" \
            | grep -E '^\(Results:|^\.+ \[(FAILED|ERROR|TIMEOUT|VM ERROR|SKIPPED)\]|^FATAL' || true
        shown=$lines
    fi
    now_forks=$(grep -c '^\.\+ \[' "$log" || true)
    if ((now_forks != forks)); then
        forks=$now_forks
        last_change=$SECONDS
    fi
    if ((SECONDS - start > limit)); then
        killed="jcstress exceeded STRESS_TIMEOUT=${limit}s"
    elif ((SECONDS - last_change > stall)); then
        killed="no fork finished for ${stall}s (STRESS_STALL): a test hangs"
    fi
    if [[ -n $killed ]]; then
        jcmd=$(dirname "$java")/jcmd
        for child in $(pgrep -P "$jpid" || true); do
            if [[ -x $jcmd ]] && "$jcmd" "$child" Thread.print >"$out/threads-$child.txt" 2>&1; then
                hung=$(grep -o 'dev\.sluice\.[A-Za-z0-9_.$]*Test\.[A-Za-z0-9_]*' "$out/threads-$child.txt" | sort -u | tr '\n' ' ')
                killed+="; fork $child is in: ${hung:-?} (thread dump: $out/threads-$child.txt)"
            fi
            kill "$child" 2>/dev/null || true
        done
        kill "$jpid" 2>/dev/null || true
        sleep 5
        kill -9 "$jpid" 2>/dev/null || true
        break
    fi
done
rc=0
wait "$jpid" || rc=$?
elapsed=$((SECONDS - start))

# ------------------------------------------------------------------------------------ verdict

problems=()
if [[ -n $killed ]]; then
    problems+=("killed: $killed")
elif [[ $rc -ne 0 ]]; then
    problems+=("jcstress exited with status $rc") # 0.16 exits 1 on FORBIDDEN outcomes and errors
fi
grep -q '^FATAL' "$log" && problems+=("$(grep -m1 '^FATAL' "$log")")
grep -q '^RUN RESULTS:' "$log" || problems+=("no 'RUN RESULTS:' section: jcstress did not finish")

# The last progress line: (Results: N planned; P passed, F failed, S soft errs, H hard errs)
progress=$(grep '^(Results:' "$log" | tail -n 1 || true)
if [[ $progress =~ ([0-9]+)\ planned\;\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ soft\ errs,\ ([0-9]+)\ hard\ errs ]]; then
    planned=${BASH_REMATCH[1]} passed=${BASH_REMATCH[2]} failed=${BASH_REMATCH[3]}
    soft=${BASH_REMATCH[4]} hard=${BASH_REMATCH[5]}
    [[ $planned -gt 0 ]] || problems+=("0 forks planned")
    [[ $failed -eq 0 ]] || problems+=("$failed forks observed a FORBIDDEN outcome")
    [[ $soft -eq 0 ]] || problems+=("$soft soft errors (API mismatch: is the forked JDK too old for the test classes?)")
    [[ $hard -eq 0 ]] || problems+=("$hard hard errors (test error, timeout or VM error)")
    [[ $passed -eq $planned ]] || problems+=("only $passed of $planned planned forks passed")
else
    problems+=("no final progress line '(Results: ... planned; ...)'")
fi

# Per test, from the final report (-v): status, total samples, samples in FORBIDDEN rows.
#   .......... [OK] dev.sluice.concurrent.chan.SelectCloseTest
#     RESULT  SAMPLES  FREQ  EXPECT  DESCRIPTION
#     -1, 0, 0   1,234  40.1%  Acceptable  The select saw the close ...
sed -n '/^RUN RESULTS:/,$p' "$log" | awk '
    /^\.+ \[[A-Z ]+\] / {
        test = $NF
        status = $0; sub(/^\.+ \[/, "", status); sub(/\].*/, "", status)
        if (!(test in st) || status != "OK") st[test] = status
        intable = 0
        next
    }
    /^ +RESULT +SAMPLES +FREQ +EXPECT +DESCRIPTION/ { intable = (test != ""); next }
    intable && /^ *$/ { intable = 0; next }
    intable && match($0, /[ ]+[0-9][0-9,]*[ ]+[0-9.]+%[ ]+[A-Za-z]+/) {
        cols = substr($0, RSTART, RLENGTH)
        n = split(cols, f, /[ ]+/)           # f[1] is empty: cols starts with spaces
        samples = f[2]; gsub(/,/, "", samples)
        total[test] += samples
        if (f[4] == "Forbidden") forbidden[test] += samples
    }
    END {
        for (t in st) printf "%s|%s|%d|%d\n", t, st[t], total[t], forbidden[t]
    }' | sort >"$out/tests.txt"

declare -A t_status t_samples t_forbidden
while IFS='|' read -r name status samples forb; do
    t_status[$name]=$status
    t_samples[$name]=$samples
    t_forbidden[$name]=$forb
done <"$out/tests.txt"

total_samples=0
ran=0
for t in "${expected[@]}"; do
    if [[ -z ${t_status[$t]:-} ]]; then
        if [[ -n $killed ]] || ! grep -q '^RUN RESULTS:' "$log"; then
            problems+=("$t: no result (the run did not finish)")
        else
            problems+=("$t: no result (not scheduled: jcstress runs a test only if it has one CPU per actor)")
        fi
        continue
    fi
    total_samples=$((total_samples + t_samples[$t]))
    [[ ${t_samples[$t]} -gt 0 ]] && ran=$((ran + 1)) || problems+=("$t: ran 0 samples")
    [[ ${t_status[$t]} == OK ]] || problems+=("$t: ${t_status[$t]}")
    [[ ${t_forbidden[$t]} -eq 0 ]] || problems+=("$t: ${t_forbidden[$t]} samples in FORBIDDEN outcomes")
done

report=$out/results/index.html
duration=$(printf '%dm%02ds' $((elapsed / 60)) $((elapsed % 60)))
if [[ ${#problems[@]} -eq 0 ]]; then
    echo "jcstress PASS: $ran/${#expected[@]} tests ran, $total_samples samples, 0 forbidden, 0 errors, JDK $major, $duration; report: $report"
    exit 0
fi
echo "jcstress FAIL: $ran/${#expected[@]} tests ran, ${#problems[@]} problems, JDK $major, $duration; report: $report, log: $log" >&2
for p in "${problems[@]}"; do
    echo "  - $p" >&2
done
grep -E '^\.+ \[(FAILED|ERROR|TIMEOUT|VM ERROR|SKIPPED)\]' "$log" | sort | uniq -c | sed 's/^/  /' >&2 || true
exit 1
