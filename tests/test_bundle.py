"""build.spec makes a one-folder bundle in which both programs run: the window draws
(offscreen), the CLI imports the sample plan, the Chinese Qt translation and the sample
are found inside the bundle, and the filter left out nothing a kept library links to.

Builds with PyInstaller into a temporary folder once per run (~15 s on a 2-core machine,
see docs/packaging.md); skipped only when PyInstaller is not installed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import zwgk_desktop

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PLAN = REPO / "resources" / "sample" / "sample_plan.xlsx"
EXE = ".exe" if sys.platform == "win32" else ""

pytestmark = pytest.mark.slow


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          timeout=180, env={**os.environ, **env})


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.skip("PyInstaller is not installed (pip install pyinstaller): cannot build the bundle")
    tmp = tmp_path_factory.mktemp("bundle")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "work"), str(REPO / "build.spec")]
    if sys.platform == "win32":  # a windowed exe has no stdout: give it a console to print
        command += ["--", "--console"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, encoding="utf-8",
                            errors="replace", timeout=1200)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, f"PyInstaller failed after {elapsed:.0f} s:\n{_explain(result)}"
    print(f"bundle built in {elapsed:.0f} s")
    print("\n".join(line for line in result.stdout.splitlines() if "zwgk build.spec" in line))
    folder = tmp / "dist" / "zwgk"
    assert (folder / f"zwgk-desktop{EXE}").is_file() and (folder / f"zwgk{EXE}").is_file()
    return folder


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"  # sys._MEIPASS of a PyInstaller 6 one-folder bundle


def test_desktop_smoke_test_draws_the_main_window(bundle: Path) -> None:
    result = _run([str(bundle / f"zwgk-desktop{EXE}"), "--smoke-test"], QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, _explain(result)
    assert "smoke test ok" in result.stdout, _explain(result)


def test_cli_version_import_and_plans(bundle: Path, tmp_path: Path) -> None:
    zwgk = str(bundle / f"zwgk{EXE}")
    result = _run([zwgk, "--version"])
    assert result.returncode == 0, _explain(result)
    assert result.stdout.strip() == f"zwgk {zwgk_desktop.__version__}"

    ledger = tmp_path / "ledger"
    result = _run([zwgk, "init", str(ledger)])
    assert result.returncode == 0, _explain(result)
    result = _run([zwgk, "--ledger", str(ledger), "import", str(SAMPLE_PLAN)])
    assert result.returncode == 0, _explain(result)
    result = _run([zwgk, "--ledger", str(ledger), "plans"])
    assert result.returncode == 0, _explain(result)
    assert "sample_plan.xlsx" in result.stdout, _explain(result)


def test_resources_are_inside_the_bundle(bundle: Path) -> None:
    resources = _internal(bundle) / "resources"
    bundled_plan = resources / "sample" / "sample_plan.xlsx"
    assert hashlib.sha256(bundled_plan.read_bytes()).digest() == hashlib.sha256(SAMPLE_PLAN.read_bytes()).digest()

    from PySide6.QtCore import QTranslator

    qm = resources / "translations" / "qtbase_zh_CN.qm"
    translator = QTranslator()
    assert translator.load(str(qm)), f"{qm} is missing or not a Qt translation"
    assert translator.translate("QPlatformTheme", "OK") == "确定"
    assert translator.translate("QPlatformTheme", "Cancel") == "取消"


def test_filter_keeps_what_the_app_needs_and_drops_the_rest(bundle: Path) -> None:
    qt = _internal(bundle) / "PySide6"
    files = [p for p in qt.rglob("*") if p.is_file()]
    names = {p.name.lower() for p in files}

    translations = sorted(p.name for p in files if p.suffix == ".qm")
    assert translations == ["qtbase_zh_CN.qm"]

    def plugins(folder: str) -> set[str]:
        return {p.name.lower().removeprefix("lib").split(".")[0]
                for p in files if p.parent.name == folder and p.parent.parent.name == "plugins"}

    if sys.platform.startswith("linux"):
        assert {"qxcb", "qoffscreen", "qwayland", "qminimal"} == plugins("platforms")
        assert "ibusplatforminputcontextplugin" in plugins("platforminputcontexts")  # Chinese input
    elif sys.platform == "win32":
        assert {"qwindows", "qoffscreen", "qminimal"} == plugins("platforms")
    assert not plugins("platformthemes") and not plugins("tls") and not plugins("xcbglintegrations")

    # Every image type the evidence view offers needs its plugin (png and bmp are built in).
    try:
        from zwgk_desktop.ui.evidence_thumbnails import IMAGE_SUFFIXES
    except ImportError:
        IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
    needed = {"q" + {"jpg": "jpeg", "tif": "tiff"}.get(s.lstrip(".").lower(), s.lstrip(".").lower())
              for s in IMAGE_SUFFIXES} - {"qpng", "qbmp"}
    assert needed <= plugins("imageformats")

    for unused in ("quick", "qml", "virtualkeyboard", "opengl", "eglfsdeviceintegration"):
        assert not any(n.startswith((f"libqt6{unused}.", f"qt6{unused}.")) for n in names), unused


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd is Linux-only")
def test_no_bundled_library_links_to_a_dropped_one(bundle: Path) -> None:
    """The filter must not drop a Qt library that a kept one links to (ldd: 'not found').
    System libraries absent from this machine (libwayland-cursor) are the system's business."""
    missing = []
    for library in _internal(bundle).rglob("*.so*"):
        if library.is_symlink() or not library.is_file():
            continue
        output = subprocess.run(["ldd", str(library)], capture_output=True, text=True,
                                env={**os.environ, "LD_LIBRARY_PATH": str(_internal(bundle))}).stdout
        for line in output.splitlines():
            name = line.strip().split(" ")[0]
            if "not found" in line and name.startswith(("libQt6", "libpyside6", "libshiboken6", "libicu")):
                missing.append(f"{library.relative_to(bundle)}: {name}")
    assert missing == []
