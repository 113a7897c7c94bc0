"""Qt's own words in Chinese: Qt's zh_CN translation, and the few words it lacks.

On Linux (UOS, Kylin) the app uses Qt's own file dialog (see ui/file_dialogs), and
Qt's ``qtbase_zh_CN.qm`` (Qt 6.12) leaves some of that dialog in English: the labels
"Look in:" and "Files of type:", and the 类型 column's "Folder"/"Drive" (these come from
the file icon provider, in a worker thread of the dialog). ``QtGaps`` answers only
those, so a newer Qt translation that has them is never overridden by ours for the
rest; it is installed after Qt's, and Qt asks the translator installed last first.

The words follow what a clerk sees in the Windows 打开 dialog (查找范围, 文件类型,
文件夹). tests/ui/test_file_dialogs_chinese.py walks the dialog in its three modes and
fails on any English left, so a Qt upgrade that changes a source text shows up there.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from ..resources import translation_file

#: (context, source text) -> Chinese, for what Qt's zh_CN translation does not cover.
#: The disambiguation is ignored: "Folder" is "All other platforms" here, "macOS" on a Mac.
QT_GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
    ("QAbstractFileIconProvider", "Alias"): "替身",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
}


class QtGaps(QTranslator):
    """The words of ``QT_GAPS``; None (Qt's "not here", so the next translator is
    asked) for everything else."""

    def __init__(self, parent=None, words: dict[tuple[str, str], str] | None = None) -> None:
        super().__init__(parent)
        self._words = dict(QT_GAPS if words is None else words)

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return self._words.get((context, source_text))

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return not self._words


def chinese_locale() -> QLocale:
    return QLocale(QLocale.Language.Chinese, QLocale.Country.China)


def install_qt_translations(app: QCoreApplication) -> list[QTranslator]:
    """Qt's zh_CN translation, then ``QtGaps`` on top. Returns the translators that
    were installed (they belong to ``app``); a missing .qm leaves only ours."""
    installed: list[QTranslator] = []
    qt = QTranslator(app)
    if qt.load(str(translation_file())):
        app.installTranslator(qt)
        installed.append(qt)
    gaps = QtGaps(app)
    app.installTranslator(gaps)
    installed.append(gaps)
    return installed


def remove_qt_translations(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
