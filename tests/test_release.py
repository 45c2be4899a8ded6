"""Publishing the report set all or nothing: only the set's files, never onto a read-only folder, and nothing
partial after a full disk or Ctrl-C (fittrial.publish.release)."""

from __future__ import annotations

import errno
import os
import shutil
import stat

import pytest

from fittrial.base.errors import run_user_step
from fittrial.publish import release


def _set(tmp_path):
    staging, target = tmp_path / "staging", tmp_path / "reports"
    for name in ("report.html", "report.pdf", "tables/effects.csv"):
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(f"new {name}", encoding="utf-8")
    (staging / ".report.pdf.123.tmp").write_bytes(b"")  # left by a step killed while writing the PDF
    target.mkdir()
    (target / "report.html").write_text("old report", encoding="utf-8")
    (target / "validation").mkdir()
    (target / "validation" / "oc.csv").write_text("kept", encoding="utf-8")
    files = [str(staging / n) for n in ("report.html", "report.pdf", "tables/effects.csv")]
    return staging, target, files


def _state(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes()) for p in folder.rglob("*") if p.is_file())


def test_only_the_report_set_is_published_never_a_stray_temporary_file(tmp_path):
    staging, target, files = _set(tmp_path)
    release.publish(staging, target, files)
    assert [name for name, _ in _state(target)] == ["report.html", "report.pdf", "tables/effects.csv",
                                                   "validation/oc.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "staging"]


def test_a_read_only_published_folder_is_an_error_naming_it_and_stays_as_it_was(tmp_path, capsys):
    staging, target, files = _set(tmp_path)
    before = _state(target)
    target.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(SystemExit) as info:
            run_user_step(lambda: release.publish(staging, target, files), tmp_path / "publish.log")
    finally:
        target.chmod(0o755)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert str(target) in err and "read-only" in err and "Traceback" not in err
    assert _state(target) == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "publish.log", "reports", "staging"]


@pytest.mark.parametrize("fault", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_full_disk_or_ctrl_c_while_publishing_leaves_nothing_partial(tmp_path, monkeypatch, capsys, fault):
    staging, target, files = _set(tmp_path)
    before = _state(target)
    copied = []
    real_copy = shutil.copy2

    def copy(src, dst, *args, **kwargs):
        if len(copied) == 2:
            if isinstance(fault, OSError):
                raise OSError(fault.errno, fault.strerror, str(dst))
            raise fault
        copied.append(dst)
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copy2", copy)
    with pytest.raises(SystemExit) as info:
        run_user_step(lambda: release.publish(staging, target, files), tmp_path / "publish.log")
    err = capsys.readouterr().err
    assert info.value.code == (1 if isinstance(fault, OSError) else 130)
    assert "reports/ is unchanged" in err and "Traceback" not in err and "Internal error" not in err
    assert len([line for line in err.strip().splitlines() if line]) == 1
    assert _state(target) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("reports.")], os.listdir(tmp_path)
