"""The dataset exporter writes what Scrapy's JSON Lines exporter writes, as UTF-8 without escapes."""

from __future__ import annotations

import io
import json

from scrapy.exporters import JsonLinesItemExporter

from newscrawl.items import Article, PageContent
from newscrawl.store.exporter import RecordLinesExporter

RECORD = Article.from_content(
    PageContent(
        url="https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a",
        title="标题 “引号” \\ 反斜杠",
        body="第一段\u2028。\n\n第二段\t。",
        authors=["安东尼"],
        images=[{"url": "https://s.rfi.fr/a.jpg", "caption": None}],
        media=[{"type": "audio", "url": "https://aod.example/a.mp3", "duration": 269}],
        alternates={"zh-Hant": "https://www.rfi.fr/tw/a"},
    ),
    feed={
        "url": "https://www.rfi.fr/cn/rss",
        "entry_id": "1",
        "entry_title": "标题",
        "entry_published": None,
        "position": 0,
    },
)


def export(exporter_class: type[JsonLinesItemExporter], item: object, **options: object) -> bytes:
    file = io.BytesIO()
    exporter = exporter_class(file, **options)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    return file.getvalue()


def test_a_record_is_the_same_json_object_as_scrapys_in_the_same_key_order() -> None:
    ours = export(RecordLinesExporter, RECORD, encoding="utf-8")
    scrapys = export(JsonLinesItemExporter, RECORD, encoding="utf-8")
    assert ours.endswith(b"\n")
    assert ours.count(b"\n") == 1
    assert list(json.loads(ours).items()) == list(json.loads(scrapys).items())


def test_a_record_is_utf8_without_unicode_escapes() -> None:
    line = export(RecordLinesExporter, RECORD, encoding="utf-8").decode("utf-8")
    assert "\\u" not in line
    assert "标题 “引号”" in line
    assert "\u2028" in line


def test_other_items_and_options_go_to_scrapys_exporter() -> None:
    item = {"a": "é"}
    assert export(RecordLinesExporter, item, encoding="utf-8") == export(JsonLinesItemExporter, item, encoding="utf-8")
    escaped = export(RecordLinesExporter, RECORD)  # no encoding: Scrapy's ASCII with \u escapes
    assert escaped == export(JsonLinesItemExporter, RECORD)
    assert b"\\u" in escaped
    fields = export(RecordLinesExporter, RECORD, encoding="utf-8", fields_to_export=["url"])
    assert json.loads(fields) == {"url": RECORD.url}
