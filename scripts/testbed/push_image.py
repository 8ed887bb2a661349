#!/usr/bin/env python3
"""Push a (multi-platform) image made from root filesystem tarballs to a registry, through
the registry HTTP API: no daemon involved, so the result is exactly what we describe.

    push_image.py REGISTRY NAME:TAG PLATFORM=ROOTFS.tar[,cmd=sh,env=PATH=...] ...

Each ROOTFS.tar (uncompressed) becomes one layer; the image config gets the platform's
architecture/os/variant, Env PATH and the given Cmd. With several platforms a manifest list
(Docker schema 2) ties them together. Uploading a blob the registry already has is skipped,
so pushing again is fast and idempotent.
"""
import gzip
import hashlib
import json
import sys
import urllib.error
import urllib.request

MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.status, dict(resp.headers), resp.read()


def has_blob(base, name, digest):
    try:
        request("HEAD", f"{base}/v2/{name}/blobs/{digest}")
        return True
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return False
        raise


def upload_blob(base, name, data):
    digest = sha256(data)
    if has_blob(base, name, digest):
        return digest, len(data)
    _, headers, _ = request("POST", f"{base}/v2/{name}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    separator = "&" if "?" in location else "?"
    request("PUT", f"{location}{separator}digest={digest}", data=data,
            headers={"Content-Type": "application/octet-stream"})
    return digest, len(data)


def put_manifest(base, name, reference, media_type, body):
    data = json.dumps(body, separators=(",", ":")).encode()
    request("PUT", f"{base}/v2/{name}/manifests/{reference}", data=data,
            headers={"Content-Type": media_type})
    return sha256(data), len(data)


def image_for(base, name, platform, rootfs, cmd, env):
    os_, arch, *variant = platform.split("/")
    with open(rootfs, "rb") as f:
        tar = f.read()
    # mtime=0 keeps the compressed layer identical across runs.
    layer = gzip.compress(tar, mtime=0)
    layer_digest, layer_size = upload_blob(base, name, layer)
    config = {
        "architecture": arch,
        "os": os_,
        "config": {"Env": env, "Cmd": cmd},
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar)]},
        "history": [{"created_by": f"kiln testbed: {rootfs}"}],
    }
    if variant:
        config["variant"] = variant[0]
    config_digest, config_size = upload_blob(base, name, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "size": config_size, "digest": config_digest},
        "layers": [{"mediaType": LAYER, "size": layer_size, "digest": layer_digest}],
    }
    return manifest, {"architecture": arch, "os": os_, **({"variant": variant[0]} if variant else {})}


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    base = "http://" + argv[1]
    name, tag = argv[2].rsplit(":", 1)
    images = []
    for spec in argv[3:]:
        platform, rest = spec.split("=", 1)
        parts = rest.split(",")
        options = dict(p.split("=", 1) for p in parts[1:])
        cmd = options.get("cmd", "sh").split()
        env = [DEFAULT_PATH] + ([options["env"]] if "env" in options else [])
        images.append(image_for(base, name, platform, parts[0], cmd, env))
    if len(images) == 1:
        digest, _ = put_manifest(base, name, tag, MANIFEST, images[0][0])
    else:
        entries = []
        for manifest, platform in images:
            digest, size = put_manifest(base, name, sha256(json.dumps(manifest, separators=(",", ":")).encode()), MANIFEST, manifest)
            entries.append({"mediaType": MANIFEST, "size": size, "digest": digest, "platform": platform})
        digest, _ = put_manifest(base, name, tag, MANIFEST_LIST, {"schemaVersion": 2, "mediaType": MANIFEST_LIST, "manifests": entries})
    print(f"pushed {argv[1]}/{name}:{tag} ({len(images)} platform(s)) {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
