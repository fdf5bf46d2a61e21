# bench/bench_data.sh — sourced by the side benchmarks (udf.sh, threads.sh):
# makes sure $data holds gen_data's N-record inputs, with the same files and
# stamp as run.sh, generating them only when missing or stale. Expects
# $build, $bench, $root, $data, $N and a note() function.
bench_data_ready() {
  local gen="$build/bench/bin/gen_data"
  if [[ ! -x "$gen" || "$bench/gen_data.cpp" -nt "$gen" ]]; then
    "${CXX:-c++}" -O2 -std=c++20 -o "$gen" "$bench/gen_data.cpp"
  fi
  local want
  want="$(cksum < "$bench/gen_data.cpp") n=$N"
  if [[ ! -f "$data/.stamp" || "$(cat "$data/.stamp")" != "$want" ]]; then
    note "generating $N-record inputs into ${data#"$root"/}"
    rm -f "$data/.stamp"
    "$gen" "$data" "$N"
    echo "$want" > "$data/.stamp"
  fi
}
