"""Writes seed inputs for `make fuzz`: small well-formed CBOR items and an attestation object of each format,
so that the fuzzer starts from inputs that reach the statement parsers instead of having to discover CBOR first.
The statements' signatures and certificates are junk: the parsers are what is being exercised, not trust."""
import hashlib
import os
import struct
import sys


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


def enc(value):
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(enc(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(enc(k) + enc(v) for k, v in value.items())
    raise TypeError(type(value))


# The P-256 base point: a valid public key whose private half everyone knows, which is fine for seeds.
GX = bytes.fromhex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")
GY = bytes.fromhex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
COSE_ES256 = enc({1: 2, 3: -7, -1: 1, -2: GX, -3: GY})


def auth_data(flags=0x45, credential_id=b"\x01" * 16, aaguid=b"\x00" * 16):
    data = hashlib.sha256(b"example.org").digest() + bytes([flags]) + struct.pack(">I", 1)
    return data + aaguid + struct.pack(">H", len(credential_id)) + credential_id + COSE_ES256


def attestation(fmt, statement, data=None):
    return enc({"fmt": fmt, "attStmt": statement, "authData": data or auth_data()})


def main(directory):
    seeds = {
        "cbor": {
            "map": COSE_ES256,
            "nested": enc([1, [2, [3, {"a": b"\x00"}]], "text", -500, True]),
            "tagged": bytes.fromhex("c249010000000000000000"),
            "float": bytes.fromhex("fb3ff199999999999a"),
        },
        "attestation": {
            "none": attestation("none", {}),
            "packed-self": attestation("packed", {"alg": -7, "sig": b"\x30\x06\x02\x01\x01\x02\x01\x01"}),
            "packed-x5c": attestation("packed", {"alg": -7, "sig": b"\x30\x00", "x5c": [b"\x30\x82\x01\x00"]}),
            "fido-u2f": attestation("fido-u2f", {"sig": b"\x30\x00", "x5c": [b"\x30\x03\x02\x01\x00"]}),
            "tpm": attestation("tpm", {
                "ver": "2.0", "alg": -257, "x5c": [b"\x30\x00"], "sig": b"\x00" * 8,
                "certInfo": b"\xffTCG\x80\x17" + b"\x00" * 40, "pubArea": b"\x00\x23\x00\x0b\x00\x06\x04\x72" + b"\x00" * 40,
            }),
            "android-key": attestation("android-key", {"alg": -7, "sig": b"\x30\x00", "x5c": [b"\x30\x00"]}),
            "apple": attestation("apple", {"x5c": [b"\x30\x00"]}),
        },
    }
    for target, items in seeds.items():
        path = os.path.join(directory, target)
        os.makedirs(path, exist_ok=True)
        for name, data in items.items():
            with open(os.path.join(path, name), "wb") as handle:
                handle.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
