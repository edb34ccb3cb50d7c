"""Review findings on the review page: text from a district's plan (and the page's own query
string) must reach the browser as text, never as HTML (templates are *.html.j2, which
select_autoescape(["html"]) did not match, so nothing was escaped)."""

import pytest
from fastapi.testclient import TestClient
from reja.extract.model import ParsedPlan, PlanItem, PlanMeta

from reja.review.web import ReviewSettings, create_app

from .conftest import store_of_one_plan

HOSTILE = '<img src=x id="injected">'


def _parse(path):
    item = PlanItem(item_no="1", text=HOSTILE + " kitobxonlar bilan uchrashuv", unit="<b>marta</b>",
                    section_no="I", section_title="TASHKILIY ISHLAR")
    item.flags.append("stacked_values: <i>134 4010</i>")
    meta = PlanMeta(region="Andijon viloyati", district="Izboskan tumani", year=2025)
    return ParsedPlan(source=str(path), format="docx", meta=meta, items=[item])


@pytest.fixture
def client(tmp_path, monkeypatch):
    db = store_of_one_plan(tmp_path, monkeypatch, _parse)
    return TestClient(create_app(ReviewSettings(db=db, clerk="Dilnoza")), base_url="http://127.0.0.1")


def test_plan_text_is_escaped_on_the_list_and_the_row_page(client):
    page = client.get("/").text
    assert "kitobxonlar" in page
    assert HOSTILE not in page and "&lt;img src=x" in page
    key = page.split('href="/row/', 1)[1].split('"', 1)[0].split('?', 1)[0]
    row = client.get(f"/row/{key}").text
    assert "kitobxonlar" in row
    assert HOSTILE not in row and "<b>marta</b>" not in row and "<i>134" not in row


def test_the_query_string_is_not_reflected_as_html(client):
    page = client.get("/", params={"max_score": '"><b id="reflected">x</b>'}).text
    assert '<b id="reflected">' not in page


def test_two_clerks_undoing_the_same_change_at_once_get_a_message_not_a_500(client, monkeypatch):
    import re

    from reja import corrections as corr
    from reja.review import web

    page = client.get("/").text
    key = page.split('href="/row/', 1)[1].split('"', 1)[0].split('?', 1)[0]
    csrf = re.search(r'name="csrf" content="([0-9a-f]+)"', client.get(f"/row/{key}").text).group(1)
    assert client.post(f"/row/{key}/accept", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    real_undo = corr.undo

    def other_clerk_first(db_path, correction_id, **kw):
        real_undo(db_path, correction_id, who="Bobur")  # lands between our read and our write
        return real_undo(db_path, correction_id, **kw)

    monkeypatch.setattr(web.corr, "undo", other_clerk_first)
    response = client.post(f"/row/{key}/undo", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 409, response.text
    assert "already undone" in response.text
