"""The demo's code maker never runs out of codes, and draws the same codes for the same seed."""

from random import Random

from dspt.demo.names import CodeMaker


def test_codes_stay_unique_past_the_size_of_their_space():
    maker = CodeMaker(Random(3))
    # Two prefixes and three more characters give 2 × 34³ = 78,608 codes: ask for more.
    codes = [maker.make("AC", 4) for _ in range(80_000)]
    assert len(set(codes)) == len(codes)
    assert {c[0] for c in codes} == {"A", "C"}
    assert max(len(c) for c in codes) == 5  # longer only once four characters ran short
    assert sum(len(c) == 4 for c in codes) > 70_000


def test_same_seed_same_codes():
    first, again = CodeMaker(Random(9)), CodeMaker(Random(9))
    assert [first.make("V", 5) for _ in range(500)] == [again.make("V", 5) for _ in range(500)]
