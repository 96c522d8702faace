# Sourced by the other scripts: the environment every build here needs.
# - RUSTY_V8_ARCHIVE: the v8 crate's build script otherwise downloads a prebuilt V8, which
#   fails on machines that only reach package registries. ../shared/v8 holds one for the exact
#   v8 version deno_core pins; elsewhere (variable unset, file absent) the normal download runs.
# - A faster linker when one is installed: linking V8 dominates incremental builds.
_ib_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_ib_v8="$_ib_root/../shared/v8/librusty_v8_release_x86_64-unknown-linux-gnu.a.gz"
if [ -z "${RUSTY_V8_ARCHIVE:-}" ] && [ -f "$_ib_v8" ]; then
  RUSTY_V8_ARCHIVE="$(cd "$(dirname "$_ib_v8")" && pwd)/$(basename "$_ib_v8")"
  export RUSTY_V8_ARCHIVE
fi
if [ -z "${RUSTFLAGS:-}" ] && command -v ld.lld >/dev/null 2>&1; then
  export RUSTFLAGS="-C link-arg=-fuse-ld=lld"
fi
unset _ib_root _ib_v8
