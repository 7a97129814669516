#!/usr/bin/env bash
# Builds ops/image/Containerfile itself with buildah (apt-get install buildah), on a machine that cannot
# pull node:24-slim: the base is a stand-in made from what ops/image/build.sh keeps (its Debian rootfs
# without the ledgerline user, its Node 24) plus this machine's npm, given to the Containerfile as
# NODE_IMAGE. So the Containerfile's own steps run: npm ci, the patch, useradd, the config.
#   bash ops/image/build.sh && bash ops/image/build-containerfile.sh
#   LEDGERLINE_IMAGE_DIR=.ledgerline/image-containerfile bash ops/image/check.sh
# Output: .ledgerline/image-containerfile/oci, tag ledgerline. If NODE_EXTRA_CA_CERTS is set (a proxy
# that re-signs the registry's certificate), npm in the build trusts it too: the stand-in names
# /run/build-ca.pem, which the build mounts read-only (it is in no layer; the variable is in the config).
set -euo pipefail
repo=$(cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$repo"
. ops/bin/node-env.sh
out=${LEDGERLINE_IMAGE_DIR:-$repo/.ledgerline/image}
dest=$repo/.ledgerline/image-containerfile
standin=localhost/ledgerline-node-standin:24
die() { echo "error: $*" >&2; exit 1; }

((EUID == 0)) || die "run as root"
for tool in buildah umoci npm; do command -v "$tool" >/dev/null || die "$tool is missing"; done
base=$(ls -d "$out"/base-*/ 2>/dev/null | head -1)
[[ -n $base && -f $base/.complete && -x $out/node/usr/local/bin/node ]] || die "run ops/image/build.sh first"
npm_dir=$(dirname -- "$(dirname -- "$(readlink -f -- "$(command -v npm)")")")
[[ -f $npm_dir/package.json ]] || die "cannot find npm's folder (from $(command -v npm))"

echo "› a stand-in for node:24-slim: $(basename "$base") + node $("$out/node/usr/local/bin/node" --version) + npm $(npm --version)" >&2
work=$dest/standin
rm -rf "$work" && mkdir -p "$work/npm/usr/local/lib/node_modules" "$work/npm/usr/local/bin"
cp -a "$base/rootfs" "$work/debian"
sed -i '/^ledgerline:/d' "$work/debian/etc/passwd" "$work/debian/etc/group" "$work/debian/etc/shadow"
cp -a "$npm_dir" "$work/npm/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/npm/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/npm/usr/local/bin/npx"
umoci init --layout "$work/oci"
umoci new --image "$work/oci:24"
for layer in "$work/debian" "$out/node" "$work/npm"; do
  tar --numeric-owner -C "$layer" -cf "$work/layer.tar" . && umoci raw add-layer --image "$work/oci:24" "$work/layer.tar"
done
rm -f "$work/layer.tar"
env_flags=(--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
mounts=()
if [[ -n ${NODE_EXTRA_CA_CERTS:-} ]]; then
  env_flags+=(--config.env NODE_EXTRA_CA_CERTS=/run/build-ca.pem)
  mounts=(--volume "$NODE_EXTRA_CA_CERTS:/run/build-ca.pem:ro")
fi
umoci config --image "$work/oci:24" --os linux --architecture amd64 "${env_flags[@]}" --config.cmd node
# buildah names a pulled oci: image after its path, and a path with a dot-folder is no valid name.
ln -sfn "$work/oci" /tmp/ledgerline-node-standin
buildah rmi --force "$standin" >/dev/null 2>&1 || true
id=$(buildah pull --quiet oci:/tmp/ledgerline-node-standin:24 | tail -1)
buildah tag "$id" "$standin"
rm -f /tmp/ledgerline-node-standin

echo "› buildah build -f ops/image/Containerfile --build-arg NODE_IMAGE=$standin" >&2
nice -n 19 buildah build --pull=never --isolation chroot --network host "${mounts[@]}" \
  --build-arg NODE_IMAGE="$standin" -f ops/image/Containerfile -t localhost/ledgerline:containerfile .
rm -rf "$dest/oci"
buildah push --quiet localhost/ledgerline:containerfile "oci:$dest/oci:ledgerline"
echo "image    $dest/oci:ledgerline (from ops/image/Containerfile, base $standin)"
echo "digest   $(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).manifests[0].digest' "$dest/oci/index.json")"
