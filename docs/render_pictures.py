"""Render the README's pictures from real generated files.

    python docs/render_pictures.py    # needs chromium, LibreOffice (soffice) and pdftoppm (poppler-utils)

Copies workbooks/operations.xlsx with a Budget of 100,000 set (so the page
opens with what to fund), ranks it with leverkit, then writes into docs/:

  summary-desktop.png  the HTML summary's first screen at 1280 px wide
  summary-phone.png    the same page at 390 px, as a phone shows it
  summary-print.png    the first printed page (Chromium's PDF, Letter landscape)
  ranked-sheet.png     the Ranked sheet as LibreOffice prints it

Each picture is cropped to its content and reduced to a palette of colours,
so it stays well under 400 KB.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image, ImageChops

import leverkit

HERE = Path(__file__).parent
BUDGET = 100_000
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(folder: Path, *args: str) -> None:
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))))
    profile = tempfile.mkdtemp(dir=folder)
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], check=True, capture_output=True)


def budgeted_workbook(folder: Path) -> Path:
    """The Operations example with a Budget, so the decision headline and the frontier show."""
    book = openpyxl.load_workbook(HERE.parent / "workbooks" / "operations.xlsx")
    for name, value in book["Settings"].iter_rows(min_row=2, max_col=2):
        if name.value == "Budget":
            value.value = BUDGET
    path = folder / "operations.xlsx"
    book.save(path)
    return path


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


def phone(page: Path, folder: Path) -> None:
    """Headless Chromium will not make a window under about 500 px, so the page is shown in a 390 px frame."""
    frame = folder / "phone.html"
    frame.write_text(f'<!doctype html><body style="margin:0"><iframe src="{page.as_uri()}" '
                     'style="width:390px;height:1700px;border:0;display:block"></iframe></body>')
    shot = folder / "phone.png"
    chromium(folder, f"--screenshot={shot}", "--window-size=600,1700", frame.as_uri())
    save(trimmed(Image.open(shot).crop((0, 0, 390, 1700)), height=1640), "summary-phone.png")


def printed(page: Path, folder: Path) -> None:
    pdf = folder / "summary.pdf"
    chromium(folder, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(pdf), str(folder / "print")], check=True)
    sheet = Image.open(next(folder.glob("print*.png"))).convert("RGB")
    framed = Image.new("RGB", (sheet.width + 2, sheet.height + 2), "#9aa5ae")  # a hairline so the paper's edge shows
    framed.paste(sheet, (1, 1))
    save(framed, "summary-print.png")


def ranked_sheet(ranked: Path, folder: Path) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(ranked)], check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(folder / f"{ranked.stem}.pdf"),
                    str(folder / "sheet")], check=True)
    save(trimmed(Image.open(next(folder.glob("sheet*.png")))), "ranked-sheet.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        result = leverkit.report(budgeted_workbook(folder), folder / "out")
        ranked, page = result.written[0], folder / "out" / "operations.html"
        desktop(page, folder)
        phone(page, folder)
        printed(page, folder)
        ranked_sheet(ranked, folder)


if __name__ == "__main__":
    main()
