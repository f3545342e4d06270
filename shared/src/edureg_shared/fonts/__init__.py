"""DejaVu fonts (their licence beside them) for the PDFs services print: Cyrillic that
every PDF reader shows, embedded in the file."""

from pathlib import Path

FONTS = Path(__file__).parent
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
MONO = FONTS / "DejaVuSansMono.ttf"
