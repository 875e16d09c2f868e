"""Render the README's pictures from real generated files.

    python docs/render_pictures.py    # needs chromium, LibreOffice (soffice) and pdftoppm (poppler-utils)

Ranks workbooks/operations.xlsx (Budget 100,000, As of 2026-11, three
initiatives started) with leverkit, then writes into docs/:

  summary-desktop.png  the HTML summary's first screen at 1280 px wide
  decision-sheet.png   the ranked workbook's Decision sheet as LibreOffice prints it (its first page)
  ranked-sheet.png     the Ranked sheet as LibreOffice prints it (the page after)

Each picture is cropped to its content and reduced to a palette of colours,
so it stays well under 400 KB.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

import leverkit

HERE = Path(__file__).parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(folder: Path, *args: str) -> None:
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))))
    profile = tempfile.mkdtemp(dir=folder)
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], check=True, capture_output=True)


def trimmed(image: Image.Image, height: int | None = None, pad: int = 12) -> Image.Image:
    """The image cropped to its non-white content (and to `height` pixels from the top), with a white margin."""
    image = image.convert("RGB")
    left, top, right, bottom = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    bottom = min(bottom, top + height) if height else bottom
    return image.crop((max(left - pad, 0), max(top - pad, 0), min(right + pad, image.width), min(bottom + pad, image.height)))


def save(image: Image.Image, name: str) -> None:
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(HERE / name, optimize=True)
    print("wrote", HERE / name, f"{(HERE / name).stat().st_size // 1024} KB")


def desktop(page: Path, folder: Path) -> None:
    shot = folder / "desktop.png"
    chromium(folder, f"--screenshot={shot}", "--window-size=1280,1500", page.as_uri())
    save(trimmed(Image.open(shot), height=1380), "summary-desktop.png")


def sheets(ranked: Path, folder: Path) -> None:
    """The ranked workbook printed by LibreOffice: the Decision sheet fits its first page, Ranked starts on the next."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(ranked)], check=True, capture_output=True)
    for page, name in ((1, "decision-sheet.png"), (2, "ranked-sheet.png")):
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile",
                        str(folder / f"{ranked.stem}.pdf"), str(folder / f"page{page}")], check=True)
        save(trimmed(Image.open(folder / f"page{page}.png")), name)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        result = leverkit.report(HERE.parent / "workbooks" / "operations.xlsx", folder / "out")
        ranked, page = result.written[0], folder / "out" / "operations.html"
        desktop(page, folder)
        sheets(ranked, folder)


if __name__ == "__main__":
    main()
