"""iplayout.fileio: checksums (hand-computed) and atomic writes that leave the target intact on failure."""
import hashlib
import os

import pytest

from iplayout.fileio import (atomic_dir, atomic_path, atomic_write, cached_sha256_file, sha256_file, sha256_files,
                             sha256_tree)


def test_sha256_file_matches_hashlib_on_a_multi_chunk_file(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # spans four 1 MiB reads
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    assert sha256_file(f) == hashlib.sha256(data).hexdigest()


def test_tree_hash_is_names_plus_contents_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_bytes(b"x")
    (tmp_path / "b" / "c.txt").write_bytes(b"y")
    want = hashlib.sha256(b"".join(f"{n}\0{hashlib.sha256(d).hexdigest()}\n".encode()
                                   for n, d in (("a.txt", b"x"), ("b/c.txt", b"y")))).hexdigest()
    assert sha256_tree(tmp_path) == want
    assert sha256_files([tmp_path / "b" / "c.txt", tmp_path / "a.txt"], root=tmp_path) == want  # order-free
    (tmp_path / "b" / "__pycache__").mkdir()
    (tmp_path / "b" / "__pycache__" / "c.pyc").write_bytes(b"z")
    (tmp_path / "stage.json").write_text("{}")
    assert sha256_tree(tmp_path, exclude=("__pycache__", "stage.json")) == want
    (tmp_path / "a.txt").rename(tmp_path / "a2.txt")  # a rename changes the digest
    assert sha256_tree(tmp_path, exclude=("__pycache__", "stage.json")) != want
    assert sha256_tree(tmp_path / "nowhere") is None


def test_cached_checksum_follows_a_replaced_file(tmp_path):
    f = tmp_path / "db"
    atomic_write(f, b"one")
    assert cached_sha256_file(f) == hashlib.sha256(b"one").hexdigest()
    atomic_write(f, b"two")  # replaced by rename: a new version, hashed again
    assert cached_sha256_file(f) == hashlib.sha256(b"two").hexdigest()


def test_atomic_write_text_and_bytes_leave_no_temp(tmp_path):
    p = tmp_path / "sub" / "out.txt"
    atomic_write(p, "江苏")
    assert p.read_text(encoding="utf-8") == "江苏"
    atomic_write(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert sorted(x.name for x in p.parent.iterdir()) == ["out.txt"]


def test_atomic_path_failure_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "x.duckdb"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target, tag="import", copy_existing=True, companions=(".wal",)) as tmp:
            assert tmp.read_bytes() == b"old"  # started from a copy
            tmp.write_bytes(b"half")
            tmp.with_name(tmp.name + ".wal").write_bytes(b"log")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["x.duckdb"]
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and sorted(x.name for x in tmp_path.iterdir()) == ["x.duckdb"]


def test_atomic_dir_replaces_a_folder_whole(tmp_path):
    folder = tmp_path / "stage" / "100000-2022"
    with atomic_dir(folder) as tmp:
        (tmp / "a.parquet").write_bytes(b"1")
        (tmp / "old.parquet").write_bytes(b"1")
    with atomic_dir(folder) as tmp:
        (tmp / "a.parquet").write_bytes(b"2")
    assert sorted(p.name for p in folder.iterdir()) == ["a.parquet"] and (folder / "a.parquet").read_bytes() == b"2"
    with pytest.raises(ValueError):
        with atomic_dir(folder) as tmp:
            (tmp / "a.parquet").write_bytes(b"3")
            raise ValueError("half-computed")
    assert (folder / "a.parquet").read_bytes() == b"2"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["100000-2022"]
