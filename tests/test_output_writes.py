"""Reports, fetched specs and baselines are written whole or not at all (issue 14): a crash or a
full disk keeps the previous file, the target keeps its mode, and a target that is not a regular
file (symbolic link, FIFO, device, folder) is refused with exit 3."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from tests.output_bounds import bounded

OLD = "the previous report\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _empty_tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.py").write_text("print('hello')\n", encoding="utf-8")
    return src


def test_kill_9_while_writing_keeps_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text(OLD, encoding="utf-8")
    src = _empty_tree(tmp_path)
    # The child stops for good inside the write (its fsync never returns); we kill -9 it there.
    code = (
        "import os, sys, time\n"
        "os.fsync = lambda fd: time.sleep(600)\n"
        "import runai_audit.commands.common as c\n"
        "c.click.echo = lambda *a, **k: None\n"
        "from runai_audit.cli import main\n"
        f"sys.argv = ['runai-audit', 'scan', {str(src)!r}, '--format', 'html', '-o', {str(out)!r}]\n"
        "main()\n"
    )
    with bounded(60, megabytes=None):
        child = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "CI": "1"})
        try:
            deadline = time.monotonic() + 45
            while not list(tmp_path.glob(".report.html.*.tmp")) and child.poll() is None:
                assert time.monotonic() < deadline, "the child never started writing"
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(10)
    assert out.read_text(encoding="utf-8") == OLD


def _limit_file_size() -> None:
    # A file size limit stands in for a full disk: writes past it fail (EFBIG) instead of
    # killing the process, because SIGXFSZ is ignored.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def test_a_full_disk_exits_3_and_keeps_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text(OLD, encoding="utf-8")
    src = _empty_tree(tmp_path)
    with bounded(60, megabytes=None):
        done = subprocess.run(
            [sys.executable, "-m", "runai_audit", "scan", str(src), "--format", "html", "-o", str(out)],
            preexec_fn=_limit_file_size, capture_output=True, text=True, env={**os.environ, "CI": "1"},
            timeout=50, check=False,
        )
    assert done.returncode == 3, done.stderr
    assert done.stderr == f"runai-audit: error: cannot write {out}: File too large\n"
    assert out.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "src"]


def test_o_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    out = tmp_path / "baseline.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o644)
    with bounded(30):
        code, _, err = run("baseline", "create", str(src), "-o", str(out))
    assert code == 0, err
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    report = tmp_path / "report.txt"
    report.write_text(OLD, encoding="utf-8")
    report.chmod(0o640)
    with bounded(30):
        assert run("scan", str(src), "-o", str(report))[0] == 0
    assert oct(report.stat().st_mode & 0o777) == "0o640"


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    out = tmp_path / "new" / "baseline.json"
    old_mask = os.umask(0o022)
    try:
        with bounded(30):
            assert run("baseline", "create", str(src), "-o", str(out))[0] == 0
    finally:
        os.umask(old_mask)
    assert oct(out.stat().st_mode & 0o777) == "0o644"


def test_a_symbolic_link_is_not_replaced(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text(OLD, encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(elsewhere)
    with bounded(30):
        code, _, err = run("scan", str(src), "-o", str(link))
    assert code == 3
    assert err == f"runai-audit: error: cannot write {link}: it is a symbolic link, not a regular file; refusing to replace it\n"
    assert link.is_symlink() and elsewhere.read_text(encoding="utf-8") == OLD


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    with bounded(30):
        code, _, err = run("scan", str(src), "--report", f"json={fifo}")
    assert code == 3
    assert err == f"runai-audit: error: cannot write {fifo}: it is a FIFO, not a regular file; refusing to replace it\n"
    assert fifo.is_fifo()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_device_is_refused_with_exit_3(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    with bounded(30):
        code, _, err = run("scan", str(src), "-o", "/dev/full")
    assert code == 3
    assert err == "runai-audit: error: cannot write /dev/full: it is a character device, not a regular file; refusing to replace it\n"
    assert Path("/dev/full").is_char_device()


def test_a_folder_is_refused_with_exit_3(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    with bounded(30):
        code, _, err = run("scan", str(src), "--report", f"json={tmp_path}")
    assert code == 3
    assert err == f"runai-audit: error: cannot write {tmp_path}: it is a folder, not a regular file; refusing to replace it\n"


def test_spec_fetch_and_baseline_refuse_a_symbolic_link_too(tmp_path: Path) -> None:
    src = _empty_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(OLD, encoding="utf-8")
    link = tmp_path / "baseline.json"
    link.symlink_to(elsewhere)
    with bounded(30):
        code, _, err = run("baseline", "create", str(src), "-o", str(link))
    assert code == 3
    assert err.endswith(f"cannot write {link}: it is a symbolic link, not a regular file; refusing to replace it\n")
    assert elsewhere.read_text(encoding="utf-8") == OLD


def test_no_space_left_exits_3_names_the_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from runai_audit import atomic

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    src = _empty_tree(tmp_path)
    out = tmp_path / "report.sarif"
    out.write_text(OLD, encoding="utf-8")
    monkeypatch.setattr(atomic.os, "write", full)
    with bounded(30):
        code, _, err = run("scan", str(src), "--format", "sarif", "-o", str(out))
    assert code == 3
    assert err == f"runai-audit: error: cannot write {out}: No space left on device\n"
    assert out.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif", "src"]
