"""A test SMSC on 127.0.0.1: smpp34's SMPP 3.4 server run in a thread, for the adapter's tests.

It binds transceivers, answers submit_sm with message ids m1, m2, …, pushes a delivery receipt
(deliver_sm, esm_class 0x04) for each accepted message that asked for one, and can send an
incoming message ("STOP") to the bound session. Stop it with `stop()` (the tests do, in a
fixture): the thread ends within its bounded timeouts.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import smpp34


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestSmsc:
    """`reject` maps destination (digits) → command_status; `undeliverable`: numbers whose
    receipt says UNDELIV."""

    def __init__(
        self, *, reject: dict[str, int] | None = None, undeliverable: set[str] = frozenset()
    ):
        self.port = free_port()
        self.reject = reject or {}
        self.undeliverable = set(undeliverable)
        self.submitted: list[dict] = []
        self.receipts_sent: list[str] = []
        self.binds: list[str] = []
        self.incoming_sent: list[str] = []
        self._held: list[tuple[str, str]] = []
        self._sessions: dict[str, smpp34.Esme] = {}
        self._count = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="test-smsc", daemon=True)

    def start(self) -> TestSmsc:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("test SMSC did not start")
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def send_incoming(self, sender: str, text: str) -> None:
        """Push an incoming SMS (deliver_sm, esm_class 0) to the bound sessions, or to the next
        one that binds, as an SMSC holds messages for an absent ESME."""
        asyncio.run_coroutine_threadsafe(self._incoming(sender, text), self._loop)

    def wait_for(self, predicate, seconds: float = 5) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return False

    # inside the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        server = smpp34.Server("127.0.0.1", self.port, system_id="TESTSMSC")
        await server.start()
        self._stop = asyncio.Event()
        self._ready.set()
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            while not self._stop.is_set():
                nxt = asyncio.ensure_future(server.next())
                done, _pending = await asyncio.wait(
                    {nxt, stopper}, return_when=asyncio.FIRST_COMPLETED
                )
                if nxt not in done:
                    nxt.cancel()
                    break
                await self._handle(nxt.result())
        finally:
            await asyncio.wait_for(server.stop(), 5)

    async def _handle(self, event) -> None:
        if isinstance(event, smpp34.Esme):
            self._sessions[event.session_id] = event
            self.binds.append(event.system_id)
            held, self._held = self._held, []
            for sender, text in held:
                asyncio.ensure_future(self._incoming(sender, text))
        elif isinstance(event, smpp34.Unbound):
            self._sessions.pop(event.session_id, None)
        elif isinstance(event, smpp34.SubmitSmEvent):
            dest = event.destination_addr
            self.submitted.append(
                {
                    "source": event.source_addr,
                    "destination": dest,
                    "data_coding": event.data_coding,
                    "registered_delivery": event.registered_delivery,
                    "short_message": event.short_message,
                }
            )
            if dest in self.reject:
                event.reject(self.reject[dest])
                return
            self._count += 1
            message_id = f"m{self._count}"
            event.accept(message_id)
            if event.registered_delivery & 0x01:
                esme = self._sessions.get(event.session_id)
                if esme is not None:
                    asyncio.ensure_future(self._receipt(esme, message_id, dest, event.source_addr))

    async def _receipt(self, esme, message_id: str, dest: str, source: str) -> None:
        failed = dest in self.undeliverable
        stat, state, err = ("UNDELIV", 5, "001") if failed else ("DELIVRD", 2, "000")
        now = time.strftime("%y%m%d%H%M")
        text = (
            f"id:{message_id} sub:001 dlvr:{'000' if failed else '001'} submit date:{now} "
            f"done date:{now} stat:{stat} err:{err} text:"
        ).encode("ascii")
        await esme.deliver_sm(
            source,
            text,
            source_addr=dest,
            esm_class=0x04,
            tlvs=[
                smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\0"),
                smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, bytes([state])),
            ],
        )
        self.receipts_sent.append(message_id)

    async def _incoming(self, sender: str, text: str) -> None:
        for esme in list(self._sessions.values()):
            try:
                await asyncio.wait_for(
                    esme.deliver_sm("CNSS", text.encode("ascii"), source_addr=sender.lstrip("+")),
                    2,
                )
            except Exception:  # noqa: BLE001, S112 (a session that has just unbound)
                continue
            self.incoming_sent.append(text)
            return
        self._held.append((sender, text))
