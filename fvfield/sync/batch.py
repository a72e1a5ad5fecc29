"""One pushed batch: each change checked, then applied, merged, kept as a conflict or rejected.

Everything the batch needs is read up front with one IN query per table,
the changes are decided in memory in order (a later change may build on an
earlier one of the same batch), and the writes go out in one executemany
per table (documents.ChangeLog).
"""

import sqlalchemy as sa

from fvfield.models import Attachment
from fvfield.problems import said
from fvfield.questionnaires import validate_answers
from fvfield.questionnaires.structure import every_question
from fvfield.sync import checks
from fvfield.sync.documents import (
    ChangeLog,
    data_of,
    document_json,
    form_versions,
    load_documents,
    load_history,
    revisions,
)
from fvfield.sync.duplicates import Pitches
from fvfield.sync.erasure import erased_ids
from fvfield.sync.jsontext import loads
from fvfield.sync.merge import changed, changed_since, fields, merge
from fvfield.sync.statuses import APPLIED, CONFLICT, DUPLICATE, MERGED, REJECTED

ROLE_REFUSALS = {
    "viewer": "Viewers can read the team's data but not change it: "
    "ask a coordinator for the member role, then push again.",
}
FORM_REFUSALS = {
    "member": "Only coordinators change forms, and they do it on the web.",
    "coordinator": "Forms are published from the team's forms page, not pushed from a device.",
}
ID_TAKEN = said("This id is already used by another document. Make a new id for a new document.")
NUL = said("Remove the NUL character from the text.")
NOT_UPLOADED = said("This photo has not been uploaded yet: upload it, then push the record again.")
# The attributes a change proposes, by collection (left out: null, or {} for data).
PROPOSED = {
    "records": ("form", "form_version", "recorded_at", "data", "subject_id"),
    "subjects": ("kind", "label", "data"),
}


def searchable(value):
    """Return whether a value can be looked up: a string without NUL (PostgreSQL refuses those)."""
    return isinstance(value, str) and "\x00" not in value


def nul_errors(change):
    """Return the errors of a change's attributes that hold a NUL character: no store keeps one."""
    return {name: [NUL] for name, value in change.items() if isinstance(value, str) and "\x00" in value}


def rejected(result, errors):
    """Return a change's result as rejected with its errors."""
    return {**result, "status": REJECTED.name, "errors": errors}


