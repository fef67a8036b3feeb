"""What RFI 华语 publishes over simulated time: a deterministic (seeded) model of the newsroom.

Every article is drawn up front, with its whole future: publication time (Paris hours, quiet
nights, bursts), content, 0–3 edits at random ages (title fix, appended paragraph, correction
note) and possibly a removal (404, 410, or a redirect to its section front). What the site
shows is then a pure function of simulated time: :meth:`Story.version_at` (an article's state
at ``t``), :meth:`Newsroom.latest` (the newest live articles, for feeds and the news sitemap),
:meth:`Newsroom.mirror` (the feedx mirror's snapshot), :meth:`Newsroom.month` (a contents
sitemap). Each listing also says when it last changed (its ``Last-Modified``), never earlier
than its real last change.

Times are aware UTC datetimes to the second; the Paris day of publication names the URL.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bench.corpus import PROGRAMMES, SECTIONS
from bench.simsite import prose

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

ORIGIN = "https://www.rfi.fr"
PARIS = ZoneInfo("Europe/Paris")
PROGRAMMES_ROOT = "专栏检索"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

EditKind = Literal["title_fix", "appended_paragraph", "correction"]
RemovalKind = Literal["404", "410", "redirect"]

# Share of the regular articles per section (programmes come on top, see NewsroomConfig).
SECTION_WEIGHTS = {
    **{"中国": 24, "国际": 14, "港澳台": 10, "法国": 8, "亚洲": 8, "经贸": 5, "政治": 4, "欧洲": 3, "美洲": 3},
    **{"非洲": 2, "中东": 2, "社会": 2, "人权": 2, "科技与文化": 2, "健康": 1, "体育": 1, "生态": 1, "视频": 1},
    **{"滚动新闻": 1, "名流": 0.5, "特别专题": 0.5},
}
# A programme's pages carry this as article:section (the real page has 国际 there, "emissions" in JSON-LD).
PROGRAMME_META_SECTION = "国际"
# Articles per hour by Paris hour: quiet nights, a morning ramp, a working day, an evening tail (≈ 38/day).
DEFAULT_HOURLY_RATE = (
    *(0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 1.5, 1.5),
    *(2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5),
    *(1.0, 1.0, 1.0, 1.0),
)
IMAGE_WIDTHS = (1920, 1024, 768, 480)

assert set(SECTION_WEIGHTS) == set(SECTIONS), "every section of the site has a weight"


@dataclass(frozen=True)
class Burst:
    """``count`` extra articles published within ``within`` from ``at`` (a news event).

    Front-loaded, as breaking news is: the share published by a fraction f of ``within`` is √f
    (half of them in its first quarter).
    """

    at: datetime
    count: int
    within: timedelta = timedelta(hours=1)
    section: str = "国际"  # half of the burst's articles go here, the rest as usual


@dataclass(frozen=True)
class NewsroomConfig:
    start: datetime  # the simulated period (UTC); articles before it are the site's history
    end: datetime
    seed: int = 1
    history: timedelta = timedelta(days=45)  # published before `start`: older months of the contents sitemaps
    hourly_rate: tuple[float, ...] = DEFAULT_HOURLY_RATE  # 24 values, by Paris hour
    bursts: tuple[Burst, ...] = ()
    programme_share: float = 0.08  # of the regular articles, programme pages (专栏检索/<programme>/)
    audio_share: float = 0.05  # regular articles with audio (programmes always have it)
    edit_counts: tuple[float, ...] = (0.6, 0.25, 0.1, 0.05)  # P(0 edits), P(1), P(2), P(3)
    edit_ages: tuple[timedelta, timedelta] = (timedelta(minutes=5), timedelta(days=3))  # log-uniform
    removal_share: float = 0.01
    removal_ages: tuple[timedelta, timedelta] = (timedelta(minutes=30), timedelta(days=5))  # log-uniform
    promo_rotation_share: float = 0.1  # pages whose promo/related blocks flip on every request (A/B)
    modified_before_published_share: float = 0.05  # the real quirk: dateModified 2 s before datePublished


@dataclass(frozen=True)
class Edit:
    at: datetime
    kind: EditKind
    text: str  # the new title, or the paragraph appended to the body


@dataclass(frozen=True)
class Removal:
    at: datetime
    kind: RemovalKind


@dataclass(frozen=True)
class Block:
    """One block of the body: a paragraph or an in-body heading, with optional inline markup."""

    text: str
    heading: bool = False
    link: tuple[int, int, str] | None = None  # text[start:end] links to this URL
    bold: tuple[int, int] | None = None  # text[start:end] is <strong>


@dataclass(frozen=True)
class Image:
    uuid: str
    file: str
    alt: str
    caption: str
    credit: str

    def url(self, width: int, ratio: str = "16x9") -> str:
        return f"https://s.rfi.fr/media/display/{self.uuid}/w:{width}/p:{ratio}/{self.file}"


@dataclass(frozen=True)
class Audio:
    url: str
    duration: int  # seconds


@dataclass(frozen=True)
class Version:
    """What an article's page shows at one moment."""

    number: int  # 1 + the edits made so far
    title: str
    blocks: tuple[Block, ...]
    changed: datetime  # publication or last edit (the page's Last-Modified)
    modified: datetime  # the page's dateModified (may be 2 s before publication: the real quirk)

    @property
    def body(self) -> str:
        """The body as the record holds it: blocks (headings too) separated by a blank line."""
        return "\n\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Story:
    """One article and its whole life."""

    number: int
    path: str  # decoded path, /cn/<section>/<YYYYMMDD>-<slug>
    tw_path: str
    section: str  # section, or the programme for programme pages
    programme: bool
    published: datetime
    published_ms: int  # the milliseconds some pages show in datePublished (the record drops them)
    title: str  # the first headline (the slug keeps it)
    lead: str
    blocks: tuple[Block, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image: Image
    audio: Audio | None
    edits: tuple[Edit, ...]
    removal: Removal | None
    promo_rotation: bool
    modified_before_published: bool

    @property
    def url(self) -> str:
        """The canonical URL (percent-encoded UTF-8, uppercase hex), as records hold it."""
        return ORIGIN + quote(self.path)

    @property
    def tw_url(self) -> str:
        return ORIGIN + quote(self.tw_path)

    @property
    def front_path(self) -> str:
        """The section front (or programme page) a removed article may redirect to."""
        return self.path.rsplit("/", 1)[0] + "/"

    @property
    def month(self) -> str:
        return f"{self.published.astimezone(PARIS):%Y%m}"

    def live_at(self, t: datetime) -> bool:
        return self.published <= t and not self.removed_at(t)

    def removed_at(self, t: datetime) -> bool:
        return self.removal is not None and self.removal.at <= t

    def version_at(self, t: datetime) -> Version:
        title, blocks = self.title, self.blocks
        done = [edit for edit in self.edits if edit.at <= t]
        for edit in done:
            if edit.kind == "title_fix":
                title = edit.text
            else:
                blocks = (*blocks, Block(edit.text))
        changed = done[-1].at if done else self.published
        quirk = not done and self.modified_before_published
        return Version(1 + len(done), title, blocks, changed, changed - timedelta(seconds=2) if quirk else changed)

    def events_until(self, t: datetime) -> Iterator[datetime]:
        """Times (≤ t) at which what listings show of this story changed."""
        if self.published <= t:
            yield self.published
        yield from (edit.at for edit in self.edits if edit.at <= t)
        if self.removal is not None and self.removal.at <= t:
            yield self.removal.at


@dataclass(frozen=True)
class Listing:
    """Stories a listing shows at one moment (newest first), their versions, and its last change."""

    items: list[tuple[Story, Version]]
    changed: datetime


@dataclass(frozen=True)
class MirrorItem:
    story: Story
    version: Version  # as the mirror copied it
    fetched: datetime  # when the mirror copied it (its <!--epoch-ms--> and pubDate)


@dataclass
class Newsroom:
    config: NewsroomConfig
    stories: list[Story] = field(init=False)
    _published: list[datetime] = field(init=False, repr=False)
    _by_path: dict[str, Story] = field(init=False, repr=False)
    _by_month: dict[str, list[Story]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        times = _publication_times(self.config)
        self.stories = []
        self._by_path = {}
        for number, (when, burst_section) in enumerate(times):
            story = _draw_story(self.config, number, when, burst_section, self._by_path)
            self.stories.append(story)
            self._by_path[story.path] = story
        self._published = [story.published for story in self.stories]
        self._by_month = {}
        for story in self.stories:
            self._by_month.setdefault(story.month, []).append(story)

    # --- lookups ------------------------------------------------------------------------------

    def story_at_path(self, path: str) -> Story | None:
        """The story served at a decoded path (a story not yet published is still unknown there)."""
        return self._by_path.get(path)

    def in_period(self) -> list[Story]:
        """Stories published within the simulated period (the ones a score counts)."""
        return [s for s in self.stories if self.config.start <= s.published <= self.config.end]

    def months_until(self, t: datetime) -> list[str]:
        """``YYYYMM`` (Paris) of every month with an article published by ``t``, oldest first."""
        first_unpublished = bisect.bisect_right(self._published, t)
        return sorted({story.month for story in self.stories[:first_unpublished]})

    # --- listings -----------------------------------------------------------------------------

    def latest(
        self,
        t: datetime,
        limit: int,
        *,
        section: str | None = None,
        window: timedelta | None = None,
    ) -> Listing:
        """The ``limit`` newest stories live at ``t`` (of one section; published within ``window``)."""
        items: list[tuple[Story, Version]] = []
        changed = EPOCH
        floor = t - window if window is not None else None
        for story in self._newest_first(t):
            if floor is not None and story.published <= floor:
                changed = max(changed, story.published + window)  # type: ignore[operator]  # it aged out then
                break
            if section is not None and story.section != section:
                continue
            changed = max(changed, *story.events_until(t))
            if not story.removed_at(t):
                items.append((story, story.version_at(t)))
                if len(items) == limit:
                    break
        return Listing(items, changed)

    def mirror(self, t: datetime, limit: int, poll: timedelta) -> tuple[list[MirrorItem], datetime]:
        """The feedx mirror at ``t``: it polls the site every ``poll`` and keeps its first copy of each article.

        Returns the items (newest first) and the mirror's last change: its newest copy (the copies
        never change, and an article removed after it was copied stays in the mirror).
        """
        items = []
        for story in self._newest_first(_floor(t, poll)):
            fetched = _ceil(story.published, poll)
            if story.removed_at(fetched):
                continue  # gone before the mirror ever saw it
            items.append(MirrorItem(story, story.version_at(fetched), fetched))
            if len(items) == limit:
                break
        return items, max((item.fetched for item in items), default=EPOCH)

    def month(self, t: datetime, month: str) -> Listing:
        """Every story of a Paris month live at ``t``, oldest first (a contents sitemap)."""
        stories = [s for s in self._by_month.get(month, []) if s.published <= t]
        changed = max((event for s in stories for event in s.events_until(t)), default=EPOCH)
        return Listing([(s, s.version_at(t)) for s in stories if not s.removed_at(t)], changed)

    def _newest_first(self, t: datetime) -> Iterator[Story]:
        for index in range(bisect.bisect_right(self._published, t) - 1, -1, -1):
            yield self.stories[index]


# --- drawing the newsroom ---------------------------------------------------------------------


def _publication_times(config: NewsroomConfig) -> list[tuple[datetime, str | None]]:
    """Every publication time, sorted, with the burst's section for burst articles.

    Each hour draws from its own seeded generator, so a longer period keeps the hours of a shorter one.
    """
    times: list[tuple[datetime, str | None]] = []
    hour = _floor(config.start - config.history, timedelta(hours=1))
    while hour <= config.end:
        rng = random.Random(f"{config.seed}:hour:{hour.isoformat()}")
        rate = config.hourly_rate[hour.astimezone(PARIS).hour]
        times += [(hour + timedelta(seconds=rng.randrange(3600)), None) for _ in range(_poisson(rng, rate))]
        hour += timedelta(hours=1)
    for index, burst in enumerate(config.bursts):
        rng = random.Random(f"{config.seed}:burst:{index}")
        span = burst.within.total_seconds()
        times += [
            (burst.at + timedelta(seconds=int(span * rng.random() ** 2)), burst.section) for _ in range(burst.count)
        ]
    return sorted(t for t in times if t[0] <= config.end)


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method (rates here are a few per hour)."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _log_uniform(rng: random.Random, low: timedelta, high: timedelta) -> timedelta:
    seconds = math.exp(rng.uniform(math.log(low.total_seconds()), math.log(high.total_seconds())))
    return timedelta(seconds=int(seconds))


def _draw_story(
    config: NewsroomConfig, number: int, published: datetime, burst_section: str | None, taken: dict[str, Story]
) -> Story:
    rng = random.Random(f"{config.seed}:story:{published.isoformat()}:{number}")
    programme = rng.random() < config.programme_share and burst_section is None
    if programme:
        section = rng.choice(PROGRAMMES)
    elif burst_section is not None and rng.random() < 0.5:
        section = burst_section
    else:
        section = rng.choices(list(SECTION_WEIGHTS), weights=list(SECTION_WEIGHTS.values()))[0]
    folder = f"/cn/{PROGRAMMES_ROOT}/{section}" if programme else f"/cn/{section}"
    day = f"{published.astimezone(PARIS):%Y%m%d}"
    title = prose.headline(rng)
    while f"{folder}/{day}-{prose.slug(title)}" in taken:  # the same headline twice in a day: a new one
        title = prose.headline(rng)
    path = f"{folder}/{day}-{prose.slug(title)}"
    tags = tuple(rng.sample(prose.TAGS, rng.randint(2, 6)))
    blocks = _blocks(rng, tags)
    edits = _edits(rng, config, published, title)
    removal = None
    if rng.random() < config.removal_share:
        at = published + _log_uniform(rng, *config.removal_ages)
        removal = Removal(at, rng.choice(("404", "410", "redirect")))
        edits = tuple(edit for edit in edits if edit.at < at)
    has_audio = programme or rng.random() < config.audio_share
    return Story(
        number=number,
        path=path,
        tw_path=prose.traditional(path.replace("/cn/", "/tw/", 1)),
        section=section,
        programme=programme,
        published=published,
        published_ms=rng.randrange(1000) if rng.random() < 0.3 else 0,
        title=title,
        lead=prose.paragraph(rng, (1, 2)),
        blocks=blocks,
        authors=tuple(dict.fromkeys(prose.person(rng) for _ in range(rng.choice((1, 1, 1, 2))))),
        tags=tags,
        image=Image(
            uuid=f"{rng.getrandbits(128):032x}",
            file=f"{rng.choice(('000_', 'AP', 'RTX'))}{rng.randrange(10**6, 10**7)}.jpg",
            alt=rng.choice(prose.CAPTIONS),
            caption=prose.sentence(rng),
            credit=rng.choice(prose.CREDITS),
        ),
        audio=Audio(f"https://aod-rfi.akamaized.net/rfi/chinois/audio/{day}-{number}.mp3", rng.randint(120, 1500))
        if has_audio
        else None,
        edits=edits,
        removal=removal,
        promo_rotation=rng.random() < config.promo_rotation_share,
        modified_before_published=rng.random() < config.modified_before_published_share,
    )


def _blocks(rng: random.Random, tags: Sequence[str]) -> tuple[Block, ...]:
    blocks = []
    count = rng.randint(3, 9)
    for index in range(count):
        if index == count // 2 and count > 4 and rng.random() < 0.4:
            blocks.append(Block(prose.headline(rng).replace(" ", "，"), heading=True))
        text = prose.paragraph(rng)
        link = bold = None
        if rng.random() < 0.3:
            start = rng.randrange(len(text) - 4)
            link = (start, start + rng.randint(2, 4), ORIGIN + quote(f"/cn/关键词/{rng.choice(tags)}/"))
        elif rng.random() < 0.2:
            start = rng.randrange(len(text) - 4)
            bold = (start, start + rng.randint(2, 4))
        blocks.append(Block(text, link=link, bold=bold))
    return tuple(blocks)


def _edits(rng: random.Random, config: NewsroomConfig, published: datetime, title: str) -> tuple[Edit, ...]:
    count = rng.choices(range(len(config.edit_counts)), weights=config.edit_counts)[0]
    ages = sorted({_log_uniform(rng, *config.edit_ages) for _ in range(count)})
    edits = []
    for age in ages:
        kind: EditKind = rng.choices(("title_fix", "appended_paragraph", "correction"), weights=(3, 4, 2))[0]
        if kind == "title_fix":
            title = prose.fixed_headline(rng, title)
            text = title
        else:
            text = prose.update_paragraph(rng) if kind == "appended_paragraph" else prose.correction_note(rng)
        edits.append(Edit(published + age, kind, text))
    return tuple(edits)


def _floor(t: datetime, step: timedelta) -> datetime:
    return EPOCH + ((t - EPOCH) // step) * step


def _ceil(t: datetime, step: timedelta) -> datetime:
    floor = _floor(t, step)
    return floor if floor == t else floor + step
