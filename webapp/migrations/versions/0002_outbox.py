"""the transactional outbox: events and their deliveries per subscriber

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=80), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events')),
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_events_created_at'), ['created_at'], unique=False)
    op.create_table(
        'outbox_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('subscriber', sa.String(length=32), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['outbox_events.id'],
                                name=op.f('fk_outbox_deliveries_event_id_outbox_events'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_deliveries')),
    )
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_deliveries_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_outbox_deliveries_pending', ['subscriber', 'delivered_at', 'event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_deliveries_pending')
        batch_op.drop_index(batch_op.f('ix_outbox_deliveries_event_id'))
    op.drop_table('outbox_deliveries')
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_events_created_at'))
    op.drop_table('outbox_events')
