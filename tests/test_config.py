from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl import config
from newscrawl.config import SettingError


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (90, 90.0),
        (2.5, 2.5),
        ("90", 90.0),
        (" 0.5 ", 0.5),
        ("45s", 45.0),
        ("10m", 600.0),
        ("6h", 21600.0),
        ("7d", 604800.0),
        ("1.5h", 5400.0),
        (0, 0.0),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert config.duration("X", value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "10 m", "10min", "-5", "1e3", "7D", True, None, [10]])
def test_not_durations(value: object) -> None:
    with pytest.raises(SettingError) as error:
        config.duration("NEWSCRAWL_X", value)
    assert error.value.name == "NEWSCRAWL_X"
    assert str(error.value).startswith(f"NEWSCRAWL_X: {value!r} is not a duration")


@pytest.mark.parametrize(("value", "number"), [(3, 3), ("3", 3), (" 12 ", 12), (4.0, 4)])
def test_positive_ints(value: object, number: int) -> None:
    assert config.positive_int("X", value) == number


@pytest.mark.parametrize("value", [0, "0", -1, "many", "2.5", 2.5, "", None, True])
def test_not_positive_ints(value: object) -> None:
    with pytest.raises(SettingError, match="is not a whole number of 1 or more"):
        config.positive_int("X", value)


def test_non_negative_ints_take_zero_only_in_addition() -> None:
    assert config.non_negative_int("X", "0") == 0
    assert config.non_negative_int("X", 500) == 500
    with pytest.raises(SettingError, match="of 0 or more"):
        config.non_negative_int("X", "-1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("True", True), ("false", False), ("FALSE", False), ("1", True), (0, False)],
)
def test_flags(value: object, expected: bool) -> None:
    assert config.flag("X", value) is expected


@pytest.mark.parametrize("value", ["maybe", "yes", "", 2, None])
def test_not_flags(value: object) -> None:
    with pytest.raises(SettingError, match="is not True or False"):
        config.flag("X", value)


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("1h,6h,24h,7d", ["1h", "6h", "24h", "7d"]),
        (" a , b ,, ", ["a", "b"]),
        ("", []),
        (["a", " b "], ["a", "b"]),
        (("a",), ["a"]),
        ([3600, 1.5], ["3600", "1.5"]),
        ("['https://a/x,y', 'b']", ["https://a/x,y", "b"]),
    ],
)
def test_lists(value: object, items: list[str]) -> None:
    assert config.value_list("X", value) == items


@pytest.mark.parametrize("value", ["[1, 2", "['a', ['b']]", 5, None, {"a": 1}])
def test_not_lists(value: object) -> None:
    with pytest.raises(SettingError, match=r"^X: .* is not a"):
        config.value_list("X", value)


def test_a_list_of_durations_is_composed_from_the_two_parsers() -> None:
    assert [config.duration("X", item) for item in config.value_list("X", "1h, 6h,90")] == [3600.0, 21600.0, 90.0]


def test_http_urls_keep_order_and_drop_repeats() -> None:
    value = "https://www.rfi.fr/cn/rss, http://feedx.net/rss/rfi.xml,https://www.rfi.fr/cn/rss"
    assert config.http_urls("X", value) == ["https://www.rfi.fr/cn/rss", "http://feedx.net/rss/rfi.xml"]


@pytest.mark.parametrize(
    "value", ["not a url", "www.rfi.fr/cn/rss", "ftp://www.rfi.fr/rss", "https:///rss", "http://[::1/rss", 7]
)
def test_not_http_urls(value: object) -> None:
    with pytest.raises(SettingError, match="is not an http"):
        config.http_url("X", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://Mirror.Example.org/", "https://mirror.example.org"),
        (" http://localhost ", "http://localhost"),
    ],
)
def test_origins(value: str, expected: str) -> None:
    assert config.origin("X", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8080/cn",
        "http://h?x=1",
        "http://h#f",
        "ftp://h",
        "127.0.0.1:8080",
        "http://h:99999",
        "http://h:0",
    ],
)
def test_not_origins(value: str) -> None:
    with pytest.raises(SettingError, match=r"is not an http\(s\) origin"):
        config.origin("X", value)


def test_optional_settings_are_off_when_empty() -> None:
    parse = config.optional(config.origin)
    assert parse("X", "") is None
    assert parse("X", "  ") is None
    assert parse("X", None) is None
    assert parse("X", "http://h") == "http://h"


