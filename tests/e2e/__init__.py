"""End-to-end tests: Playwright drives Debian's chromium against a live server holding the demo district."""
