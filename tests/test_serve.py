"""``margin serve``: the command line, and one end-to-end run through a real server.

The end-to-end test starts ``margin serve`` on a free loopback port, loads the page, and
drives the websocket the way textual-serve's page does (``["resize", ...]`` and
``["stdin", keys]`` as JSON text, the terminal's output as binary messages) until a seed
document's text arrives, then tags a passage with ``s`` ``1`` and waits for it in the
database on disk. No browser is needed.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SEEDS

from tui.cli import main
from tui.serve import ASK_CODER, build_serve_parser, is_loopback, served_arguments, served_command

ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_mentioning(marker: str) -> list[int]:
    """Processes whose command line contains ``marker`` (this test's private folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def serving(tmp_path: Path, *arguments: str) -> Iterator[tuple[int, subprocess.Popen]]:
    """``margin serve ARGUMENTS --port FREE``, stopped (and every Margin it started gone) after."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    here = tmp_path / "here"  # the folder it runs in, which must stay empty
    here.mkdir()
    server = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", *arguments, "--port", str(port)],
                              cwd=here, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        def listening() -> bool:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, "the server to listen")
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise AssertionError("margin serve did not stop on SIGTERM") from None
        finally:
            log.close()
        wait_for(lambda: not processes_mentioning(str(tmp_path)), "every served Margin to end", timeout=10)
        assert list(here.iterdir()) == [], "the server wrote nothing where it ran"


class Tab:
    """One browser tab's websocket: what it has shown so far, as plain text."""

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.raw = ""

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    async def read_until(self, phrase: str) -> None:
        async def read() -> None:
            while phrase not in self.text:
                message = await self.websocket.receive()
                assert message.type.name == "BINARY", f"the tab was closed: {message}"
                self.raw += self.decoder.decode(message.data)

        await asyncio.wait_for(read(), TIMEOUT)

    async def closed(self) -> None:
        """Read what is left until the server closes the tab."""
        while (await self.websocket.receive()).type.name == "BINARY":
            pass

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.websocket.send_json(["stdin", key])


def annotations_in(database: Path) -> int:
    from tui.core.store import Store, StoreError

    if not database.is_file():
        return 0
    try:
        store = Store.open(database, inspect=True)
    except StoreError:
        return 0  # caught between two writes: look again
    try:
        return len(store.annotations)
    finally:
        store.close()


async def test_a_browser_tab_reads_the_corpus_and_a_key_tags_a_passage_into_the_database(tmp_path, corpus_dir):
    import aiohttp

    database = tmp_path / "db" / "annotations.json"
    with serving(tmp_path, str(corpus_dir), "--db", str(database), "--author", "web") as (port, server):
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(base + "/") as page:
                assert page.status == 200
                assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in await page.text()
            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=36", origin=base) as ws:
                tab = Tab(ws)
                await ws.send_json(["resize", {"width": 120, "height": 36}])
                await tab.read_until("Greetings from the Department")
                await tab.keys("s", "1")
                await asyncio.to_thread(wait_for, lambda: annotations_in(database), "the annotation on disk")
                await tab.read_until("Human smuggling")  # the status line names the theme now
                await tab.keys("y")  # copy: OSC 52, which the page's xterm.js puts on the clipboard
                await tab.read_until("browser's clipboard")
                assert "\x1b]52;c;" in tab.raw
                async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=36", origin=base) as ws2:
                    second = Tab(ws2)  # a second tab: the lock is the first one's, so it only reads
                    await second.read_until("READ-ONLY")
                server.terminate()  # with the tab still open: it is closed, and its Margin quits
                assert await asyncio.to_thread(server.wait, TIMEOUT) == 0
                await asyncio.wait_for(tab.closed(), TIMEOUT)
            journal = database.with_name(database.name + ".journal")
            assert not journal.exists() or journal.stat().st_size == 0, "quitting checkpointed"
            from tui.core import Workspace

            workspace = Workspace.open_database(database)
            (annotation,) = workspace.store.annotations.values()
            assert [workspace.store.theme(t).name for t in annotation.themes] == ["Human smuggling"]
            assert annotation.author == "web"
    assert sorted(path.name for path in corpus_dir.iterdir()) == sorted(path.name for path in SEEDS.iterdir())


async def test_another_site_cannot_open_a_tab_nor_reach_the_server_by_another_name(tmp_path, corpus_dir):
    import aiohttp

    with serving(tmp_path, str(corpus_dir), "--db", str(tmp_path / "db.json")) as (port, _):
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(base + "/ws", origin="https://evil.example")
            assert refused.value.status == 403
            async with session.get(base + "/", headers={"Host": f"rebound.example:{port}"}) as page:
                assert page.status == 403  # DNS rebinding: a foreign name pointed at 127.0.0.1
            async with session.get(f"http://localhost:{port}/") as page:  # as a tunnel user types it
                assert page.status == 200
                assert f'"ws://localhost:{port}/ws"' in await page.text()
    assert not list(tmp_path.glob("db.json*")), "nobody connected, so nothing was written"


def test_the_served_command_is_the_command_line_margin_with_its_arguments(tmp_path):
    serve, passed, reader = served_arguments(["docs", "--host", "127.0.0.1", "--panes", "1", "--db", "my db.json"])
    assert (serve.host, serve.port, serve.team) == ("127.0.0.1", 8000, False)
    assert passed == ["./docs", "--panes", "1", "--db", "my db.json"]  # ./: a folder named db stays a folder
    assert reader.panes == 1
    command = served_command(passed, team=False)
    assert shlex.split(command) == [sys.executable, "-m", "tui.cli", "./docs", "--panes", "1", "--db", "my db.json"]
    assert shlex.split(served_command(passed, team=True))[-1] == ASK_CODER
    assert served_arguments(["--port", "9000", "/abs/db", "x"])[1] == ["/abs/db", "x"]
    assert served_arguments(["db"])[1] == ["./db"]


def test_a_port_in_use_is_a_one_line_error(tmp_path, corpus_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tui.cli", "serve", str(corpus_dir), "--db",
                               str(tmp_path / "db.json"), "--port", str(port)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 2
    assert f"margin: cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("arguments, message", [
    (["{missing}"], "no such file or folder"),
    (["{empty}"], "no documents"),
    (["{corpus}", "--panes", "7"], "invalid choice"),
    (["{corpus}", "--port", "0"], "port 0"),
])
def test_bad_arguments_are_one_line_errors_before_anything_is_served(tmp_path, corpus_dir, capsys,
                                                                    arguments, message):
    (tmp_path / "empty").mkdir()
    names = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "corpus": corpus_dir}
    arguments = [argument.format(**names) for argument in arguments]
    with pytest.raises(SystemExit) as exited:
        sys.exit(main(["serve", *arguments]))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err.lower()
    assert "Traceback" not in err


