from __future__ import annotations

from newscrawl.extract.generic import article_body, main_text, prefer_article_body

SENTENCES = [
    "北京时间昨天晚上，多国代表在会议上就气候问题发表了各自的看法，讨论持续了三个多小时。",
    "与会者普遍认为，减排目标需要更具体的时间表，否则很难在规定期限内完成任务。",
    "会议结束时，主办方表示将在下个月公布一份详细的行动计划，供各国参考和讨论。",
]


def page(article: str, after: str = "") -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body>"
        "<nav><a href='/'>首页</a><a href='/a'>国际</a><a href='/b'>财经</a></nav>"
        f"<article>{article}</article>{after}<footer>© 2024 某报</footer></body></html>"
    )


def test_paragraphs_stay_paragraphs_and_inline_markup_adds_no_space() -> None:
    html = page(
        f"<p>{SENTENCES[0][:10]}<a href='/k'>{SENTENCES[0][10:14]}</a><strong>{SENTENCES[0][14:]}</strong></p>"
        f"<p>{SENTENCES[1]}</p><p>{SENTENCES[2]}</p>"
    )
    assert main_text(html) == SENTENCES


def test_comments_and_captions_stay_out() -> None:
    comments = "".join(
        f"<li class='comment'><p>网友{i}：我完全同意这篇文章的观点，希望有关部门能够认真对待这个问题。</p></li>"
        for i in range(6)
    )
    html = page(
        f"<p>{SENTENCES[0]}</p><figure><img src='x.jpg'><figcaption>图为会议现场。</figcaption></figure>"
        f"<p>{SENTENCES[1]}</p><p>{SENTENCES[2]}</p>",
        f"<section id='comments' class='comments'><h2>评论</h2><ol>{comments}</ol></section>",
    )
    text = main_text(html)
    assert text == SENTENCES
    assert not any("网友" in p or "会议现场" in p for p in text)


def test_paragraphs_written_as_divs_with_links_are_kept() -> None:
    html = page("".join(f"<div class='para'>{s[:8]}<a href='/tag/x'>关键词</a>{s[8:]}</div>" for s in SENTENCES))
    assert [p.replace("关键词", "") for p in main_text(html)] == SENTENCES


def test_utf8_bytes_and_an_empty_document() -> None:
    assert main_text(page("".join(f"<p>{s}</p>" for s in SENTENCES)).encode("utf-8")) == SENTENCES
    assert main_text(b"") == []


def test_an_article_body_is_used_only_when_it_is_not_shorter() -> None:
    teaser = [SENTENCES[0]]
    assert prefer_article_body(SENTENCES, teaser) == (SENTENCES, "fallback")
    longer = [*SENTENCES, "补充说明：这是只有结构化数据里才有的一段。"]
    assert prefer_article_body(SENTENCES, longer) == (longer, "jsonld")
    assert prefer_article_body([], teaser) == (teaser, "jsonld")
    assert prefer_article_body([], []) is None


def test_at_equal_length_the_text_with_its_paragraphs_wins() -> None:
    run_together = [" ".join(SENTENCES)]
    assert prefer_article_body(SENTENCES, run_together) == (SENTENCES, "fallback")


def test_an_alphabetic_div_with_a_link_is_left_to_trafilatura() -> None:
    english = [
        "The summit in Brussels ended late on Thursday after leaders argued for hours over the budget.",
        "Several delegations said the compromise text left too many questions open for next month.",
    ]
    promo = "<div class='promo'><a href='/newsletter'>Sign up for our newsletter</a> to get the news first.</div>"
    html = page(f"<p>{english[0]}</p>{promo}<p>{english[1]}</p>")
    assert main_text(html) == english


def test_an_article_body_in_html_is_measured_by_its_text_not_its_markup() -> None:
    marked_up = "".join(f"<p class='bodytext'>{s}</p>" for s in SENTENCES)
    assert article_body({"articleBody": marked_up}) == SENTENCES
    escaped = marked_up.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&quot;")
    assert article_body({"articleBody": escaped}) == SENTENCES
    teaser = f"<p class='article-body__paragraph article-body__paragraph--first'>{SENTENCES[0]}</p>"
    assert prefer_article_body(SENTENCES, article_body({"articleBody": teaser})) == (SENTENCES, "fallback")
    assert article_body({"articleBody": ["not", "text"]}) == article_body({}) == []
