#!/usr/bin/env bash
# `npm run setup`: installs the system programs the tests need, when missing, with Debian's
# apt-get: chromium (the HTML report's browser test), tmux (the CLI's terminal tests), ripgrep
# (grep), bubblewrap (the shell's sandbox) and redis-server. Needs no node_modules.
set -euo pipefail

# command name -> Debian package
commands=(chromium tmux rg bwrap redis-server)
packages=(chromium tmux ripgrep bubblewrap redis-server)

missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "salvo setup: all present (${commands[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "salvo setup: missing ${missing[*]}, and there is no apt-get here." >&2
  echo "Install these packages by hand (Debian names): ${missing[*]}" >&2
  exit 1
fi

as_root=()
if [ "$EUID" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "salvo setup: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi
apt_get() {
  # `env` rather than sudo's own VAR=value, which a sudoers policy may refuse.
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
install() {
  apt_get install -y -qq "${missing[@]}" >/dev/null
}

echo "salvo setup: installing ${missing[*]} with apt-get"
# The package lists are fetched only when there are none (a fresh image) or when they are too
# old to install from.
updated=false
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  apt_get update -qq
  updated=true
fi
if ! install; then
  if $updated; then exit 1; fi
  echo "salvo setup: apt-get install failed; updating the package lists and trying again"
  apt_get update -qq
  install
fi
echo "salvo setup: installed ${missing[*]}"
