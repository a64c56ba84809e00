"""The ledger: a sequencer that appends records in batches with gapless ``seq``, chain hashes and a
signed Merkle checkpoint per batch. Nothing here ever updates or deletes a record."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Gauge
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from audit.cid import cid_v1_raw
from audit.db import AuditWriteError
from audit.hashing import chain_next, checkpoint_document, checkpoint_message, leaf_hash
from audit.merkle import Frontier
from audit.models import AuditRecord, AuditRecordTerm, Checkpoint, PinTask
from audit.record import RecordBody, row
from audit.signing import Signer
from audit.tail import LedgerFault, Tail, fault_text, read_tail, trusted_key_set
from audit.terms import record_terms
from audit.tree import StoredTree
from audit.tree import store as store_nodes

log = logging.getLogger("txexplain.audit")
LEDGER_FAULT = Gauge("txexplain_ledger_fault", "1 while the sequencer refuses to chain onto a tail it did not sign")
DATA_ERRORS = (DataError, ProgrammingError)  # the database refused a record's content, not the connection
CATCH_UP_BY_LEAVES = 256  # a frontier this far behind is rebuilt from the stored nodes instead
ADVISORY_KEY = 0x7478_6578  # "txex": one sequencer for the ledger on Postgres


@dataclass(frozen=True)
class Appended:
    """Where a record landed."""

    id: str
    seq: int
    leaf_hash: str
    chain_hash: str
    cid: str


class Ledger:
    """Appends records; a background sequencer batches concurrent appends into one transaction."""

    def __init__(self, sessions: sessionmaker[Session], signer: Signer, *, pinning: bool = False,
                 batch_max: int = 256, append_timeout_s: float = 60.0, trusted_keys: frozenset[str] = frozenset()):
        self.sessions = sessions
        self.trusted_keys = trusted_key_set(signer.public_key_hex, trusted_keys)
        self.fault: str | None = None  # why the sequencer refuses to chain onto the tail, until it is repaired
        self._verified: set[str] = set()  # checkpoint signatures already checked (its own, mostly)
        self.append_timeout_s = append_timeout_s  # the longest a request waits for its record's batch
        self.signer = signer
        self.pinning = pinning
        self.batch_max = batch_max
        self._frontier = Frontier()
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[RecordBody, Future[Appended]] | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # --- the sequencer -------------------------------------------------------------------------
    def start(self) -> None:
        """Run the batching sequencer thread (idempotent)."""
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="audit-sequencer", daemon=True)
            self._worker.start()

    def close(self) -> None:
        """Stop the sequencer after the queued appends are written."""
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=60)
            self._worker = None

    def append(self, body: RecordBody, timeout: float | None = None) -> Appended:
        """Append one record (through the sequencer when it runs).

        Raises:
            AuditWriteError: the record could not be stored.
        """
        if self._worker is None:
            return self.append_batch([body])[0]
        future: Future[Appended] = Future()
        self._queue.put((body, future))
        try:
            return future.result(timeout=timeout or self.append_timeout_s)
        except TimeoutError as exc:
            raise AuditWriteError("the audit sequencer did not answer in time") from exc

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.batch_max:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._write_batch(batch)
            if stop:
                return

    def _write_batch(self, batch: list[tuple[RecordBody, Future[Appended]]]) -> None:
        """Write ``batch`` in one transaction; when a record's own data failed it (not the store), write the
        records one at a time, so one bad request never fails the good ones it was batched with."""
        try:
            results = self.append_batch([body for body, _ in batch])
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
            return
        except Exception as exc:
            failure = exc if isinstance(exc, AuditWriteError) else AuditWriteError(type(exc).__name__)
        if len(batch) == 1 or not failure.record_at_fault:
            for _, future in batch:  # every waiter learns its record was not written
                future.set_exception(failure)
            return
        for item in batch:
            self._write_batch([item])

    # --- one transaction per batch -------------------------------------------------------------
    def append_batch(self, bodies: list[RecordBody], attempts: int = 3) -> list[Appended]:
        """Append ``bodies`` in one transaction with consecutive ``seq`` and a checkpoint.

        Raises:
            AuditWriteError: nothing of the batch was stored.
        """
        try:
            prepared = [(body, body.canonical().decode("utf-8")) for body in map(RecordBody.storable, bodies)]
        except (TypeError, ValueError) as exc:
            raise AuditWriteError(f"record cannot be canonicalized: {type(exc).__name__}",
                                  record_at_fault=True) from exc
        last_error: Exception | None = None
        for _ in range(attempts):
            try:
                with self._lock, self.sessions.begin() as session:
                    appended, frontier = self._write(session, prepared)
                self._frontier = frontier
                return appended
            except IntegrityError as exc:  # another process took these seq numbers: read again
                last_error = exc
                self._frontier = Frontier()
            except SQLAlchemyError as exc:  # the driver's text may quote another client's record: logs only
                log.warning("audit write failed: %s", exc)
                raise AuditWriteError(f"audit store unavailable: {type(exc).__name__}",
                                      record_at_fault=isinstance(exc, DATA_ERRORS)) from exc
        raise AuditWriteError(f"could not allocate sequence numbers: {type(last_error).__name__}")

    def read_tail(self, session: Session) -> Tail:
        """The ledger's tail checked against this sequencer's trusted keys (each checkpoint signature verified
        once, here and for readiness alike)."""
        return read_tail(session, self.trusted_keys, self._verified)

    def _write(self, session: Session, prepared: list[tuple[RecordBody, str]]) -> tuple[list[Appended], Frontier]:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
        tail = self.read_tail(session)
        if tail.problem is not None:
            self.fault = tail.problem
            LEDGER_FAULT.set(1)
            raise LedgerFault(fault_text(tail.problem))
        seq, chain = tail.seq, tail.chain_hash
        frontier = self._synced_frontier(session, seq)
        self.fault = None
        LEDGER_FAULT.set(0)
        now = datetime.now(UTC)
        appended, records, terms, pins, nodes = [], [], [], [], []
        for body, canonical in prepared:
            seq += 1
            leaf = leaf_hash(canonical.encode("utf-8"))
            chain = chain_next(chain, leaf)
            records.append(row(body, seq, canonical, leaf, chain))
            cid = records[-1]["cid"]
            terms.extend({"record_id": body.id, "kind": kind, "value": value, "seq": seq}
                         for kind, value in sorted(record_terms(body.request, body.result)))
            if self.pinning:
                pins.append({"target_kind": "record", "target_id": body.id, "cid": cid, "status": "pending",
                             "attempts": 0, "next_attempt_at": now})
            nodes.extend(frontier.append(bytes.fromhex(leaf[2:])))
            appended.append(Appended(id=body.id, seq=seq, leaf_hash=leaf, chain_hash=chain, cid=cid))
        checkpoint = self._checkpoint(frontier, chain, now)
        self._verified.add(checkpoint["signature"])  # signed here: the next batch need not check it again
        if self.pinning:
            pins.append({"target_kind": "checkpoint", "target_id": str(checkpoint["size"]), "cid": checkpoint["cid"],
                         "status": "pending", "attempts": 0, "next_attempt_at": now})
        session.execute(insert(AuditRecord), records)  # one multi-row statement per table
        store_nodes(session, nodes)
        if terms:
            session.execute(insert(AuditRecordTerm), terms)
        session.execute(insert(Checkpoint), [checkpoint])
        if pins:
            session.execute(insert(PinTask), pins)
        return appended, frontier

    def _synced_frontier(self, session: Session, size: int) -> Frontier:
        """A copy of the in-memory frontier brought up to ``size`` leaves from the database: from the stored
        nodes (O(log n) reads) when another replica wrote much since, else from the leaves it wrote."""
        frontier = self._frontier.copy() if self._frontier.size <= size else Frontier()
        if size - frontier.size > CATCH_UP_BY_LEAVES:
            try:
                return StoredTree(session, size).frontier()
            except LookupError:
                pass  # nodes missing (a ledger older than them): the leaves are the truth
        if frontier.size < size:
            rows = session.execute(select(AuditRecord.leaf_hash).where(AuditRecord.seq > frontier.size)
                                   .order_by(AuditRecord.seq).execution_options(yield_per=10_000))
            for (leaf,) in rows:
                frontier.append(bytes.fromhex(leaf[2:]))
        if frontier.size != size:
            raise AuditWriteError(f"ledger has a gap: {frontier.size} leaves read for head seq {size}")
        return frontier

    def _checkpoint(self, frontier: Frontier, chain_head: str, now: datetime) -> dict[str, Any]:
        return signed_checkpoint(self.signer, frontier, chain_head, now)


def signed_checkpoint(signer: Signer, frontier: Frontier, chain_head: str, now: datetime) -> dict[str, Any]:
    """The ``audit_checkpoints`` row signing the tree ``frontier`` ends and the chain's head."""
    root_hash = "0x" + frontier.root().hex()
    message = checkpoint_message(frontier.size, root_hash, chain_head, now.isoformat())
    row = {"size": frontier.size, "root_hash": root_hash, "chain_head": chain_head, "created_at": now,
           "signed": message.decode("utf-8"), "key_id": signer.key_id, "public_key": signer.public_key_hex,
           "signature": signer.sign(message)}
    return {**row, "cid": cid_v1_raw(checkpoint_document(row))}
