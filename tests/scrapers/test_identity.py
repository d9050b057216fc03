"""One article, one identity: the URL spellings portals use for the same article share a document id."""

from __future__ import annotations

from gongkai.staging import document_id_for
from scrapers.identity import canonical_url, document_id, fetch_url

ARTICLE = "https://www.haishu.gov.cn/art/2019/1/12/art_1229102208_100.html"


def test_spellings_of_one_article_share_its_id() -> None:
    same = [
        ARTICLE,
        ARTICLE + "?from=timeline",
        ARTICLE + "?utm_source=wechat&utm_medium=share#top",
        ARTICLE.replace("https://", "http://"),
        ARTICLE.replace("www.haishu.gov.cn", "WWW.HAISHU.GOV.CN"),
        "http://127.0.0.1:8765/art/2019/1/12/art_1229102208_100.html?isappinstalled=0",
    ]
    assert {document_id(u) for u in same} == {document_id_for(ARTICLE)}  # clean URLs keep their old id
    assert document_id("https://h/col/col1/index.html") == document_id("http://h/col/col1/")
    assert document_id(ARTICLE.replace("_100", "_101")) != document_id(ARTICLE)


def test_meaningful_query_keys_stay() -> None:
    url = "http://h/module/download/downfile.jsp?classid=0&filename=ab.docx&from=timeline"
    assert fetch_url(url) == "http://h/module/download/downfile.jsp?classid=0&filename=ab.docx"
    assert canonical_url("http://h/a?id=7") == "http://h/a?id=7"
    assert document_id("http://h/a?id=7") != document_id("http://h/a?id=8")