def test_a_writable_folder_may_not_exist_yet(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    assert config.writable_folder("X", str(folder)) == folder
    assert not (tmp_path / "a").exists(), "checking creates nothing"


def test_a_folder_below_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(SettingError, match=r"cannot be a folder: .*/f is a file"):
        config.writable_folder("X", str(tmp_path / "f" / "sub"))


def test_a_read_only_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # os.access is what decides (root may write anywhere, so the mode bits alone prove nothing here).
    asked: list[tuple[Path, int]] = []

    def access(path: Path, mode: int) -> bool:
        asked.append((Path(path), mode))
        return False

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(SettingError, match=r"X: .*/new is not writable \(.* is read-only for this user\)"):
        config.writable_folder("X", str(tmp_path / "new"))
    assert asked == [(tmp_path, os.W_OK | os.X_OK)]


def test_feeds_come_from_the_argument_else_the_setting() -> None:
    settings = Settings({"NEWSCRAWL_FEEDS": ["https://a.example/rss", "https://b.example/rss"]})
    assert config.feed_urls(settings, None) == ["https://a.example/rss", "https://b.example/rss"]
    assert config.feed_urls(settings, "https://c.example/rss") == ["https://c.example/rss"]
    with pytest.raises(SettingError, match=r"^-a feeds: no feed to read"):
        config.feed_urls(settings, "")
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_FEEDS: no feed to read"):
        config.feed_urls(Settings({"NEWSCRAWL_FEEDS": []}), None)


def test_read_passes_the_setting_name() -> None:
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_RETRY_AFTER_MAX: 'x'"):
        config.read(Settings({"NEWSCRAWL_RETRY_AFTER_MAX": "x"}), "NEWSCRAWL_RETRY_AFTER_MAX", config.duration)


def test_a_setting_the_crawler_lacks_takes_the_project_default() -> None:
    assert config.read(Settings(), "NEWSCRAWL_RETRY_AFTER_MAX", config.duration) == 120.0
    assert (
        config.read(Settings({"NEWSCRAWL_RETRY_AFTER_MAX": "1m"}), "NEWSCRAWL_RETRY_AFTER_MAX", config.duration) == 60
    )
    assert config.feed_urls(Settings(), None)[-1] == "https://feedx.net/rss/rfi.xml"


def test_positive_durations_refuse_zero() -> None:
    assert config.positive_duration("NEWSCRAWL_REDIS_LEASE", "10m") == 600.0
    with pytest.raises(SettingError, match="longer than 0 s"):
        config.positive_duration("NEWSCRAWL_REDIS_LEASE", "0")


@pytest.mark.parametrize(("value", "number"), [(0, 0.0), ("0", 0.0), (1.0, 1.0), (" 2.5 ", 2.5)])
def test_non_negative_numbers(value: object, number: float) -> None:
    assert config.non_negative_number("NEWSCRAWL_GLOBAL_RATE", value) == number


@pytest.mark.parametrize("value", ["-1", "fast", "", "inf", "nan", None, True])
def test_not_non_negative_numbers(value: object) -> None:
    with pytest.raises(SettingError, match="is not a number of 0 or more"):
        config.non_negative_number("NEWSCRAWL_GLOBAL_RATE", value)


@pytest.mark.parametrize(
    "value",
    [
        "redis://127.0.0.1:6379/0",
        "redis://:s3cret@redis.internal/2",
        "rediss://user:pw@10.0.0.5:6380/0",
        "unix:///run/redis.sock",
    ],
)
def test_redis_urls(value: str) -> None:
    assert config.redis_url("NEWSCRAWL_REDIS_URL", value) == value


@pytest.mark.parametrize(
    "value", ["http://:s3cret@10.0.0.5/", "redis://:s3cret@10.0.0.5:99999/0", "10.0.0.5:6379", 6379]
)
def test_not_redis_urls_and_the_password_is_never_shown(value: object) -> None:
    with pytest.raises(SettingError, match="is not a Redis URL") as error:
        config.redis_url("NEWSCRAWL_REDIS_URL", value)
    assert "s3cret" not in str(error.value)


def test_redacted_urls_hide_user_and_password() -> None:
    assert config.redacted_url("rediss://user:pw@10.0.0.5:6380/0") == "rediss://***@10.0.0.5:6380/0"
    assert config.redacted_url("redis://:pw@h/1") == "redis://***@h/1"
    assert config.redacted_url("redis://h:6379/0") == "redis://h:6379/0"


def test_the_redis_url_is_the_setting_else_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    assert config.shared_redis_url(Settings()) is None
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "redis://:pw@env-host/0")
    assert config.shared_redis_url(Settings()) == "redis://:pw@env-host/0"
    assert (
        config.shared_redis_url(Settings({"NEWSCRAWL_REDIS_URL": "redis://setting-host/0"})) == "redis://setting-host/0"
    )
    monkeypatch.setenv("NEWSCRAWL_REDIS_URL", "not a url")
    with pytest.raises(SettingError, match=r"NEWSCRAWL_REDIS_URL \(environment\)"):
        config.shared_redis_url(Settings())


@pytest.mark.parametrize(("value", "number"), [(0, 0), ("25", 25), (" 587 ", 587), (65535, 65535)])
def test_ports(value: object, number: int) -> None:
    assert config.port("X", value) == number


