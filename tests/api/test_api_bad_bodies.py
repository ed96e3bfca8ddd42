"""Hostile bodies on every write route, on SQLite and PostgreSQL: a 4xx problem each, never a 5xx.

NUL bytes and escapes, lone surrogates, invalid UTF-8, a 10 MB body, 100,000
levels of nesting, wrong types, a wrong content type, an empty body, trailing
garbage. After them the server still answers /health and takes a valid write.
PostgreSQL refuses NUL in text, so a NUL that reached the database would be a 500.
"""

from __future__ import annotations

import pytest
from api_records import ScriptedExtractor, person, quote_in

ARTICLE = "“Troops will stay,” Gen. Kenneth McKenzie said. “We go,” said Lloyd Austin."
SPEAKER = "/api/speakers/kenneth-mckenzie"
JSON = {"content-type": "application/json"}

MERGE = ("POST", f"{SPEAKER}/merge", b'{"other": "lloyd-austin"}')

# route -> (method, path, its text field, valid requests that must succeed afterwards)
WRITE_ROUTES = {
    "createArticle": ("POST", "/api/articles", "text", [("POST", "/api/articles", b'{"text": "A plain text."}')]),
    "extractQuotes": ("POST", "/api/extract", "text", [("POST", "/api/extract", b'{"text": "A plain text."}')]),
    "mergeSpeakers": ("POST", f"{SPEAKER}/merge", "other", [MERGE]),
    "splitSpeaker": ("POST", f"{SPEAKER}/split", "alias",
                     [MERGE, ("POST", f"{SPEAKER}/split", b'{"alias": "Lloyd Austin"}')]),
    "renameSpeaker": ("PATCH", SPEAKER, "name", [("PATCH", SPEAKER, b'{"name": "K. McKenzie"}')]),
}


