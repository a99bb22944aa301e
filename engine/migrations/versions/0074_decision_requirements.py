"""Decision requirements definitions: one row per deployed DMN file, for Camunda's
/decision-requirements-definition.

DMN files of more than one decision (Camunda makes a DRD only for those) deployed before
this revision get theirs from the decision rows they made (the file's text is kept with each
decision): numbered per key in deployment order.

Revision ID: 0074
Revises: 0073
"""
import html
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0074"
down_revision: str | Sequence[str] | None = "0073"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFINITIONS = re.compile(r"<(?:[\w-]+:)?definitions\b[^>]*>", re.S)


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(r"\s" + name + r"\s*=\s*(\"([^\"]*)\"|'([^']*)')", tag)
    if found is None:
        return None
    return html.unescape(found.group(2) if found.group(2) is not None else found.group(3))


def backfill(bind: sa.engine.Connection) -> None:
    """Rows for the DMN files already deployed (a test calls it on its own connection)."""
    rows = bind.execute(sa.text(
        "SELECT d.deployment_id, d.resource_name, MIN(d.deployed_at) AS first_at, "
        "MIN(d.source_xml) AS xml FROM process_definitions d WHERE d.kind = 'decision' "
        "GROUP BY d.deployment_id, d.resource_name HAVING COUNT(*) > 1 "
        "ORDER BY first_at, d.deployment_id")).all()
    versions: dict[str, int] = {}
    table = sa.table("decision_requirements", *(sa.column(c) for c in (
        "id", "key", "version", "name", "resource_name", "deployment_id", "deployed_at")))
    for deployment_id, resource_name, at, xml in rows:
        tag = _DEFINITIONS.search(str(xml or ""))
        key = _attribute(tag.group(0), "id") if tag else None
        if not key:
            continue
        versions[key] = versions.get(key, 0) + 1
        bind.execute(table.insert().values(
            id=f"{key}:{versions[key]}:{deployment_id}"[:200], key=key,
            version=versions[key], name=_attribute(tag.group(0), "name") if tag else None,
            resource_name=resource_name, deployment_id=deployment_id, deployed_at=at))


def upgrade() -> None:
    op.create_table(
        "decision_requirements",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(150), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("resource_name", sa.String(300), nullable=False),
        sa.Column("deployment_id", sa.String(36),
                  sa.ForeignKey("deployments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", "version"),
    )
    op.create_index("ix_decision_requirements_key", "decision_requirements", ["key"])
    op.create_index("ix_decision_requirements_deployment_id", "decision_requirements",
                    ["deployment_id"])
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("decision_requirements")
