"""The SQLite schema of an archive, versioned, with the migrations between versions.

SQLite is the source of truth: records, their earlier versions, and the reference edges.
Users may open it with any SQLite tool; the tables below are documented in docs/archive.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from cabledesk.archive.blob import unpack_record
from cabledesk.errors import Error

SCHEMA_VERSION = 14

# Each entry upgrades the schema from version N-1 to N (index 0 creates version 1).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cables (
        id INTEGER PRIMARY KEY,
        reference_id TEXT NOT NULL UNIQUE,
        created TEXT,
        sent TEXT,
        date TEXT,
        year INTEGER,
        origin TEXT,
        station TEXT,
        classification TEXT,
        class_rank INTEGER,
        caveats TEXT NOT NULL,
        subject TEXT,
        from_address TEXT,
        signers TEXT NOT NULL,
        redactions INTEGER NOT NULL,
        version INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record BLOB NOT NULL
    );
    CREATE INDEX cables_seq ON cables (seq);
    CREATE INDEX cables_date ON cables (date);
    CREATE INDEX cables_origin ON cables (origin, date);
    CREATE TABLE versions (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        version INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        record BLOB NOT NULL,
        PRIMARY KEY (cable_id, version)
    );
    CREATE TABLE paragraphs (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        number INTEGER,
        marking TEXT,
        heading TEXT,
        text TEXT NOT NULL,
        PRIMARY KEY (cable_id, position)
    );
    CREATE TABLE tags (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (cable_id, position)
    );
    CREATE INDEX tags_tag ON tags (tag);
    CREATE TABLE addressees (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        kind TEXT NOT NULL CHECK (kind IN ('to', 'info')),
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        route TEXT,
        precedence TEXT,
        PRIMARY KEY (cable_id, kind, position)
    );
    CREATE INDEX addressees_name ON addressees (name);
    CREATE TABLE refs (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        label TEXT,
        text TEXT NOT NULL,
        cited_id TEXT,
        PRIMARY KEY (cable_id, position)
    );
    CREATE INDEX refs_cited ON refs (cited_id);
    """,
    # 2: paragraph text lives in the record only (it doubled the size of an archive).
    """
    ALTER TABLE paragraphs DROP COLUMN text;
    """,
    # 3: people and permissions (cabledesk.access, docs/access.md). Accounts are never
    # deleted, only disabled, so the audit log can name them by name for ever.
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
        password_hash TEXT NOT NULL,
        ceiling TEXT NOT NULL
            CHECK (ceiling IN ('UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET')),
        foreign_national INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        failed_since TEXT,
        locked_until TEXT,
        sessions_after INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
        created TEXT NOT NULL,
        revoked TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        account TEXT,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        client TEXT
    );
    CREATE INDEX audit_time ON audit (time);
    CREATE INDEX audit_account ON audit (account, time);
    CREATE INDEX audit_kind ON audit (kind, time);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted'); END;
    """,
    # 4: the redaction register (every change is a new register version, kept), the
    # cables editors approved for publication, and the editions built from them.
    """
    CREATE TABLE redaction_rules (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('name', 'span', 'paragraph')),
        text TEXT NOT NULL,
        variants TEXT NOT NULL,
        cable_id TEXT,
        paragraph INTEGER,
        reason TEXT NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL,
        lifted_by TEXT,
        lifted_at TEXT
    );
    CREATE INDEX redaction_rules_cable ON redaction_rules (cable_id);
    CREATE TABLE register_log (
        version INTEGER PRIMARY KEY,
        rule_id INTEGER NOT NULL REFERENCES redaction_rules (id),
        action TEXT NOT NULL CHECK (action IN ('mark', 'lift')),
        account TEXT,
        at TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TRIGGER register_log_no_update BEFORE UPDATE ON register_log
        BEGIN SELECT RAISE(ABORT, 'the redaction register log is append-only'); END;
    CREATE TRIGGER register_log_no_delete BEFORE DELETE ON register_log
        BEGIN SELECT RAISE(ABORT, 'the redaction register log is append-only'); END;
    CREATE TABLE approvals (
        reference_id TEXT PRIMARY KEY,
        approved_by TEXT,
        approved_at TEXT NOT NULL
    );
    CREATE TABLE editions (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        created_by TEXT,
        register_version INTEGER NOT NULL,
        output TEXT NOT NULL
    );
    CREATE TABLE edition_cables (
        edition_id INTEGER NOT NULL REFERENCES editions (id),
        reference_id TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        PRIMARY KEY (edition_id, reference_id)
    );
    """,
    # 5: the tables of a cable's parts are clustered on their key (WITHOUT ROWID): a rowid
    # table kept each row twice, in the table and in its primary key's index, so an ingest
    # wrote two B-trees where one does (some 35 rows a cable).
    """
    CREATE TABLE paragraphs_5 (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        number INTEGER,
        marking TEXT,
        heading TEXT,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    INSERT INTO paragraphs_5 SELECT cable_id, position, number, marking, heading
        FROM paragraphs;
    DROP TABLE paragraphs;
    ALTER TABLE paragraphs_5 RENAME TO paragraphs;
    CREATE TABLE tags_5 (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    INSERT INTO tags_5 SELECT cable_id, position, tag FROM tags;
    DROP TABLE tags;
    ALTER TABLE tags_5 RENAME TO tags;
    CREATE INDEX tags_tag ON tags (tag);
    CREATE TABLE addressees_5 (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        kind TEXT NOT NULL CHECK (kind IN ('to', 'info')),
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        route TEXT,
        precedence TEXT,
        PRIMARY KEY (cable_id, kind, position)
    ) WITHOUT ROWID;
    INSERT INTO addressees_5 SELECT cable_id, kind, position, name, route, precedence
        FROM addressees;
    DROP TABLE addressees;
    ALTER TABLE addressees_5 RENAME TO addressees;
    CREATE INDEX addressees_name ON addressees (name);
    CREATE TABLE refs_5 (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        label TEXT,
        text TEXT NOT NULL,
        cited_id TEXT,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    INSERT INTO refs_5 SELECT cable_id, position, label, text, cited_id FROM refs;
    DROP TABLE refs;
    ALTER TABLE refs_5 RENAME TO refs;
    CREATE INDEX refs_cited ON refs (cited_id);
    """,
    # 6: an approval is of a version of a cable (its text hash): a cable ingested again
    # with a changed text waits for a new approval, and the public keeps the version
    # approved. Approvals made before held no version: each gets the one that was current
    # when it was made (the first version replaced at or after that moment, or else the
    # current one); a tie within the same second takes the earlier version, which then
    # waits for approval rather than publishing a text nobody approved.
    """
    ALTER TABLE approvals ADD COLUMN text_hash TEXT;
    UPDATE approvals SET text_hash = coalesce(
        (SELECT v.text_hash FROM versions v JOIN cables c ON c.id = v.cable_id
            WHERE c.reference_id = approvals.reference_id
            AND v.replaced_at >= approvals.approved_at
            ORDER BY v.version LIMIT 1),
        (SELECT c.text_hash FROM cables c WHERE c.reference_id = approvals.reference_id));
    """,
    # 7: what each REF item cites (`cable`, `email`, `telcon`, `report`, `memo`, `other`;
    # docs/record.md). An item with a cited id is a cable; the others take the kind their
    # stored record gives (`_kinds_from_records`, run in the same transaction), which for a
    # record stored before kinds existed is `other`, as the record reader says.
    """
    ALTER TABLE refs ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
    UPDATE refs SET kind = 'cable' WHERE cited_id IS NOT NULL;
    """,
    # 8: entities (docs/entities.md). `mentions` holds what the extractor found in the
    # current text of each cable, with the level (`rank`, `noforn`) of the part it stands
    # in, so a reader's view can leave out what they may not see; `enriched` says which
    # text (hash) which extractor version read, so the enrichment job knows what is
    # pending; `entities` gives each key a stable id; `entity_keys` maps every mention key
    # to its entity (archive-wide resolution).
    """
    CREATE TABLE mentions (
        cable_id INTEGER NOT NULL REFERENCES cables (id),
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        surface TEXT NOT NULL,
        field TEXT NOT NULL,
        paragraph INTEGER,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        how TEXT NOT NULL,
        rank INTEGER NOT NULL,
        noforn INTEGER NOT NULL,
        PRIMARY KEY (cable_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX mentions_key ON mentions (key);
    CREATE TABLE enriched (
        cable_id INTEGER PRIMARY KEY REFERENCES cables (id),
        version INTEGER NOT NULL,
        text_hash TEXT NOT NULL
    );
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        mentions INTEGER NOT NULL DEFAULT 0,
        cables INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX entities_kind ON entities (kind, mentions);
    CREATE TABLE entity_keys (
        key TEXT PRIMARY KEY,
        entity_id INTEGER NOT NULL REFERENCES entities (id)
    ) WITHOUT ROWID;
    CREATE INDEX entity_keys_entity ON entity_keys (entity_id);
    """,
    # 9: editors' decisions about entities (docs/entities.md, "Curation: the entity
    # register"): one append-only row a decision, about mention keys (stable across
    # re-extraction), replayed in version order by every archive-wide resolution. A
    # mention an editor's split or alias moved keeps the extractor's key in
    # `extracted_key` while `key` names the entity it now belongs to (NULL: not moved), so
    # every query that joins `entity_keys` on `mentions.key` follows decisions unchanged.
    # `merged_into` points a merged entity's id at the entity it joined.
    """
    CREATE TABLE entity_register (
        version INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        account TEXT,
        action TEXT NOT NULL CHECK (action IN ('merge', 'split', 'rename', 'retype',
            'delete', 'alias_add', 'alias_remove', 'undo')),
        keys TEXT NOT NULL,
        payload TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TRIGGER entity_register_no_update BEFORE UPDATE ON entity_register
        BEGIN SELECT RAISE(ABORT, 'the entity register is append-only'); END;
    CREATE TRIGGER entity_register_no_delete BEFORE DELETE ON entity_register
        BEGIN SELECT RAISE(ABORT, 'the entity register is append-only'); END;
    ALTER TABLE mentions ADD COLUMN extracted_key TEXT;
    CREATE INDEX mentions_moved ON mentions (cable_id, position)
        WHERE extracted_key IS NOT NULL;
    ALTER TABLE entities ADD COLUMN merged_into INTEGER REFERENCES entities (id);
    """,
    # 10: the entity index, most mentioned first, read without sorting every entity.
    """
    CREATE INDEX entities_mentions ON entities (mentions);
    """,
    # 11: what archive-wide resolution read of each mention key (archive/entities.py,
    # `resolve`), so that an editor's decision is replayed without reading every mention
    # again; valid for the mentions as `meta.entity_key_stats` fingerprints them.
    """
    CREATE TABLE entity_key_stats (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        in_full INTEGER NOT NULL,
        cables INTEGER NOT NULL,
        names TEXT NOT NULL,
        surface_keys TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 12: the workspace (docs/workspace.md): collections of cables, who they are shared
    # with, and notes on cables and paragraphs (IF NOT EXISTS: an archive brought back to an
    # older version by hand keeps them). `owner`, `account`, `author`: an account's
    # name, or '' for the archive's owner (the command line and the local desk).
    """
    CREATE TABLE IF NOT EXISTS collections (
        id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        published INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS collections_owner ON collections (owner);
    CREATE TABLE IF NOT EXISTS collection_cables (
        collection_id INTEGER NOT NULL REFERENCES collections (id),
        reference_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        added_by TEXT NOT NULL,
        added TEXT NOT NULL,
        PRIMARY KEY (collection_id, reference_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS collection_shares (
        collection_id INTEGER NOT NULL REFERENCES collections (id),
        account TEXT NOT NULL,
        access TEXT NOT NULL CHECK (access IN ('view', 'edit')),
        PRIMARY KEY (collection_id, account)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS collection_shares_account ON collection_shares (account);
    CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY,
        author TEXT NOT NULL,
        reference_id TEXT NOT NULL,
        paragraph TEXT,
        collection_id INTEGER REFERENCES collections (id),
        text TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notes_cable ON notes (reference_id);
    CREATE INDEX IF NOT EXISTS notes_author ON notes (author);
    CREATE INDEX IF NOT EXISTS notes_collection ON notes (collection_id);
    """,
    # 13: saved searches and alerts (workspace/saved_searches.py, docs/workspace.md). A
    # cable's `seq` moves on whenever the index must absorb it again (a redaction, an
    # edition, its entities): `arrivals` keeps the change number of the ingest that
    # stored its current text, which is what "new since" means. Filled by triggers, so
    # the ingest's own statements are unchanged; existing cables arrive at their seq.
    # IF NOT EXISTS: tests (and a restored backup) may set an archive's version back.
    """
    CREATE TABLE IF NOT EXISTS saved_searches (
        id INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        sort TEXT NOT NULL,
        created TEXT NOT NULL,
        visited_seq INTEGER NOT NULL,
        visited_at TEXT,
        alerted_seq INTEGER NOT NULL,
        alerted_at TEXT,
        UNIQUE (owner, name)
    );
    CREATE TABLE IF NOT EXISTS arrivals (cable_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
    INSERT OR IGNORE INTO arrivals (cable_id, seq) SELECT id, seq FROM cables;
    CREATE INDEX IF NOT EXISTS arrivals_seq ON arrivals (seq);
    CREATE TRIGGER IF NOT EXISTS cables_arrive AFTER INSERT ON cables BEGIN
        INSERT OR REPLACE INTO arrivals (cable_id, seq) VALUES (NEW.id, NEW.seq);
    END;
    CREATE TRIGGER IF NOT EXISTS cables_new_text AFTER UPDATE OF text_hash ON cables
    WHEN NEW.text_hash IS NOT OLD.text_hash BEGIN
        INSERT OR REPLACE INTO arrivals (cable_id, seq) VALUES (NEW.id, NEW.seq);
    END;
    """,
    # 14: the public edition's stable cable numbers ("slots", publish/search_index.py,
    # format 4): a cable keeps the number it got when it first entered an edition (the
    # first edition's in date order, later ones after the highest), withdrawn or not, so
    # the next edition's search index changes only where its cables did. The BM25 average
    # length the index was first built with is kept in `meta` (edition_average_words).
    """
    CREATE TABLE IF NOT EXISTS edition_slots (
        reference_id TEXT PRIMARY KEY,
        slot INTEGER NOT NULL UNIQUE
    ) WITHOUT ROWID;
    """,
]


def _kinds_from_records(connection: sqlite3.Connection) -> None:
    """Version 7: the kind of each REF item without a cited id, from its stored record
    (only the cables with such items are read)."""
    rows = connection.execute(
        "SELECT id, record FROM cables WHERE id IN "
        "(SELECT DISTINCT cable_id FROM refs WHERE cited_id IS NULL)"
    ).fetchall()
    for cable_id, blob in rows:
        references = unpack_record(blob).get("references") or []
        connection.executemany(
            "UPDATE refs SET kind = ? WHERE cable_id = ? AND position = ? AND cited_id IS NULL",
            [
                (item["kind"], cable_id, position)
                for position, item in enumerate(references)
                if isinstance(item, dict) and item.get("kind")
            ],
        )


# Steps in Python that finish a migration, by the version they lead to.
_FINISH: dict[int, Callable[[sqlite3.Connection], None]] = {7: _kinds_from_records}


class SchemaError(Error, RuntimeError):
    """An archive this version of cabledesk cannot use."""


def schema_version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not exists:
        return 0
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before."""
    found = schema_version(connection)
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the archive has schema version {found}, newer than this cabledesk "
            f"({SCHEMA_VERSION}); upgrade cabledesk to open it"
        )
    for version in range(found, SCHEMA_VERSION):
        # One transaction per step: a crash leaves the archive at the version before.
        stamp = (
            f"INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '{version + 1}');"
        )
        finish = _FINISH.get(version + 1)
        if finish is None:
            connection.executescript("BEGIN;" + MIGRATIONS[version] + stamp + "COMMIT;")
            continue
        # The script leaves its transaction open for the Python step to finish.
        connection.executescript("BEGIN;" + MIGRATIONS[version] + stamp)
        try:
            finish(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return found
