"""Render the README's picture of a Ranked sheet from a real generated workbook.

    python docs/render_ranked_sheet.py    # needs LibreOffice (soffice) and pdftoppm (poppler-utils)

Ranks workbooks/operations.xlsx, prints the ranked workbook to PDF with
LibreOffice headless, turns the first page into PNG and crops it to the table.
"""
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

import leverkit

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        ranked = leverkit.report(HERE.parent / "workbooks" / "operations.xlsx", folder).written[0]
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), str(ranked)], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "220", "-f", "1", "-l", "1", str(ranked.with_suffix(".pdf")),
                        str(folder / "page")], check=True)
        page = Image.open(next(folder.glob("page*.png"))).convert("RGB")
        left, top, right, bottom = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
        picture = page.crop((left - 12, top - 12, right + 12, bottom + 12))
        picture.save(HERE / "ranked-sheet.png", optimize=True)
    print("wrote", HERE / "ranked-sheet.png")


if __name__ == "__main__":
    main()
