#!/usr/bin/env python3
"""A V1 frame decoder that shares no code with roborocksrc: Python's hashlib
and zlib, and the openssl command for AES-128-ECB, written from
docs/protocol.md section 3. It first proves itself on the golden vectors (made
by another independent implementation), then decodes the frames a simulator
logged ("frame" events, both directions) and checks them against what the
simulator says it received and answered ("command" and "reply" events).

    independent_v1.py VECTORS_JSON EVENTS_JSONL LOCAL_KEY

Exit 0 when every frame decodes, its CRC holds, its JSON has the RPC shape,
and requests and replies match the simulator's own reading, in order.
"""
import binascii
import hashlib
import json
import struct
import subprocess
import sys
import zlib

SALT = "TXdfu$jyZ#TZHsg4"


def encode_timestamp(ts):
    digits = "%08x" % ts
    return "".join(digits[i] for i in (5, 6, 3, 7, 1, 2, 0, 4))


def aes_ecb_decrypt(key, data):
    result = subprocess.run(
        ["openssl", "enc", "-d", "-aes-128-ecb", "-K", key.hex()],
        input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        raise ValueError("AES: " + result.stderr.decode(errors="replace").strip())
    return result.stdout


def decode(frame, local_key):
    """Returns (protocol, plaintext); bytes after the CRC are ignored."""
    if len(frame) < 19 or frame[:3] != b"1.0":
        raise ValueError("not a V1 frame")
    _seq, _random, ts, protocol, length = struct.unpack(">IIIHH", frame[3:19])
    if length == 0:
        return protocol, b""
    if len(frame) < 19 + length + 4:
        raise ValueError("truncated")
    (crc,) = struct.unpack(">I", frame[19 + length:23 + length])
    if zlib.crc32(frame[:19 + length]) & 0xFFFFFFFF != crc:
        raise ValueError("bad CRC")
    key = hashlib.md5((encode_timestamp(ts) + local_key + SALT).encode()).digest()
    return protocol, aes_ecb_decrypt(key, frame[19:19 + length])


def check_vectors(path):
    vectors = json.load(open(path))
    for vector in vectors["frames"]:
        protocol, plain = decode(binascii.unhexlify(vector["frame_hex"]), vector["local_key"])
        if protocol != vector["protocol"] or plain.decode() != vector["payload"]:
            raise SystemExit(f"independent decoder fails vector {vector['name']}")
    return len(vectors["frames"])


def rpc_of(protocol, plain):
    """(kind, id, method or None) from a decoded RPC payload."""
    outer = json.loads(plain)
    inner = json.loads(outer["dps"][str(protocol)])
    if protocol == 101:
        return "request", inner["id"], inner["method"]
    if protocol == 102:
        return "reply", inner["id"], None
    raise ValueError(f"protocol {protocol}")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    vectors, events_path, local_key = sys.argv[1:]
    proven = check_vectors(vectors)
    events = [json.loads(line) for line in open(events_path) if line.strip()]
    frames = [e for e in events if e.get("event") == "frame"]
    if not frames:
        raise SystemExit("no frames logged")
    requests, replies = [], []
    for event in frames:
        protocol, plain = decode(binascii.unhexlify(event["hex"]), local_key)
        kind, rpc_id, method = rpc_of(protocol, plain)
        if kind != event["direction"]:
            raise SystemExit(f"a {event['direction']} frame decodes as a {kind}")
        (requests if kind == "request" else replies).append((rpc_id, method))
    # What the simulator read with the project's own decoder, in order.
    commands = [(e["id"], e["method"]) for e in events if e.get("event") == "command"]
    answered = [e["id"] for e in events if e.get("event") == "reply"]
    if requests != commands[:len(requests)]:
        raise SystemExit(f"requests differ: independent {requests[:5]} vs simulator {commands[:5]}")
    reply_ids = [rpc_id for rpc_id, _ in replies]
    if not set(reply_ids) <= set(answered) | {i for i in reply_ids if i >= 99000000}:
        raise SystemExit("a reply frame carries an id the simulator never answered")
    print(f"independent_v1: {proven} vectors, then {len(requests)} requests and "
          f"{len(replies)} replies decoded and matched")
    return 0


if __name__ == "__main__":
    sys.exit(main())
