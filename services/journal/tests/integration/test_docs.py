"""The service documents its HTTP API (OpenAPI) and its events (AsyncAPI)."""

from __future__ import annotations

import httpx


async def test_openapi_and_asyncapi_describe_the_service(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()
    assert "/api/v1/groups/{group_id}/roster" in openapi["paths"]
    asyncapi = (await client.get("/asyncapi.json")).json()
    text = str(asyncapi)
    # what journal consumes and what it publishes
    assert "contingent.student.enrolled.v2" in text
    assert "contingent.student.expelled.v2" in text
    assert "journal.roster.changed.v1" in text
    page = await client.get("/asyncapi")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
