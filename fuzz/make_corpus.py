#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the golden vectors of tests/archive/*.cpp.

Every hex byte string of the tests (the golden vectors of CheckGolden and the inputs of FromHex) becomes
seeds for each target, with the header bytes that target reads first (see the comment at the top of each
fuzz/*_fuzzer.cpp) and, where the target reads op bytes, the op that reads that kind of item. The files are
committed; run this again (from anywhere) after adding golden vectors: `python3 fuzz/make_corpus.py`.
"""
import hashlib
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"

# Op numbers of fuzz_support.cpp's interpreter (OpSet::Primitives; OpSet::Messages is index + 1).
OP = {"U32": 7, "String": 14, "U16String": 15, "WString": 16, "Count": 17, "Raw": 18, "Line": 19,
      "Object": 22, "ObjectShape": 23, "Class": 26}
MAX_SEED = 8192


def vectors():
    found = []
    for path in sorted((root / "tests" / "archive").glob("*.cpp")):
        text = path.read_text()
        text = re.sub(r'"\s*\n\s*"', "", text)  # adjacent literals are one string
        for m in re.finditer(r'"([0-9A-Fa-f]{2}(?:[ |]+[0-9A-Fa-f]{2})*)"', text):
            found.append(bytes.fromhex(m.group(1).replace("|", " ")))
    # Lengths and escapes the tests build in code rather than in hex.
    for n in (254, 255, 0x1000):
        prefix = bytes([n]) if n < 0xFF else b"\xff" + n.to_bytes(2, "little")
        found.append(prefix + b"x" * n)
    found.append(b"\xff\xfe\xff\xff\xff\x00" + b"y\x00" * 255)
    found.append(b"a" * 127 + b"\r\nnext\n")
    unique = []
    for v in found:
        if v and v not in unique and len(v) <= MAX_SEED:
            unique.append(v)
    return unique


def write(target, seeds):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    for s in seeds:
        (d / hashlib.sha1(s).hexdigest()).write_bytes(s)
    print(f"{target}: {len(seeds)} seeds")


def main():
    vs = vectors()
    write("archive_primitives_fuzzer",
          [bytes([2]) + v for v in vs] +
          [bytes([2, OP[op]]) + v for v in vs for op in ("String", "U16String", "WString", "Count", "U32")])
    write("archive_objects_fuzzer",
          [bytes([mode]) + v for v in vs for mode in (0, 1, 3, 4, 8)])
    write("archive_read_string_fuzzer", [bytes([cfg]) + v for v in vs for cfg in (0, 1, 6)])
    write("archive_transaction_fuzzer",
          [bytes([0x03, 7, OP[op] + 1]) + v + b"\x00" for v in vs for op in ("Object", "String", "Count")] +
          [bytes([0x24, 9, OP["Object"] + 1]) + v + b"\x00" + bytes([OP["Object"] + 1]) + v + b"\x00"
           for v in vs])


if __name__ == "__main__":
    main()