@pytest.mark.parametrize("value", [65536, "smtp", -1, "", None])
def test_not_ports(value: object) -> None:
    with pytest.raises(SettingError, match=r"^X: .* is not a (port|whole) number"):
        config.port("X", value)


@pytest.mark.parametrize(("value", "number"), [(0, 0.0), (1, 1.0), ("0.25", 0.25), (" .5 ", 0.5), (0.001, 0.001)])
def test_shares(value: object, number: float) -> None:
    assert config.share("X", value) == number


@pytest.mark.parametrize("value", ["25%", 1.5, -0.1, "nan", "", None, True, [0.5]])
def test_not_shares(value: object) -> None:
    with pytest.raises(SettingError) as error:
        config.share("X", value)
    assert str(error.value) == f"X: {value!r} is not a share from 0 to 1 (e.g. 0.25)"


def test_shares_by_name_take_a_dict_or_json_over_known_names() -> None:
    parse = config.shares_by_name(["body", "title"])
    assert parse("X", {"body": 0.9}) == {"body": 0.9}
    assert parse("X", '{"body": 0.95, "title": "1"}') == {"body": 0.95, "title": 1.0}
    assert parse("X", "") == {}
    with pytest.raises(SettingError, match=r"^X: unknown names boddy \(known: body, title\)$"):
        parse("X", '{"boddy": 0.9}')
    with pytest.raises(SettingError, match=r"^X: 'body' is not a dict of name: share"):
        parse("X", "body")
    with pytest.raises(SettingError, match=r"^X: body: 2 is not a share from 0 to 1$") as error:
        parse("X", {"body": 2})
    assert error.value.name == "X"


def test_one_of() -> None:
    parse = config.one_of("starttls", "ssl", "off")
    assert parse("X", " SSL ") == "ssl"
    with pytest.raises(SettingError, match=r"^X: 'yes' is not one of starttls, ssl, off$"):
        parse("X", "yes")


def test_text_keeps_the_string_and_takes_numbers_as_digits() -> None:
    assert config.text("X", " pass word ") == " pass word "
    assert config.text("X", 42) == "42"
    with pytest.raises(SettingError, match="is not a text value"):
        config.text("X", ["a"])


def test_email_addresses() -> None:
    assert config.email_addresses("X", "ops@example.org, news@example.org") == ["ops@example.org", "news@example.org"]
    assert config.email_addresses("X", "") == []
    with pytest.raises(SettingError, match=r"^X: 'ops' is not an e-mail address$"):
        config.email_addresses("X", "ops@example.org,ops")


def test_a_secret_value_is_never_in_the_error() -> None:
    parse = config.secret(config.http_url, "an http(s) URL")
    assert parse("X", "https://hooks.example/T0/secret") == "https://hooks.example/T0/secret"
    with pytest.raises(SettingError) as error:
        parse("X", "hooks.example/T0/XXXXsecret")
    assert str(error.value) == "X: the value (not shown: it is a secret) is not an http(s) URL"


def test_a_command_line_setting_beats_the_environment_which_beats_settings_py(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "NEWSCRAWL_ALERT_SMTP_HOST"
    assert name in config.ENVIRONMENT_SETTINGS
    settings = Settings({name: "localhost"}, priority="project")
    monkeypatch.delenv(name, raising=False)
    assert config.read(settings, name, config.text) == "localhost"
    monkeypatch.setenv(name, "mail.internal")
    assert config.read(settings, name, config.text) == "mail.internal"
    settings.set(name, "relay.example", priority="cmdline")
    assert config.read(settings, name, config.text) == "relay.example"
    monkeypatch.setenv("NEWSCRAWL_RETRY_AFTER_MAX", "1")
    assert config.read(Settings(), "NEWSCRAWL_RETRY_AFTER_MAX", config.duration) == 120.0, "only the listed ones"


def test_days() -> None:
    assert config.day("-a since", "2024-03-01") == date(2024, 3, 1)
    assert config.day("-a since", " 2024-02-29 ") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "value", ["2024-3-1", "2024/03/01", "01-03-2024", "2023-02-29", "2024-13-01", "yesterday", "", None, 20240301]
)
def test_not_days(value: object) -> None:
    with pytest.raises(SettingError, match=r"^-a since: .* is not a (day written YYYY-MM-DD|calendar day)$"):
        config.day("-a since", value)


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2024-04-02T06:00:00Z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02t06:00:00z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02T08:00:00+02:00", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02T06:00Z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02 06:00:00.250Z", datetime(2024, 4, 2, 6, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_utc_times(value: str, instant: datetime) -> None:
    parsed = config.utc_time("NEWSCRAWL_NOW", value)
    assert parsed == instant
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "value", ["2024-04-02T06:00:00", "2024-04-02", "now", "2024-04-31T06:00:00Z", "2024-04-02T25:00Z", None]
)
def test_not_utc_times(value: object) -> None:
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_NOW: .* is not (an RFC 3339 time|a valid time)"):
        config.utc_time("NEWSCRAWL_NOW", value)
