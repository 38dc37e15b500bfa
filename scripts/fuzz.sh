#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, the `fuzz` preset: clang 14, ASan +
# UBSan) and runs each in turn, printing per target the executions, exec/s,
# coverage and corpus size. Exits 1 if any target found a crash, a property
# failure, a leak, a timeout or an out-of-memory input, and says where that
# input was written (build/fuzz/fuzz/artifacts/<target>/).
#   scripts/fuzz.sh [--keep-going] [seconds] [target...]   default: 60 s each, every target
# --keep-going runs libFuzzer in fork mode with -ignore_crashes=1: a target
# goes on fuzzing after a failing input (every one is saved), for when a
# known finding would otherwise stop it within seconds.
# Installs what is missing first (scripts/setup.sh --for-tests: the build
# dependencies, clang-14 and libclang-rt-14-dev). The checked-in seeds in
# fuzz/corpus/<target> are copied into build/fuzz/fuzz/corpus/<target>, which
# keeps growing from run to run; the seeds themselves are never written to.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

keep_going=false
if [ "${1:-}" = "--keep-going" ]; then keep_going=true; shift; fi
seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [--keep-going] [seconds] [target...]" >&2; exit 2 ;; esac
[ $# -gt 0 ] && shift
all_targets=(managed_block_fuzz toml_layout_fuzz codex_session_fuzz server_decode_fuzz config_fuzz duration_semver_fuzz
  task_settings_fuzz toolbox_fuzz)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# The dictionary each target runs with (as in fuzz/CMakeLists.txt).
dict_of() {
  case $1 in
    managed_block_fuzz | toml_layout_fuzz | config_fuzz) echo toml.dict ;;
    codex_session_fuzz | server_decode_fuzz) echo json.dict ;;
    duration_semver_fuzz) echo duration.dict ;;
    task_settings_fuzz) echo task_settings.dict ;;
    toolbox_fuzz) echo toolbox.dict ;;
    *) echo "fuzz: unknown target $1 (known: ${all_targets[*]})" >&2; exit 2 ;;
  esac
}
for t in "${targets[@]}"; do dict_of "$t" >/dev/null; done

# clang-14 and libclang-rt-14-dev (libFuzzer) come with the test tools.
"$here/scripts/setup.sh" --for-tests

cd "$here"
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j 2 --target "${targets[@]}"

work=$here/build/fuzz/fuzz
mkdir -p "$work/logs"
results=()
failed=0
mode=()
$keep_going && mode=(-fork=1 -ignore_crashes=1)
for t in "${targets[@]}"; do
  cmake -DSEEDS="$here/fuzz/corpus/$t" -DCORPUS="$work/corpus/$t" -DARTIFACTS="$work/artifacts/$t" \
        -P "$here/fuzz/cmake/prepare_corpus.cmake" >/dev/null
  log=$work/logs/$t.log
  stamp=$work/logs/$t.start
  touch "$stamp"
  echo "fuzz: $t for ${seconds}s${mode:+ (keep going)} (log: ${log#"$here"/})"
  rc=0
  (cd "$work" && "./$t" "${mode[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$t/" -dict="$here/fuzz/dict/$(dict_of "$t")" "$work/corpus/$t") \
      >"$log" 2>&1 || rc=$?

  if $keep_going; then
    # Fork mode: "#N: cov: C ft: F corp: U exec/s E oom/timeout/crash: a/b/c time: ..."
    last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1 || true)
    execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
    rate=$(sed -n 's/.* exec\/s \([0-9]*\).*/\1/p' <<<"$last")
    corp="$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")/$(du -sk --apparent-size "$work/corpus/$t" | cut -f1)Kb"
  else
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  fi
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$work/corpus/$t" -type f | wc -l)
  mapfile -t found < <(find "$work/artifacts/$t" -type f -newer "$stamp" | sort)
  if [ "$rc" -eq 0 ] && [ ${#found[@]} -eq 0 ]; then
    status=ok
  else
    failed=1
    kind=$(grep -m1 -oE 'PROPERTY FAILED at [^ ]+|ERROR: AddressSanitizer: [a-zA-Z-]+|runtime error: .*|ERROR: LeakSanitizer|ERROR: libFuzzer: [a-z -]+' "$log" || echo "exit status $rc")
    status="FOUND ${#found[@]}: $kind"
    echo "fuzz: $t: $kind"
    for a in "${found[@]}"; do echo "fuzz:   input written to $a"; done
    [ ${#found[@]} -eq 0 ] && echo "fuzz:   no input saved; see $log"
    echo "fuzz:   reproduce: $work/$t <input>   (log: $log)"
  fi
  results+=("$(printf '%-22s %12s %9s %7s %8s %16s %8s  %s' "$t" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" \
                "${corp:--}" "$files" "$status")")
done

echo
printf '%-22s %12s %9s %7s %8s %16s %8s  %s\n' target executions exec/s cov ft "corp (units/size)" files result
printf '%s\n' "${results[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: at least one target found a failing input; see fuzz/README.md to minimise and file it"
  exit 1
fi
