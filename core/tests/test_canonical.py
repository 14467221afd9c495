"""The one canonical JSON spelling and its hash (the real-record check lives with the records,
in trials/tests/test_api_v2.py, since core may not import the apps)."""

import hashlib
import json

from core.canonical import CanonicalJSONEncoder, canonical_json, content_hash


def test_keys_are_sorted_without_spaces_and_text_stays_unescaped():
    assert canonical_json({"b": [1, None], "a": "硬皮病"}) == '{"a":"硬皮病","b":[1,null]}'.encode()


def test_what_orjson_refuses_is_spelled_by_the_standard_library():
    value = {"big": 2**70, "small": -(2**63) - 1}
    assert canonical_json(value) == b'{"big":1180591620717411303424,"small":-9223372036854775809}'


def test_the_hash_is_sha256_of_the_canonical_bytes_whatever_the_key_order():
    expected = hashlib.sha256(b'{"a":1,"b":"x"}').hexdigest()
    assert content_hash({"b": "x", "a": 1}) == content_hash({"a": 1, "b": "x"}) == expected


def test_the_field_encoder_stores_the_same_spelling():
    value = {"z": {"y": 1, "x": "é"}, "a": []}
    assert json.dumps(value, cls=CanonicalJSONEncoder).encode() == canonical_json(value)
