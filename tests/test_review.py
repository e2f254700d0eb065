"""The review report: escaped, self-contained, and usable in a real headless Chromium."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from avance.pipeline.run import run
from avance.review import write_report

from .conftest import CORPUS, DIGITAL

HOSTILE = "<script>alert('x')</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(1)>'
DOCS = Path(__file__).resolve().parents[1] / "docs"


def hostile_export(path: Path) -> Path:
    """A POA export whose cells carry markup; the report must show it as text."""
    head = ["GOBIERNO DE BAJA CALIFORNIA", "25 AYUNTAMIENTO DE MEXICALI DE BAJA CALIFORNIA",
            "PROGRAMA OPERATIVO ANUAL 2026", "PRIMER AVANCE PROGRAMÁTICO", "UNIDAD EJECUTORA 52101 DIRECCION",
            "LINEAS DE ACCION 4.5.3 PRESUPUESTO ESTRATÉGICO", "",
            "\t".join(["LINEA DE ACCION P.M.D.", "DESCRIPCIÓN DE LAS METAS/ACCIONES", "UNIDAD MEDIDA",
                       "META ANUAL", "PERIODO", "", "", "", "", "", "", "", "AVANCE ABSOLUTO", "AVANCE RELATIVO",
                       "OBSERVACIONES"]),
            "\t".join(["", "", "", ""] + ["P", "A"] * 4)]
    row = "\t".join(["4.5.3", f"101.- {HOSTILE} SEGUIMIENTO", HOSTILE_ATTR, "40", "10", "10", "10", "10", "10",
                     "10", "90%", f"nota {HOSTILE_ATTR}"])
    path.write_text("\n".join(head + [row]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("review")
    inputs = [DIGITAL / "d002_poa_zapopan.pdf", DIGITAL / "d004_mir_merida.pdf",
              CORPUS / "scanned" / "d001_poa_tijuana.scan.pdf", hostile_export(work / "hostile.txt")]
    out = work / "out"
    run(inputs, out)
    return write_report(out, work / "report.html")


def test_document_text_is_escaped(report):
    page = report.read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_page_loads_nothing_from_the_network(report):
    page = report.read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "default-src 'none'" in page


def _chromium():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("Debian's chromium and chromium-driver are not installed (make test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def test_flagged_cell_shows_crop_and_values_in_chromium(report, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _chromium()
    try:
        driver.get(report.as_uri())
        shots = DOCS if os.environ.get("AVANCE_UPDATE_DOCS") else tmp_path
        driver.save_screenshot(str(shots / "review-overview.png"))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        # injected markup never became elements
        assert not driver.find_elements(By.CSS_SELECTOR, "img[onerror]")
        assert HOSTILE in driver.find_element(By.TAG_NAME, "body").text
        # a printed inconsistency read from a page image: its cell has a crop
        cells = driver.find_elements(By.CSS_SELECTOR, "td.flagged.sev-warning")
        assert cells
        target = next(c for c in cells if driver.execute_script(
            "return JSON.parse(document.getElementById('flag-data').textContent)[arguments[0]].crop !== null",
            c.get_attribute("data-flag")))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
        target.click()
        panel = WebDriverWait(driver, 5).until(ec.visibility_of_element_located((By.ID, "panel")))
        crop = panel.find_element(By.ID, "crop")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", crop)
        assert "Leído:" in panel.text and "Valor:" in panel.text
        assert panel.find_element(By.CLASS_NAME, "message").text.strip()
        driver.save_screenshot(str(shots / "review-flag.png"))
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