class Push:
    """One device's batch of changes to one team, inside the caller's write transaction."""

    def __init__(self, conn, team_id, user_id, role, device_id, now, own_edits_are_base=True):
        self.conn, self.team_id, self.user_id = conn, team_id, user_id
        self.role, self.device_id, self.now = role, device_id, now
        # A phone's earlier edits are the base of its later ones (merge.py); a web
        # page's are not: each page load is its own editor, and two tabs of one
        # person editing the same field must meet as a conflict.
        self.own_device = device_id if own_edits_are_base else None
        self.log = ChangeLog(conn, team_id, now)
        self.docs, self.known = {}, {}
        # Winning revisions by document: read from the store, and made by this batch.
        self.stored, self.stored_from, self.made = {}, {}, {}
        self.definitions, self.photos, self.photo_fields = {}, {}, {}
        self.erased = set()
        self.pitches = Pitches(conn, team_id)

    def load(self, changes):
        """Read the documents, change ids, form versions and photos the batch refers to."""
        ids, change_ids, form_ids, pairs = set(), set(), set(), set()
        for change in changes:
            # Collected unchecked: apply() checks them, and a bad one matches nothing.
            for name in ("id", "subject_id"):
                if searchable(change.get(name)):
                    ids.add(change[name].lower())
            if searchable(change.get("change_id")):
                change_ids.add(change["change_id"].lower())
            form, version = change.get("form"), change.get("form_version")
            if searchable(form) and checks.is_count(version, 1):
                form_ids.add(form)
                pairs.add((form, version))
        self.docs = load_documents(self.conn, ids)
        self.erased = erased_ids(self.conn, self.team_id, ids)
        if change_ids:
            rows = self.conn.execute(
                sa.select(
                    revisions.c.change_id,
                    revisions.c.team_id,
                    revisions.c.collection,
                    revisions.c.document_id,
                    revisions.c.rev,
                    revisions.c.status,
                ).where(revisions.c.change_id.in_(sa.bindparam("ids", expanding=True))),
                {"ids": list(change_ids)},
            )
            self.known = {row.change_id: row._asdict() for row in rows}
        if form_ids:
            table = form_versions
            rows = self.conn.execute(
                sa.select(table.c.form_id, table.c.version, table.c.definition).where(
                    table.c.team_id == self.team_id, table.c.form_id.in_(form_ids)
                )
            )
            self.definitions = {pair: None for pair in pairs}
            for form_id, version, definition in rows:
                self.definitions[form_id, version] = definition
        with_photos = {pair for pair, d in self.definitions.items() if d and self.photo_names(d)}
        wanted = set()
        for change in changes if with_photos else ():
            form, version = change.get("form"), change.get("form_version")
            data = change.get("data")
            if isinstance(form, str) and isinstance(version, int) and isinstance(data, dict):
                if (form, version) in with_photos:
                    definition = self.definitions[form, version]
                    wanted.update(sha for _, sha in self.photo_answers(definition, data))
        self.uploaded(wanted)

    def uploaded(self, hashes):
        """Return which of these photos were uploaded to the team, reading those not yet known."""
        unknown = {sha for sha in hashes if sha not in self.photos}
        if unknown:
            table = Attachment.__table__
            self.photos.update(dict.fromkeys(unknown, False))
            self.photos.update(
                (sha, True)
                for sha in self.conn.scalars(
                    sa.select(table.c.sha256).where(
                        table.c.team_id == self.team_id, table.c.sha256.in_(unknown)
                    )
                )
            )
        return {sha for sha in hashes if self.photos[sha]}

    def photo_names(self, definition):
        """Return (repeat name or None, field name) for each of a definition's photo fields."""
        names = self.photo_fields.get(id(definition))
        if names is None:
            names = self.photo_fields[id(definition)] = [
                ((repeat or {}).get("name"), field["name"])
                for field, repeat in every_question(definition["fields"])
                if field["type"] == "photo"
            ]
        return names

    def photo_answers(self, definition, data):
        """Yield (field name, sha256) for each photo answer of a record ("repeat.index.name" in an item)."""
        for repeat, name in self.photo_names(definition):
            if repeat is None:
                places = [(name, data)]
            else:
                items = data.get(repeat)
                items = items if isinstance(items, list) else []
                places = [
                    (f"{repeat}.{i}.{name}", item) for i, item in enumerate(items) if isinstance(item, dict)
                ]
            for path, answers in places:
                answer = answers.get(name)
                if isinstance(answer, dict) and searchable(answer.get("sha256")):
                    yield path, answer["sha256"]

    def definition(self, form_id, version):
        """Return a published definition of the team's form (its latest for version None)."""
        key = (form_id, version)
        if key not in self.definitions:
            query = (
                sa.select(form_versions.c.definition)
                .where(form_versions.c.team_id == self.team_id, form_versions.c.form_id == form_id)
                .order_by(form_versions.c.version.desc())
                .limit(1)
            )
            if version is not None:
                query = query.where(form_versions.c.version == version)
            self.definitions[key] = self.conn.scalar(query)
        return self.definitions[key]

    def apply(self, change):
        """Decide and queue one change; return its result for the device."""
        result = {"change_id": change["change_id"], "id": change["id"]}
        errors = checks.check_common(change) or nul_errors(change)
        if errors:
            return rejected(result, errors)
        change_id, collection = change["change_id"].lower(), change["collection"]
        doc_id = change["id"].lower() if collection != "forms" else change["id"]
        result.update(change_id=change_id, id=doc_id)
        known = self.known.get(change_id)
        if known is not None:
            return self.duplicate(result, known, collection, doc_id)
        refusal = ROLE_REFUSALS.get(self.role) or (
            FORM_REFUSALS.get(self.role) if collection == "forms" else None
        )
        if refusal:
            return rejected(result, {"_": [refusal]})
        current = self.docs.get(doc_id)
        if current is not None and (
            current["team_id"] != self.team_id or current["collection"] != collection
        ):
            return rejected(result, {"id": [ID_TAKEN]})
        subject_id = change.get("subject_id")
        about_erased = current is None and searchable(subject_id) and subject_id.lower() in self.erased
        if doc_id in self.erased or about_erased:
            return self.meets_erasure(result, collection, doc_id, current)
        base, errors = self.base_of(change, current)
        if errors:
            return rejected(result, errors)
        proposed = self.propose(change, collection, doc_id, base)
        errors = self.check(proposed)
        if errors:
            return rejected(result, errors)
        return self.decide(result, change, current, base, proposed)

    @staticmethod
    def meets_erasure(result, collection, doc_id, current):
        """Answer a change of an erased document (or a new record about an erased subject): nothing is kept.

        The answer is a conflict whose current state is the tombstone, so the
        phone drops the change and its copy of the data (docs/sync.md).
        """
        empty = {"collection": collection, "id": doc_id, "rev": 1, "deleted": True, "data": {}}
        tomb = loads(document_json(current)) if current is not None else empty
        return {**result, "status": CONFLICT.name, "rev": tomb["rev"], "current": tomb, "erased": True}

    def duplicate(self, result, known, collection, doc_id):
        """Answer a change id seen before: the rev it produced, or a rejection if reused."""
        if (known["team_id"], known["collection"], known["document_id"]) != (
            self.team_id,
            collection,
            doc_id,
        ):
            return rejected(
                result,
                {
                    "change_id": [
                        "This change_id was already used for another change: make a new one for every edit."
                    ]
                },
            )
        original = known["status"]
        return {**result, "status": DUPLICATE.name, "rev": known["rev"], "original_status": original}

    def base_of(self, change, current):
        """Return (the state the change was made on, None) or (None, errors)."""
        base_rev = change["base_rev"]
        if current is None:
            if base_rev:
                return None, {
                    "base_rev": ["The server has no document with this id: send it as new, with base_rev 0."]
                }
            if change.get("deleted"):
                return None, {"_": ["There is nothing to delete: the server never stored this document."]}
            return None, {}
        if base_rev > current["rev"]:
            return None, {
                "base_rev": [
                    f"The server's latest rev of this document is {current['rev']}; "
                    f"base_rev {base_rev} was never given out."
                ]
            }
        if base_rev == current["rev"]:
            return current, {}
        return self.history(current, base_rev).get(base_rev, (None, None))[0], {}

    def history(self, current, from_rev):
        """Return the winning revisions of a document since `from_rev`, this batch's included."""
        doc_id = current["id"]
        if self.stored_from.get(doc_id, from_rev + 1) > from_rev:
            self.stored[doc_id] = load_history(self.conn, self.team_id, doc_id, from_rev)
            self.stored_from[doc_id] = from_rev
        return {**self.stored[doc_id], **self.made.get(doc_id, {})}

    @staticmethod
    def propose(change, collection, doc_id, base):
        """Return the state a change asks for; a deletion keeps the attributes it leaves out."""
        deleted = change.get("deleted", False)
        proposed = {"collection": collection, "id": doc_id, "deleted": deleted}
        for name in PROPOSED.get(collection, ()):
            if name in change:
                proposed[name] = change[name]
            elif deleted and base is not None:
                proposed[name] = data_of(base) if name == "data" else base.get(name)
            else:
                proposed[name] = {} if name == "data" else None
        if isinstance(proposed.get("subject_id"), str):
            proposed["subject_id"] = proposed["subject_id"].lower()
        proposed["data_json"] = None
        return proposed

    def check(self, state):
        """Return the errors of a proposed state: attributes, form, answers, subject, photos."""
        if state["collection"] == "subjects":
            return checks.check_subject(state)
        errors = checks.check_record(state)
        if errors or state["deleted"]:
            return errors
        form_id, version = state["form"], state["form_version"]
        definition = self.definition(form_id, version)
        if definition is None:
            if self.definition(form_id, None) is not None:
                return {"form_version": [f"The form '{form_id}' has no version {version}."]}
            return {"form": [f"There is no form '{form_id}' in this team."]}
        errors = dict(validate_answers(definition, state["data"]))
        if self.photo_names(definition):
            photos = dict(self.photo_answers(definition, state["data"]))
            uploaded = self.uploaded(set(photos.values()))
            for name, sha in photos.items():
                if sha not in uploaded and name not in errors:
                    errors[name] = [NOT_UPLOADED]
        self.check_subject(state, definition, errors)
        return errors

    def check_subject(self, state, definition, errors):
        """Add an error unless the subject is a subject of the team, of the form's kind.

        An archived subject counts: archiving is not deleting, and a phone
        offline since may still bring records about it (the coordinator's
        pages flag those recorded after the archiving).
        """
        subject_id = state.get("subject_id")
        if subject_id is None:
            return
        subject = self.docs.get(subject_id)
        ours = subject is not None and subject["team_id"] == self.team_id
        if not ours or subject["collection"] != "subjects":
            checks.add(errors, "subject_id", said("There is no subject with this id in this team."))
        elif definition.get("subject_kind") not in (None, subject["kind"]):
            about, kind = definition["subject_kind"], subject["kind"]
            checks.add(
                errors,
                "subject_id",
                said(
                    "This form is about a %(about)s, and this subject is a %(kind)s.", about=about, kind=kind
                ),
            )

    def decide(self, result, change, current, base, proposed):
        """Apply, merge or keep as a conflict a valid change; return its result."""
        base_rev = change["base_rev"]
        if current is None:
            proposed.update(pk=None, team_id=self.team_id, rev=1, has_conflict=False, author=self.user_id)
            twin = self.pitches.match(proposed)
            if twin is not None:
                # Kept all the same: a coordinator decides (docs/sync.md, "Possible duplicates").
                result["possible_duplicate_of"] = twin
            return self.accept(result, change, proposed, APPLIED.name)
        if base is current:
            state = {**current, **proposed, "rev": current["rev"] + 1}
            if change.get("resolves_conflict"):
                state["has_conflict"] = False
            return self.accept(result, change, state, APPLIED.name)
        collection = current["collection"]
        history = self.history(current, base_rev)
        rivals = changed_since(collection, history, base_rev, current["rev"], self.own_device)
        touched = changed(fields(collection, base), fields(collection, proposed))
        if rivals is not None and not (touched & rivals):
            state = merge(collection, current, proposed, touched)
            state["rev"] = current["rev"] + 1
            if collection == "subjects" or state["deleted"] or not self.check(state):
                self.accept(result, change, state, MERGED.name)
                result["current"] = loads(document_json(state))
                return result
        return self.conflict(result, change, current, proposed)

    def accept(self, result, change, state, status):
        """Queue a document's new state and its revision; return the result."""
        self.log.keep(state)
        self.remember(result["change_id"], change, state, state, status)
        result.update(status=status, rev=state["rev"])
        return result

    def conflict(self, result, change, current, proposed):
        """Keep the current state, flag it, and keep the incoming one as a conflicting revision."""
        state = {**current, "has_conflict": True}
        self.log.keep(state)
        incoming = {**proposed, "rev": current["rev"]}
        self.remember(result["change_id"], change, state, incoming, CONFLICT.name)
        result.update(status=CONFLICT.name, rev=state["rev"], current=loads(document_json(state)))
        return result

    def remember(self, change_id, change, state, revision, status):
        """Queue the revision of a change and keep the batch's view of the document up to date."""
        self.log.add_revision(
            revision,
            change_id,
            change["base_rev"],
            status,
            self.user_id,
            self.device_id,
            checks.reason_of(change),
        )
        self.docs[state["id"]] = state
        self.known[change_id] = {
            "team_id": self.team_id,
            "collection": state["collection"],
            "document_id": state["id"],
            "rev": revision["rev"],
            "status": status,
        }
        if status != CONFLICT.name:
            self.made.setdefault(state["id"], {})[state["rev"]] = (state, self.device_id)
