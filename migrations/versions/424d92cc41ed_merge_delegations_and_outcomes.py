"""merge delegations and outcomes

Both branches were cut from the agenda migration; this joins them into one head so that
`dialogue db upgrade` has a single target. No schema change.

Revision ID: 424d92cc41ed
Revises: 3db71f4bc9ac, f8b741304408
Create Date: 2026-11-23 14:01:50.641452

"""

# revision identifiers, used by Alembic.
revision = '424d92cc41ed'
down_revision = ('3db71f4bc9ac', 'f8b741304408')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
