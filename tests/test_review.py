"""The review page: escaped, self-contained, wholly Spanish, and usable in a real headless Chromium."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from avance.messages import looks_english
from avance.pipeline.run import run
from avance.review import Report, build_report, flag_cell, poa_charts, write_report

from .conftest import CORPUS, DIGITAL, minimal_pdf

HOSTILE = "<script>alert('x')</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(1)>'
DOCS = Path(__file__).resolve().parents[1] / "docs"
# Words of the page's interface as it was in English (labels, statuses, severities, table and
# column names, rule sentences). None may be seen on the Spanish page. Words that are Spanish
# too (error, total, no, variables) are left out.
ENGLISH_INTERFACE = {
    "review", "overview", "documents", "document", "sections", "section", "family", "families", "status",
    "ok", "partial", "failed", "flags", "flag", "rule", "rules", "severity", "warning", "warnings", "info",
    "read", "value", "kept", "printed", "implied", "close", "page", "pages", "goals", "goal", "periods",
    "period", "quarter", "programmed", "achieved", "target", "annual", "progress", "relative", "absolute",
    "unit", "units", "code", "codes", "name", "key", "level", "kind", "sheet", "report", "number", "percent",
    "true", "false", "none", "nan", "table", "field", "source", "layer", "text", "row", "column", "crop",
    "image", "signatories", "indicator", "indicators", "values", "baselines", "totals",
    "evaluation", "action", "lines", "budget", "the", "was", "were", "of", "and", "but", "is", "as", "could",
    "not", "which", "again", "alone", "left", "empty", "because", "figures", "only", "show",
}


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
def extraction(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("review")
    minutes = work / "acta_de_cabildo.pdf"  # not a report: a failed document, its reason on the page
    minutes.write_bytes(minimal_pdf("ACTA DE LA SESION ORDINARIA DE CABILDO"))
    inputs = [DIGITAL / "d002_poa_zapopan.pdf", DIGITAL / "d004_mir_merida.pdf",
              CORPUS / "scanned" / "d001_poa_tijuana.scan.pdf", hostile_export(work / "hostile.txt"), minutes]
    out = work / "out"
    run(inputs, out)
    return out


@pytest.fixture(scope="module")
def report(extraction) -> Path:
    return write_report(extraction, extraction.parent / "report.html")


def test_document_text_is_escaped(report):
    page = report.read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_page_loads_nothing_from_the_network(report):
    page = report.read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "default-src 'none'" in page


def test_every_flag_is_on_the_page_and_every_flag_with_a_place_has_its_crop(extraction):
    built = Report(extraction)
    built.build()
    flags = built.flags.to_dict("records")
    assert flags
    with_place = 0
    for f in flags:
        assert f["ident"] in built.anchor, f  # on a cell or in its section's list: the index links to it
        view = built.views[f["ident"]]
        source = built.sources.get(f["doc_id"])
        section_id = None if pd.isna(f["section_id"]) else int(f["section_id"])
        place = built.places.of(f["doc_id"], section_id, *flag_cell(f["table"], str(f["row_key"]), f["field"]))
        if place is not None and source is not None and source.suffix.lower() == ".pdf":
            with_place += 1
            assert view.crop and view.crop.startswith("data:image/png;base64,"), f
            assert view.page == int(place["page"])
    assert with_place >= 5


def test_crops_do_not_depend_on_the_folder_review_runs_from(tmp_path, monkeypatch):
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "out"
    run([Path("digital/d004_mir_merida.pdf")], out)  # a relative path, as a person types it
    sources = pd.read_parquet(out / "documents")["source_path"].tolist()
    assert sources == ["digital/d004_mir_merida.pdf"]  # the contract keeps the path as given
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    built = Report(out)
    built.build()
    assert built.sources and all(p.is_absolute() and p.is_file() for p in built.sources.values())
    assert any(v.crop for v in built.views.values())


def test_charts_never_add_figures_of_different_units():
    sections = pd.DataFrame({"doc_id": ["a", "b"], "section_id": [1, 1], "municipality": ["Mexicali", "Tijuana"],
                             "government": [None, None], "agency": [None, None]})
    goals = pd.DataFrame({"doc_id": ["a", "a", "b"], "section_id": [1, 1, 1], "goal_code": ["1", "2", "1"],
                          "unit": ["PERSONAS", "INFORMES", "PERSONAS"]})
    periods = pd.DataFrame({"doc_id": ["a", "a", "b"], "section_id": [1, 1, 1], "goal_code": ["1", "2", "1"],
                            "period": [1, 1, 1], "programmed": [700.0, 3.0, 40.0], "achieved": [650.0, 2.0, 41.0]})
    svg = poa_charts(goals, periods, sections)
    # one chart per municipality and unit; each bar's value written on it
    assert svg.count("<svg") == 3
    for figure in ("700", "650", "3", "2", "40", "41"):
        assert re.search(rf'class="bar-value"[^>]*>{figure}<', svg), figure
    for mixed in ("703", "652", "740", "691"):  # persons + reports, or two municipalities, never added
        assert f">{mixed}<" not in svg
    assert "Mexicali" in svg and "Tijuana" in svg and 'class="axis-line"' in svg
    big = poa_charts(goals, periods.assign(programmed=[70_000.0, 3.0, 40.0]), sections)
    assert re.search(r'class="bar-value"[^>]*>70 mil<', big) and "70,000</title>" in big  # short on the bar, whole in its tooltip


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


def _english_words(text: str) -> set[str]:
    return set(re.findall(r"[a-záéíóúñü]+", text.lower())) & ENGLISH_INTERFACE


def test_review_page_in_chromium(report, tmp_path):
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
        body = driver.find_element(By.TAG_NAME, "body")
        # injected markup never became elements
        assert not driver.find_elements(By.CSS_SELECTOR, "img[onerror]")
        assert HOSTILE in body.text
        # every section and index entry open: no English word of the interface anywhere on the page
        driver.execute_script("document.querySelectorAll('details').forEach(function(d){d.open=true;})")
        assert not _english_words(body.text), _english_words(body.text)
        assert "Colores" in body.text and "advertencia" in body.text  # the legend
        assert "fallido" in body.text and "Motivo: no es un reporte de avance" in body.text

        # a printed inconsistency read from a page image: its cell has a crop, and the panel
        # shows the printed figure beside the one the other figures imply
        cells = driver.find_elements(By.CSS_SELECTOR, "td.flagged.sev-warning")
        assert cells
        target = next(c for c in cells if driver.execute_script(
            "var d=JSON.parse(document.getElementById('flag-data').textContent);"
            "return arguments[0].split(' ').some(function(i){return d[i].crop!==null;})",
            c.get_attribute("data-flags")))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
        target.click()
        panel = WebDriverWait(driver, 5).until(ec.visibility_of_element_located((By.ID, "panel")))
        crop = panel.find_element(By.ID, "crop")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", crop)
        heads = [th.text for th in panel.find_elements(By.CSS_SELECTOR, "table.pair th")]
        assert heads[:2] == ["Impreso", "Según las otras cifras"]
        printed = panel.find_element(By.CSS_SELECTOR, "table.pair td.raw").text
        implied = panel.find_element(By.CSS_SELECTOR, "table.pair td.value").text
        assert printed and implied and printed != implied
        assert printed.replace(",", "") in target.text.replace(",", "")  # the cell keeps the printed figure
        message = panel.find_element(By.CLASS_NAME, "message").text
        assert message.strip() and not _english_words(message)
        assert not _english_words(panel.text), _english_words(panel.text)
        driver.save_screenshot(str(shots / "review-flag.png"))

        # a flag count links to its flags, and each link to its cell (opened in the panel)
        panel.find_element(By.CLASS_NAME, "close").click()
        link = driver.find_element(By.CSS_SELECTOR, 'a.count[href^="#regla-percent_mismatch-warning"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
        link.click()
        group = driver.find_element(By.ID, "regla-percent_mismatch-warning")
        assert group.get_attribute("open") is not None
        first = group.find_element(By.CSS_SELECTOR, "li a")
        flagged_id = first.get_attribute("href").split("#")[1]
        first.click()
        WebDriverWait(driver, 5).until(ec.visibility_of_element_located((By.ID, "panel")))
        cell = driver.find_element(By.ID, flagged_id)
        assert "target" in cell.get_attribute("class") and "sev-warning" in cell.get_attribute("class")
        assert "Porcentaje que no cuadra" in driver.find_element(By.ID, "panel").text

        # "Solo advertencias": every row still shown holds a warning, and every warning is still shown
        n_warnings = len(driver.find_elements(By.CSS_SELECTOR, "td.flagged.sev-warning"))
        driver.find_element(By.ID, "solo-advertencias").click()
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "table.data tbody tr") if r.is_displayed()]
        assert rows and all("has-warning" in r.get_attribute("class") for r in rows)
        shown = [c for c in driver.find_elements(By.CSS_SELECTOR, "td.flagged.sev-warning") if c.is_displayed()]
        assert len(shown) == n_warnings
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()


def test_a_run_written_in_english_is_reviewed_in_spanish(tmp_path):
    from avance.pipeline.options import ExtractOptions

    out = tmp_path / "out"
    run([DIGITAL / "d004_mir_merida.pdf"], out, options=ExtractOptions(lang="en"))
    page = build_report(out)
    assert all(looks_english(m) for m in pd.read_parquet(out / "flags")["message"])
    data = re.search(r'id="flag-data">(.*?)</script>', page, re.S).group(1)
    assert "printed" not in data and "se imprimió" in data
