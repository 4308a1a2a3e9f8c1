"""The sender and the published receiving helper agree on the published test vectors; bad ones are refused."""

import json

import pytest

from reporting.webhooks import signature

from .receiving import EXAMPLES, verify_helper

VECTORS = json.loads((EXAMPLES.parent / "webhooks" / "test-vectors.json").read_text())["vectors"]


def headers_of(vector: dict[str, object]) -> dict[str, str]:
    return {
        "webhook-id": str(vector["id"]),
        "webhook-timestamp": str(vector["timestamp"]),
        "webhook-signature": str(vector["signature"]),
    }


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_sender_produces_each_published_signature(vector: dict[str, object]) -> None:
    secrets = [str(vector["secret"]), *([str(vector["previous_secret"])] if "previous_secret" in vector else [])]
    made = signature.signature_header(secrets, str(vector["id"]), int(str(vector["timestamp"])), str(vector["body"]))
    assert made == vector["signature"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_helper_accepts_each_published_vector_with_every_secret_that_signed_it(vector: dict[str, object]) -> None:
    body, now = str(vector["body"]), int(str(vector["timestamp"])) + 10
    for key in ("secret", "previous_secret"):
        if key in vector:
            assert verify_helper.verify(str(vector[key]), headers_of(vector), body.encode(), now=now) == json.loads(
                body
            )


def test_a_changed_body_id_or_secret_or_a_stale_timestamp_is_refused() -> None:
    vector = VECTORS[1]
    good, body, at = headers_of(vector), str(vector["body"]), int(str(vector["timestamp"]))
    secret = str(vector["secret"])
    refused = [
        (secret, good, body.replace("150000000", "150000001"), at),
        (secret, {**good, "webhook-id": "msg_other"}, body, at),
        (signature.new_secret(), good, body, at),
        (secret, good, body, at + verify_helper.TOLERANCE_S + 1),
        (secret, {k: v for k, v in good.items() if k != "webhook-signature"}, body, at),
    ]
    for key, headers, text, now in refused:
        with pytest.raises(verify_helper.Invalid):
            verify_helper.verify(key, headers, text.encode(), now=now)


def test_secrets_are_whsec_and_32_random_bytes() -> None:
    made = {signature.new_secret() for _ in range(20)}
    assert len(made) == 20
    assert all(s.startswith("whsec_") and len(signature.key_of(s)) == 32 for s in made)


def test_the_published_vectors_cover_a_rotation() -> None:
    assert any(len(str(v["signature"]).split()) == 2 for v in VECTORS)
