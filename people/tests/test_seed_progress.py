"""The seeding progress never shows more than 100% (more people than planned come when households are whole)."""

import re

from django.core.management import call_command

from people.management.commands.seed_demo import progress_line
from people.seed import MIN_SCALE


def test_it_caps_the_progress_at_one_hundred_percent() -> None:
    assert progress_line(50, 100) == "合成人口 50/100（50%"
    assert progress_line(105, 100) == "合成人口 105/105（100%"


def test_it_shows_no_share_above_one_hundred_percent_while_seeding(tree, capsys) -> None:
    call_command("seed_demo", scale=MIN_SCALE, batch=200)
    shares = [int(s) for s in re.findall(r"（(\d+)%", capsys.readouterr().err)]
    assert shares and max(shares) <= 100 and shares[-1] == 100
