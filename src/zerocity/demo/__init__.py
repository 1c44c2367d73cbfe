"""Demo City: a deterministic, plausible Chinese prefecture-level city for demos and tests.

>>> from zerocity.demo import build_demo_city
>>> city = build_demo_city()            # doctest: +SKIP
>>> city.write(Path("demo-city"))       # doctest: +SKIP

See ``docs/demo-city.md`` for how every table is generated and calibrated.
"""

from zerocity.demo.generator import DEFAULT_SEED, RECORD_COLUMNS, DemoCity, build_demo_city

__all__ = ["DEFAULT_SEED", "RECORD_COLUMNS", "DemoCity", "build_demo_city"]
