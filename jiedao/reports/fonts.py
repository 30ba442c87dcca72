"""The CJK font every chart image is drawn with: Noto Sans CJK SC from Debian's `fonts-noto-cjk` package.

Found at run time (the font file's path differs between distributions); without it charts would show boxes for
every Chinese character, so its absence is an error that names the package to install, never a silent fallback.
"""

from __future__ import annotations

import os
from pathlib import Path

from jiedao.core.errors import DomainError

PACKAGE = "fonts-noto-cjk"
# Where Debian and Ubuntu (opentype/noto), Fedora (google-noto-cjk) and Arch (noto-cjk) put the font.
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
# The family name Word and the browser are told to use for Chinese.
FAMILY = "Noto Sans CJK SC"
ENV = "JIEDAO_CJK_FONT"


class FontMissing(DomainError):
    code = "font_missing"


def cjk_font_path(candidates: tuple[str, ...] = CANDIDATES) -> Path:
    """The path of the Noto Sans CJK font file ($JIEDAO_CJK_FONT first when set).

    Raises FontMissing, naming the package to install, when no such file exists.
    """
    override = os.environ.get(ENV, "")
    for name in (override, *candidates) if override else candidates:
        path = Path(name)
        if path.is_file():
            return path
    searched = ", ".join((override, *candidates) if override else candidates)
    raise FontMissing(
        f"No CJK font for the report charts: install the Debian package {PACKAGE} "
        f"(apt-get install {PACKAGE}; `make run` and `make test` do it when run as root), "
        f"or set {ENV} to a Noto Sans CJK font file. Looked for: {searched}"
    )