def hostile_bodies(field: str) -> list[tuple[str, bytes, dict[str, str], int | None]]:
    """(what, body, headers, exact status or None for any 4xx) for a route whose string field is `field`."""
    f = field.encode()
    return [
        ("raw NUL bytes", b"\x00\x00\x00", JSON, 400),
        ("NUL escape in the field", b'{"' + f + b'": "a\\u0000b"}', JSON, 422),
        ("only a NUL escape", b'{"' + f + b'": "\\u0000"}', JSON, 422),
        ("NUL escape in a key", b'{"' + f + b'\\u0000": "a"}', JSON, 400),
        ("lone high surrogate", b'{"' + f + b'": "a\\ud800b"}', JSON, 400),
        ("lone low surrogate", b'{"' + f + b'": "\\udc00"}', JSON, 400),
        ("reversed surrogate pair", b'{"' + f + b'": "\\udc00\\ud800"}', JSON, 400),
        ("invalid UTF-8", b'{"' + f + b'": "\xff\xfe\xc3("}', JSON, 400),
        ("UTF-8 encoded surrogate", b'{"' + f + b'": "\xed\xa0\x80"}', JSON, 400),
        ("overlong UTF-8", b'{"' + f + b'": "\xc0\xaf"}', JSON, 400),
        ("10 MB body", b'{"' + f + b'": "' + b"x" * 10_000_000 + b'"}', JSON, 413),
        ("100k levels of [", b"[" * 100_000, JSON, 400),
        ("100k levels of [ closed", b"[" * 100_000 + b"]" * 100_000, JSON, 400),
        ("100k levels in the field", b'{"' + f + b'": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, 400),
        ("100k levels of {", b'{"a":' * 100_000, JSON, 400),
        ("a number", b'{"' + f + b'": 5.5}', JSON, 400),
        ("a list", b'{"' + f + b'": ["a"]}', JSON, 400),
        ("an object", b'{"' + f + b'": {"a": 1}}', JSON, 400),
        ("null", b'{"' + f + b'": null}', JSON, 400),
        ("true", b'{"' + f + b'": true}', JSON, 400),
        ("a bare string", b'"' + f + b'"', JSON, 400),
        ("a bare list", b"[1, 2]", JSON, 400),
        ("huge integer", b'{"' + f + b'": ' + b"9" * 5000 + b"}", JSON, 400),
        ("unknown field", b'{"' + f + b'": "a", "colour": "red"}', JSON, 400),
        ("duplicate field", b'{"' + f + b'": "a", "' + f + b'": 1}', JSON, None),
        ("empty body", b"", JSON, 400),
        ("whitespace body", b"  \n ", JSON, 400),
        ("trailing garbage", b'{"' + f + b'": "a"} garbage', JSON, 400),
        ("two documents", b'{"' + f + b'": "a"}{"' + f + b'": "b"}', JSON, 400),
        ("truncated", b'{"' + f + b'": "a', JSON, 400),
        ("BOM", b'\xef\xbb\xbf{"' + f + b'": "a"}', JSON, 400),
        ("text/plain", b'{"' + f + b'": "a"}', {"content-type": "text/plain"}, 415),
        ("form", f + b"=a", {"content-type": "application/x-www-form-urlencoded"}, 415),
        ("multipart", b"--x\r\n\r\n--x--", {"content-type": "multipart/form-data; boundary=x"}, 415),
        ("xml", b"<" + f + b">a</" + f + b">", {"content-type": "application/xml"}, 415),
        ("garbage content type", b'{"' + f + b'": "a"}', {"content-type": "\x01;;=;"}, 415),
    ]


def is_problem(r, what: str, status: int | None) -> None:  # noqa: ANN001
    assert 400 <= r.status_code < 500, (what, r.status_code, r.text[:500])
    if status is not None:
        assert r.status_code == status, (what, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/problem+json"), (what, r.headers)
    body = r.json()
    assert body["status"] == r.status_code and body["title"] and body["detail"], (what, body)
    assert "Traceback" not in r.text


@pytest.mark.parametrize("operation", list(WRITE_ROUTES))
async def test_hostile_bodies_get_4xx_and_the_server_keeps_working(
    client, extractor: ScriptedExtractor, operation: str  # noqa: ANN001
) -> None:
    extractor.add(ARTICLE, [quote_in(ARTICLE, "Troops will stay", person("Kenneth McKenzie")),
                            quote_in(ARTICLE, "We go", person("Lloyd Austin"))])
    assert (await client.post("/api/articles", json={"text": ARTICLE})).status_code == 201
    method, path, field, valid_requests = WRITE_ROUTES[operation]
    for what, body, headers, status in hostile_bodies(field):
        r = await client.request(method, path, content=body, headers=headers)
        is_problem(r, what, status)
    # Still up, and still taking writes.
    assert (await client.get("/health")).status_code == 200
    for valid_method, valid_path, valid_body in valid_requests:
        r = await client.request(valid_method, valid_path, content=valid_body, headers=JSON)
        assert r.status_code in (200, 201), r.text
    r = await client.post("/api/articles", json={"text": "Another text, fine."})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "method, url, body, status",
    [
        # Found by fuzzing: int() refuses digits that str.isdigit() accepts (a 500).
        ("GET", "/api/speakers/%C2%B2", None, 404),
        ("GET", "/api/speakers/%D9%A1%D9%A2/quotes", None, 404),
        ("GET", "/api/quotes?speaker=%C2%B2", None, 404),  # no speaker matches: a problem, not an empty page
        ("POST", f"{SPEAKER}/merge", {"other": "²"}, 404),
        # Ids past int32: the id columns are INTEGER, PostgreSQL refused the query (a 500).
        ("GET", "/api/speakers/2147483648", None, 404),
        ("GET", "/api/speakers/2147483648/quotes", None, 404),
        ("GET", "/api/articles/2147483648", None, 404),
        ("GET", "/api/quotes?speaker=2147483648", None, 404),
        ("POST", f"{SPEAKER}/merge", {"other": 2147483648}, 404),
        ("POST", f"{SPEAKER}/merge", {"other": 9223372036854775807}, 404),
        # NUL in merge's `other` reached PostgreSQL (a 500).
        ("POST", f"{SPEAKER}/merge", {"other": "a\x00b"}, 422),
    ],
)
async def test_inputs_that_were_server_errors(client, extractor: ScriptedExtractor, method: str, url: str,  # noqa: ANN001
                                              body: object, status: int) -> None:
    extractor.add(ARTICLE, [quote_in(ARTICLE, "Troops will stay", person("Kenneth McKenzie"))])
    assert (await client.post("/api/articles", json={"text": ARTICLE})).status_code == 201
    r = await client.request(method, url, json=body)
    assert r.status_code == status, r.text


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_value_the_database_refuses_is_a_422(make_client, monkeypatch) -> None:  # noqa: ANN001
    """The net under the services' own checks: SQLSTATE class 22 is the client's value, not a 500."""
    from sqlalchemy import String, bindparam, select

    from api.speakers import SpeakerService

    async def detail(self, ident: str):  # noqa: ANN001, ANN202 - passes a NUL to PostgreSQL unchecked
        async with self.store.read() as session:
            await session.execute(select(bindparam("x", ident + "\x00", type_=String)))
        raise AssertionError("PostgreSQL should have refused the NUL")

    monkeypatch.setattr(SpeakerService, "detail", detail)
    async with make_client() as c:
        is_problem(await c.get("/api/speakers/someone"), "database data exception", 422)
        assert (await c.get("/health")).status_code == 200
