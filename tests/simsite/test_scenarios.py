"""Named scenarios: the publication rate factor."""

from __future__ import annotations

import pytest

from bench.simsite.newsroom import DEFAULT_HOURLY_RATE, Newsroom
from bench.simsite.scenarios import build


def test_a_rate_factor_scales_the_hourly_rate_and_so_what_is_published() -> None:
    usual, half = build("steady", 2), build("steady", 2, rate=0.5)
    assert usual.newsroom.hourly_rate == DEFAULT_HOURLY_RATE
    assert half.newsroom.hourly_rate == tuple(hourly / 2 for hourly in DEFAULT_HOURLY_RATE)
    published = len(Newsroom(usual.newsroom).in_period()), len(Newsroom(half.newsroom).in_period())
    assert 0.35 < published[1] / published[0] < 0.65, published


def test_the_rate_of_a_burst_scenario_leaves_its_burst_alone() -> None:
    assert build("burst", 1, rate=0.25).newsroom.bursts == build("burst", 1).newsroom.bursts


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_rate_factor_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        build("steady", 1, rate=rate)
