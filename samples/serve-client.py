"""Calls a running `relax serve` (README, "Interactive"): explain an image, then load its maps with NumPy.

    ./relax serve &                      # http://127.0.0.1:8080/
    python3 samples/serve-client.py samples/chelsea.png
"""
import io
import json
import sys

import numpy as np
import requests

url = "http://127.0.0.1:8080/"
image = sys.argv[1] if len(sys.argv) > 1 else "samples/chelsea.png"

# Fields are named like `relax explain`'s options.
with open(image, "rb") as f:
    r = requests.post(url + "explain", files={"image": f},
                      data={"design": "balanced", "estimator": "control-variate", "target-error": "0.15"})
if not r.ok:  # every refusal is JSON naming the limit or field, e.g. 413 "... (relax serve --max-pixels)"
    sys.exit(f"{r.status_code}: {r.json()['error']}")
result = r.json()  # summary.json's content, plus "id" and "files"
print(result["masksUsed"], "masks, error bound", result["errorEstimate"]["bound"])

# Each map as .npy, or all of them (and the provenance) in one .npz.
importance = np.load(io.BytesIO(requests.get(url + result["files"]["importance.npy"].lstrip("/")).content))
maps = np.load(io.BytesIO(requests.get(url + result["files"]["maps.npz"].lstrip("/")).content))
print(importance.shape, importance.dtype, sorted(maps.files))
assert np.array_equal(importance, maps["importance"])

# Progress as server-sent events: ask for text/event-stream and read the events as they come.
with open(image, "rb") as f, requests.post(url + "explain", files={"image": f}, data={"masks": "512"},
                                           headers={"Accept": "text/event-stream"}, stream=True) as events:
    event = None
    for line in events.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
            if event == "progress":
                print(f"\r{data['masksDone']}/{data['masksTotal']} masks", end="", flush=True)
            elif event == "result":
                print("\ndone:", data["files"]["summary.png"])
            elif event == "error":
                sys.exit(f"\n{data['status']}: {data['error']}")