def test_a_broken_database_is_refused_before_serving_and_left_as_it_was(tmp_path, corpus_dir, capsys):
    database = tmp_path / "broken.json"
    database.write_text("{not json")
    assert main(["serve", str(corpus_dir), "--db", str(database)]) == 2
    assert str(database) in capsys.readouterr().err
    assert database.read_text() == "{not json"


def test_only_loopback_hosts_go_without_a_warning(corpus_dir, monkeypatch, capsys):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")

    class Stopped(Exception):
        pass

    def refuse_to_serve(self):  # the warning comes before the server starts
        raise Stopped

    from tui.ui import web_server

    monkeypatch.setattr(web_server.MarginServer, "serve", refuse_to_serve)
    with pytest.raises(Stopped):
        main(["serve", str(corpus_dir), "--db", "unused.json", "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning: listening on 0.0.0.0" in err and "no login" in err
    with pytest.raises(Stopped):
        main(["serve", str(corpus_dir), "--db", "unused.json"])
    assert capsys.readouterr().err == ""


def test_help_names_the_tunnel():
    assert "ssh -L 8000:127.0.0.1:8000" in build_serve_parser().format_help()


async def test_copy_in_a_browser_tab_goes_to_the_browser_not_the_servers_clipboard(
        corpus_dir: Path, database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under textual-serve's web driver, OSC 52 reaches the page's xterm.js, which writes the
    browser's clipboard; the server's own clipboard (pyperclip) is not the user's. (The
    end-to-end test sees the OSC 52 arrive over the websocket.)"""
    import pyperclip

    from tui.core import Workspace
    from tui.ui.app import MarginApp

    copied_on_server: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied_on_server.append)
    app = MarginApp(Workspace.open([corpus_dir], database=database, author="tester"))
    monkeypatch.setattr(type(app), "is_web", property(lambda app: True))
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **options: (messages.append(str(message)), notify(message, **options))[1]
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash", *"pledged", "enter", "s", "y")
        assert "— Strengthening DHS Partnerships to Secure Our Borders" in app.clipboard
    assert copied_on_server == []
    assert "Copied to the browser's clipboard." in messages


# --team: each tab asks who is coding (margin --ask-coder) and codes into its own database.


def test_a_coder_database_is_a_safe_name_in_coders_beside_the_projects(tmp_path):
    from tui.core.sharing import coder_database, coder_databases

    def known_coders(project):
        return [path.stem for path in coder_databases(project)]

    project = tmp_path / "annotations" / "annotations.json"
    assert coder_database(project, "ana.r_2-b") == tmp_path / "annotations" / "coders" / "ana.r_2-b.json"
    for bad in ("", "../ana", "a/b", ".hidden", "-rf", "ana.json", "x" * 65, "ana lee", "ana\x1b"):
        with pytest.raises(ValueError, match="coder name"):
            coder_database(project, bad)
    assert known_coders(project) == []
    (project.parent / "coders").mkdir(parents=True)
    for name in ("ben.json", "ana.json", "notes.txt", ".tmp.json"):
        (project.parent / "coders" / name).write_text("{}")
    assert known_coders(project) == ["ana", "ben"]


def asking_app(corpus_dir: Path, *options: str):
    from tui.cli import build_parser
    from tui.team import asking_app as make

    return make(build_parser().parse_args([str(corpus_dir), *options, "--ask-coder"]))


async def test_ask_coder_opens_the_named_coders_own_database_after_a_bad_name(tmp_path, corpus_dir):
    from textual.widgets import Static

    from tui.ui.ask_coder import CoderPrompt
    from tui.ui.screens.reader import ReaderScreen

    project = tmp_path / "annotations" / "annotations.json"
    app = asking_app(corpus_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        assert isinstance(app.screen, CoderPrompt)
        await pilot.press(*"../ana", "enter")
        assert isinstance(app.screen, CoderPrompt)
        assert "coder name '../ana'" in str(app.screen.query_one("#coder-problem", Static).render())
        await pilot.press(*["backspace"] * 6, *"ana", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.workspace.database_path == project.parent / "coders" / "ana.json"
        await pilot.press("s", "1")
        (annotation,) = app.workspace.store.annotations.values()
        assert annotation.author == "ana"
    assert annotations_in(project.parent / "coders" / "ana.json") == 1
    assert not project.exists(), "the project's own database is not the coder's"


async def test_quitting_at_the_question_opens_and_writes_nothing(tmp_path, corpus_dir):
    app = asking_app(corpus_dir, "--author", "someone")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+q")
    assert app.unsaved_report is None and app.workspace is None
    assert not (tmp_path / "annotations").exists()


async def test_served_team_tabs_each_code_into_their_own_database_at_once(tmp_path, corpus_dir):
    import aiohttp

    coders = tmp_path / "annotations" / "coders"
    with serving(tmp_path, str(corpus_dir), "--team") as (port, _):
        async with aiohttp.ClientSession() as session:
            async def code_as(name: str) -> None:
                url = f"ws://127.0.0.1:{port}/ws?width=120&height=36"
                async with session.ws_connect(url, origin=f"http://127.0.0.1:{port}") as ws:
                    tab = Tab(ws)
                    await tab.read_until("Who is coding?")
                    await tab.keys(*name, "\r")
                    await tab.read_until("Greetings from the Department")
                    await tab.keys("s", "1")
                    await asyncio.to_thread(wait_for, lambda: annotations_in(coders / f"{name}.json"),
                                            f"{name}'s annotation on disk")
                    assert "read-only" not in tab.text.lower()

            await asyncio.gather(code_as("ana"), code_as("ben"))
    assert sorted(path.name for path in coders.glob("*.json")) == ["ana.json", "ben.json"]
    assert not (tmp_path / "annotations" / "annotations.json").exists()
