#!/usr/bin/env bash
# Builds the small retrieval gallery and the evaluation's photo set used in README.md and EVALUATION.md from images
# that ship inside registry packages (no model hub, no web page): scikit-image's data folder (PyPI wheel) and
# matplotlib's sample data (PyPI wheel), plus the samples here.
#   samples/fetch-gallery.sh [DIR]      (default: relax-gallery); needs pip and unzip
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-relax-gallery}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pip download --no-deps --only-binary=:all: -d "$tmp" scikit-image==0.26.0 matplotlib==3.11.2 >&2
mkdir -p "$out"
(cd "$tmp" && unzip -q -o scikit_image-*.whl 'skimage/data/*' && unzip -q -o matplotlib-*.whl \
  'matplotlib/mpl-data/sample_data/grace_hopper.jpg')
for f in rocket.jpg motorcycle_left.png motorcycle_right.png hubble_deep_field.jpg retina.jpg ihc.png camera.png \
         coins.png moon.png grass.png gravel.png brick.png clock_motion.png cell.png; do
  cp "$tmp/skimage/data/$f" "$out/"
done
cp "$tmp/matplotlib/mpl-data/sample_data/grace_hopper.jpg" "$out/"
cp "$here/chelsea.png" "$here/coffee.png" "$here/astronaut.png" "$out/"
echo "$out: $(ls "$out" | wc -l) images (licences: scikit-image's data/README.txt, matplotlib's sample_data/README.txt)"
