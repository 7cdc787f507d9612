#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs those of the given Debian packages that are not installed yet (with sudo when
# not root), without prompts. Used by setup.sh and train/prepare_data.sh.
# Usage: tools/install_debs.sh PACKAGE...
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install_debs: installing:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
case " $missing " in
  # jackd2 asks whether to enable real-time priority; answer no without a prompt.
  *" jackd2 "*) echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections ;;
esac
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
