#!/usr/bin/env bash
# Builds the image of ops/image/Containerfile WITHOUT a container engine, as an OCI image layout:
#   bash ops/image/build.sh            (npm run image; as root: debootstrap and chroot need it)
# Three layers, like the Containerfile's: a minimal Debian rootfs (debootstrap --variant=minbase, the
# part of node:24-slim that is Debian) with the ledgerline user (uid 10001); the Node 24 binary that
# ops/bin/node-env.sh installs; /app with the files .dockerignore lets in and their production
# node_modules (npm ci --omit=dev, the @platformatic/kafka patch applied). umoci writes the layout.
# Output: .ledgerline/image/oci (tag ledgerline), its digest and size printed last. Copy it to a
# registry with e.g. `skopeo copy oci:.ledgerline/image/oci:ledgerline docker://<registry>/ledgerline:<tag>`.
# Environment: LEDGERLINE_IMAGE_DIR (output folder), IMAGE_SUITE (Debian suite, default bookworm),
# IMAGE_MIRROR (default http://deb.debian.org/debian), IMAGE_REBUILD_BASE=1 (debootstrap again).
# Idempotent: the Debian rootfs is kept between runs (it only changes with the suite); the rest is
# rebuilt each time, with fixed timestamps, so unchanged sources give the same layer digests.
set -euo pipefail
repo=$(cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$repo"
. ops/bin/node-env.sh

out=${LEDGERLINE_IMAGE_DIR:-$repo/.ledgerline/image}
suite=${IMAGE_SUITE:-bookworm}
mirror=${IMAGE_MIRROR:-http://deb.debian.org/debian}
tag=ledgerline
uid=10001
step() { echo "› $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

((EUID == 0)) || die "run as root: debootstrap and the root-owned files of the image need it (no container engine is used)"
for tool in debootstrap umoci tar git; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install debootstrap umoci (or go install github.com/opencontainers/umoci/cmd/umoci@v0.6.0)"
done
[[ $(node -p 'process.versions.node.split(".")[0]') == 24 ]] || die "ops/bin/node-env.sh did not give Node 24"
# The image's timestamps: the last commit's, so a rebuild of the same sources gives the same layers.
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$out"

# 1. The Debian rootfs, kept between runs.
base=$out/base-$suite
if [[ ${IMAGE_REBUILD_BASE:-0} == 1 || ! -f $base/.complete ]]; then
  step "debootstrap --variant=minbase $suite from $mirror (about a minute; kept in $base)"
  rm -rf "$base" "$base.tmp"
  nice -n 19 debootstrap --variant=minbase "$suite" "$base.tmp/rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    die "debootstrap failed, see $out/debootstrap.log"
  root=$base.tmp/rootfs
  # What a slim image leaves out: package caches and lists, documentation but the copyrights, locales.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/man/* \
    "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/var/log/* "$root"/var/cache/debconf/*-old
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  # The apps' user: no home of its own, HOME is /tmp (the only writable path under a read-only root).
  echo "ledgerline:x:$uid:$uid:ledgerline:/tmp:/usr/sbin/nologin" >>"$root/etc/passwd"
  echo "ledgerline:x:$uid:" >>"$root/etc/group"
  echo "ledgerline:*:$((epoch / 86400))::::::" >>"$root/etc/shadow"
  touch "$base.tmp/.complete"
  mv "$base.tmp" "$base"
fi

# 2. Node, the binary the repo's scripts run.
node_bin=$(readlink -f "$(command -v node)")
ldd "$node_bin" | grep -q 'not found' && die "$node_bin needs libraries this machine lacks"
rm -rf "$out/node" && mkdir -p "$out/node/usr/local/bin"
install -m 0755 "$node_bin" "$out/node/usr/local/bin/node"

# 3. /app: the files the Containerfile's build context holds (.dockerignore's allow-list) and their
# production dependencies.
step "staging /app from .dockerignore's allow-list, npm ci --omit=dev"
app=$out/app/app
rm -rf "$out/app" && mkdir -p "$app"
includes=() excludes=()
while IFS= read -r line; do
  case $line in '' | '#'* | '*') ;; '!'*) includes+=("${line#!}") ;; *) excludes+=(":(exclude,glob)$line" ":(exclude,glob)$line/**") ;; esac
done <.dockerignore
git ls-files -z --cached --others --exclude-standard -- "${includes[@]}" "${excludes[@]}" |
  while IFS= read -r -d '' file; do [[ -e $file ]] && printf '%s\0' "$file"; done |
  tar --null -T - -cf - | tar -xf - -C "$app"
(
  cd "$app"
  # --ignore-scripts and the patch applied explicitly: as the Containerfile does.
  nice -n 19 npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2
  nice -n 19 npx --no-install patch-package --error-on-fail >&2
) || die "npm ci --omit=dev in $app failed"
chmod -R u+rwX,go+rX,go-w "$app"

# 4. The OCI layout: one layer per part, then the config the Containerfile's ENTRYPOINT/CMD/USER give.
layer() { # $1: folder whose contents are a layer; fixed owners, order and times, so the digest is stable
  nice -n 19 tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$1" -cf "$out/layer.tar" .
}
step "umoci: writing $out/oci:$tag"
oci=$out/oci
rm -rf "$oci"
umoci init --layout "$oci"
umoci new --image "$oci:$tag"
unpacked=0
for part in "$base/rootfs:debian $suite minbase and the ledgerline user" "$out/node:node $(node --version)" \
  "$out/app:/app and its production node_modules"; do
  layer "${part%%:*}"
  unpacked=$((unpacked + $(stat -c %s "$out/layer.tar")))
  nice -n 19 umoci raw add-layer --image "$oci:$tag" --history.created "$created" \
    --history.created_by "ops/image/build.sh: ${part#*:}" "$out/layer.tar"
done
rm -f "$out/layer.tar"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
umoci config --image "$oci:$tag" --created "$created" --history.created "$created" \
  --history.created_by "ops/image/build.sh: config" --os linux --architecture amd64 \
  --config.user "$uid:$uid" --config.workingdir /app \
  --clear config.env --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env NODE_ENV=production --config.env HOME=/tmp \
  --clear config.entrypoint --config.entrypoint node \
  --clear config.cmd --config.cmd apps/gateway/src/main.ts \
  --config.label org.opencontainers.image.title=ledgerline \
  --config.label org.opencontainers.image.revision="$revision" \
  --config.label org.opencontainers.image.licenses=Apache-2.0
umoci gc --layout "$oci"

# The digest to pull by and the sizes: compressed (what a registry stores) and unpacked.
node --input-type=module - "$oci" "$tag" "$unpacked" <<'EOF'
import { readFileSync } from "node:fs";
const [oci, tag, unpacked] = process.argv.slice(2);
const json = (file) => JSON.parse(readFileSync(file, "utf8"));
const manifest = json(`${oci}/index.json`).manifests.find(
  (m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag,
);
const body = json(`${oci}/blobs/${manifest.digest.replace(":", "/")}`);
const compressed = [body.config, ...body.layers].reduce((sum, b) => sum + b.size, manifest.size);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
console.log(`image    ${oci}:${tag}`);
console.log(`digest   ${manifest.digest}`);
console.log(`size     ${mb(compressed)} compressed (${body.layers.length} layers), ${mb(Number(unpacked))} unpacked`);
EOF
