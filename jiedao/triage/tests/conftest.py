from jiedao.cases.tests.conftest import now, urban_handler  # noqa: F401  (the case tests' clock and personas)
